import {
  DriftFilters,
  Matcher,
  escapeRegex,
  labelMatchers,
  matcherFor,
  quote,
  renderMatcher,
} from './filters';

/**
 * LogQL builders. Shape, always in this order (cheap first, as Loki evaluates left to right):
 *   {job="tfdrift", <label filters>} [|= "line filter"] | json | __error__="" [| <json field filters>]
 * `__error__=""` drops lines that are not JSON drift records instead of failing the query.
 */

/** `| json` flattens nested keys with `_`, so `user.name` is `user_name`. */
export type JsonField =
  'resource_type' | 'resource_id' | 'drift_id' | 'event_type' | 'user_name' | 'event_name' | 'source_ip';

/** A range: a literal duration such as `5m`, or a Grafana variable such as `$__auto` / `$__range`. */
export type LogRange = string;

export interface LogQueryOptions {
  job: string;
  filters?: DriftFilters;
  /** Substring the raw line must contain; placed before `| json` so Loki skips parsing most lines. */
  lineContains?: string;
  /** Any of these substrings (`|~ "a|b"`, regex-escaped); also before `| json`. */
  lineContainsAny?: string[];
  /** Extra filters on parsed JSON fields, after the `__error__` guard. */
  fieldFilters?: Matcher[];
}

export function streamSelector(job: string, filters: DriftFilters = {}): string {
  const matchers: Matcher[] = [{ label: 'job', op: '=', value: job }, ...labelMatchers(filters)];
  return `{${matchers.map(renderMatcher).join(', ')}}`;
}

/** The log query returning drift records (lines) for the filters. */
export function driftLogQuery(opts: LogQueryOptions): string {
  const filters = opts.filters ?? {};
  const parts = [streamSelector(opts.job, filters)];
  if (opts.lineContains) {
    parts.push(`|= ${quote(opts.lineContains)}`);
  }
  if (opts.lineContainsAny && opts.lineContainsAny.length > 0) {
    parts.push(`|~ ${quote(opts.lineContainsAny.map(escapeRegex).join('|'))}`);
  }
  parts.push('| json', '| __error__=""');
  const fieldMatchers = [
    matcherFor('resource_type', filters.resource_type),
    matcherFor('user_name', filters.user_name),
    ...(opts.fieldFilters ?? []),
  ].filter((m): m is Matcher => !!m);
  for (const m of fieldMatchers) {
    parts.push(`| ${renderMatcher(m)}`);
  }
  return parts.join(' ');
}

/** `sum by (<by>) (count_over_time(<all drift lines> [range]))`: detections and resolutions. */
export function recordCountBy(opts: LogQueryOptions & { by: string[]; range: LogRange }): string {
  const by = opts.by.length > 0 ? ` by (${opts.by.join(', ')})` : '';
  return `sum${by} (count_over_time(${driftLogQuery(opts)} [${opts.range}]))`;
}

/** Only first detections (not resolutions): what "drifts" counts everywhere. */
export const DETECTED: Matcher = { label: 'event_type', op: '=', value: 'terraform_drift_detected' };

/** `sum by (<by>) (count_over_time(<detected drift lines> [range]))`. */
export function driftCountBy(opts: LogQueryOptions & { by: string[]; range: LogRange }): string {
  const inner = driftLogQuery({ ...opts, fieldFilters: [DETECTED, ...(opts.fieldFilters ?? [])] });
  const by = opts.by.length > 0 ? ` by (${opts.by.join(', ')})` : '';
  return `sum${by} (count_over_time(${inner} [${opts.range}]))`;
}

/** `topk(n, …)` of driftCountBy: top resource types, top users. */
export function topDriftCountBy(
  opts: LogQueryOptions & { by: string[]; range: LogRange; limit: number },
): string {
  return `topk(${opts.limit}, ${driftCountBy(opts)})`;
}

/** Every record (detections and resolutions) of one drift_id: the history on the detail page. */
export function driftHistoryQuery(job: string, driftId: string): string {
  return driftLogQuery({
    job,
    lineContains: driftId,
    fieldFilters: [{ label: 'drift_id', op: '=', value: driftId }],
  });
}

/** The overview's LogQL panels, shared by the Overview page and the generated dashboards. */
export function overviewLogQueries(job: string, filters: DriftFilters, range: LogRange) {
  const base = { job, filters, range };
  return {
    bySeverity: driftCountBy({ ...base, by: ['severity'] }),
    byChangeType: driftCountBy({ ...base, by: ['change_type'] }),
    byAccountRegion: driftCountBy({ ...base, by: ['account_id', 'region'] }),
    topResourceTypes: topDriftCountBy({ ...base, by: ['resource_type'], limit: 10 }),
    topUsers: topDriftCountBy({ ...base, by: ['user_name'], limit: 10 }),
  };
}

/** Every record about the same resource (its other drifts): by resource_id, else resource_address. */
export function resourceDriftsQuery(
  job: string,
  resource: { account_id: string | null; resource_id: string | null; resource_address: string | null },
): string | undefined {
  const field = resource.resource_id
    ? 'resource_id'
    : resource.resource_address
      ? 'resource_address'
      : undefined;
  const value = resource.resource_id ?? resource.resource_address;
  if (!field || !value) {
    return undefined;
  }
  return driftLogQuery({
    job,
    filters: resource.account_id ? { account_id: [resource.account_id] } : {},
    lineContains: value,
    fieldFilters: [{ label: field, op: '=', value }],
  });
}
