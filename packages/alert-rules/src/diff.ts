/**
 * Comparing what TFDrift wants with what Grafana has. Grafana adds fields to what it stores
 * (id, orgID, updated, provenance, model defaults), renamed a few across versions and spells
 * durations its own way (`5m0s`); comparison normalizes all of that so a second apply is a no-op.
 */
import { formatDuration, normalizeDuration } from './duration.js';
import type { MuteTimeInterval, ProvisionedAlertRule, Route } from './grafana-types.js';

export interface FieldChange {
  path: string;
  before: unknown;
  after: unknown;
}

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Field-by-field differences between two JSON values. */
export function diffValues(before: Json, after: Json, path = ''): FieldChange[] {
  if (isObject(before) && isObject(after)) {
    const keys = Array.from(new Set([...Object.keys(before), ...Object.keys(after)])).sort();
    return keys.flatMap((k) => diffValues(before[k], after[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((b, i) => diffValues(b, after[i], `${path}[${i}]`));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path, before, after }];
}

/** `existing` cut down to the keys `desired` has (recursively): drops server-added defaults. */
export function projectOnto(existing: Json, desired: Json): Json {
  if (isObject(existing) && isObject(desired)) {
    return Object.fromEntries(Object.keys(desired).filter((k) => k in existing).map((k) => [k, projectOnto(existing[k], desired[k])]));
  }
  if (Array.isArray(existing) && Array.isArray(desired)) {
    return existing.map((e, i) => (i < desired.length ? projectOnto(e, desired[i]) : e));
  }
  return existing;
}

/** A rule as read back from any supported Grafana version, in the shape TFDrift writes. */
export function normalizeExistingRule(raw: Record<string, Json>): ProvisionedAlertRule {
  const data = Array.isArray(raw.data) ? (raw.data as Array<Record<string, Json>>) : [];
  return {
    uid: String(raw.uid ?? ''),
    title: String(raw.title ?? ''),
    // Rule groups say `folderUid`, rules `folderUID`; some versions mix them up.
    folderUID: String(raw.folderUID ?? raw.folderUid ?? ''),
    ruleGroup: String(raw.ruleGroup ?? raw.rule_group ?? ''),
    condition: String(raw.condition ?? ''),
    data: data.map((q) => ({
      refId: String(q.refId ?? ''),
      queryType: String(q.queryType ?? ''),
      relativeTimeRange: {
        from: Number((q.relativeTimeRange as Record<string, Json> | undefined)?.from ?? 0),
        to: Number((q.relativeTimeRange as Record<string, Json> | undefined)?.to ?? 0),
      },
      datasourceUid: String(q.datasourceUid ?? q.datasourceUID ?? ''),
      model: isObject(q.model) ? q.model : {},
    })),
    noDataState: (raw.noDataState ?? raw.no_data_state ?? 'NoData') as ProvisionedAlertRule['noDataState'],
    execErrState: (raw.execErrState ?? raw.exec_err_state ?? 'Error') as ProvisionedAlertRule['execErrState'],
    // A string (`5m`, `5m0s`) from every version seen; the swagger calls it an int64 of nanoseconds.
    for: typeof raw.for === 'number' ? formatDuration(raw.for / 1e9) : normalizeDuration(String(raw.for ?? '0s')),
    labels: isObject(raw.labels) ? (raw.labels as Record<string, string>) : {},
    annotations: isObject(raw.annotations) ? (raw.annotations as Record<string, string>) : {},
    isPaused: raw.isPaused === true || raw.is_paused === true,
    provenance: typeof raw.provenance === 'string' ? raw.provenance : undefined,
  };
}

/** The managed fields of a rule, ready to compare. */
function comparable(rule: ProvisionedAlertRule, shapeOf?: ProvisionedAlertRule): Record<string, Json> {
  return {
    title: rule.title,
    folderUID: rule.folderUID,
    ruleGroup: rule.ruleGroup,
    condition: rule.condition,
    data: rule.data.map((q, i) => ({
      ...q,
      model: shapeOf?.data[i] ? projectOnto(q.model, shapeOf.data[i].model) : q.model,
    })),
    noDataState: rule.noDataState,
    execErrState: rule.execErrState,
    for: normalizeDuration(rule.for),
    labels: rule.labels,
    annotations: rule.annotations,
    isPaused: rule.isPaused,
  };
}

export function diffRule(existing: ProvisionedAlertRule, desired: ProvisionedAlertRule): FieldChange[] {
  return diffValues(comparable(existing, desired), comparable(desired));
}

function normalizeInterval(i: Record<string, Json>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const key of ['times', 'weekdays', 'days_of_month', 'months', 'years', 'location'] as const) {
    // `daysOfMonth` is how some API clients and versions spell it.
    const value = key === 'days_of_month' ? (i.days_of_month ?? i.daysOfMonth) : i[key];
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0) || value === '') {
      continue;
    }
    out[key] = key === 'times' ? (value as Array<Record<string, Json>>).map((t) => ({ start_time: t.start_time ?? t.startTime, end_time: t.end_time ?? t.endTime })) : value;
  }
  return out;
}

export function normalizeMuteTiming(raw: Record<string, Json>): MuteTimeInterval {
  const intervals = (raw.time_intervals ?? raw.timeIntervals ?? []) as Array<Record<string, Json>>;
  return { name: String(raw.name ?? ''), time_intervals: intervals.map(normalizeInterval) };
}

export function diffMuteTiming(existing: MuteTimeInterval, desired: MuteTimeInterval): FieldChange[] {
  return diffValues(normalizeMuteTiming(existing as unknown as Record<string, Json>).time_intervals, normalizeMuteTiming(desired as unknown as Record<string, Json>).time_intervals, 'time_intervals');
}

/** The `[label, op, value]` matchers of a route, whichever of the three historical forms it uses. */
export function routeMatchers(route: Route): Array<[string, string, string]> {
  const out: Array<[string, string, string]> = [...(route.object_matchers ?? [])];
  for (const m of route.matchers ?? []) {
    const parsed = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"?(.*?)"?\s*$/.exec(m);
    if (parsed) {
      out.push([parsed[1], parsed[2], parsed[3]]);
    }
  }
  for (const [k, v] of Object.entries(route.match ?? {})) {
    out.push([k, '=', v]);
  }
  for (const [k, v] of Object.entries(route.match_re ?? {})) {
    out.push([k, '=~', v]);
  }
  return out;
}

/** Index of TFDrift's route among the root's children, found by its matcher. */
export function findOwnRoute(tree: Route, own: Route): number {
  const [label, op, value] = (own.object_matchers ?? [])[0] ?? [];
  return (tree.routes ?? []).findIndex((r) => routeMatchers(r).some(([l, o, v]) => l === label && o === op && v === value));
}

function comparableRoute(route: Route): Record<string, Json> {
  return {
    receiver: route.receiver ?? null,
    object_matchers: routeMatchers(route),
    group_by: route.group_by ?? [],
    continue: route.continue ?? false,
    mute_time_intervals: route.mute_time_intervals ?? [],
  };
}

export function diffRoute(existing: Route | undefined, desired: Route | undefined): FieldChange[] {
  return diffValues(existing ? comparableRoute(existing) : null, desired ? comparableRoute(desired) : null, 'route');
}

/**
 * The policy tree with TFDrift's route put in (replacing the old one in place, or first among
 * the children so these alerts reach their contact point before any catch-all) or taken out.
 */
export function withOwnRoute(tree: Route, own: Route, remove = false): Route {
  const routes = [...(tree.routes ?? [])];
  const index = findOwnRoute(tree, own);
  if (remove) {
    if (index >= 0) {
      routes.splice(index, 1);
    }
  } else if (index >= 0) {
    // Keep settings a user added in the UI (timings, active intervals); replace what TFDrift owns.
    const { matchers: _m, match: _mm, match_re: _mr, receiver: _r, ...kept } = routes[index];
    routes[index] = { ...kept, ...own };
  } else {
    routes.unshift(own);
  }
  return { ...tree, routes };
}
