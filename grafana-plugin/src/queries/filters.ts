import type { StreamLabel } from '../types/drift';

/**
 * A filter value: concrete values chosen in the plugin's UI, or a Grafana template variable
 * (dashboards), which Grafana interpolates as a regex (`a|b`, or `.*` for "All").
 */
export type FilterValue = string[] | { variable: string };

/** Filters shared by every page and dashboard. Empty or missing means "any". */
export interface DriftFilters {
  provider?: FilterValue;
  account_id?: FilterValue;
  region?: FilterValue;
  severity?: FilterValue;
  change_type?: FilterValue;
  /** Not a stream label: applied after `| json`. */
  resource_type?: FilterValue;
  /** `user.name` of the record (`user_name` after `| json`); not a stream label. */
  user_name?: FilterValue;
}

export type FilterKey = keyof DriftFilters;

/** Filter keys that are Loki stream labels (and Prometheus labels of tfdrift_drifts_*). */
export const LABEL_FILTER_KEYS: Array<Extract<FilterKey, StreamLabel>> = [
  'provider',
  'account_id',
  'region',
  'severity',
  'change_type',
];

export interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

/** Quotes a value as a LogQL/PromQL double-quoted string literal. */
export function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** Escapes RE2 metacharacters so a literal value can sit inside `=~`. */
export function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One matcher for a filter: `=` for one value, `=~` for several or a template variable; none for "any". */
export function matcherFor(label: string, value: FilterValue | undefined): Matcher | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (!Array.isArray(value)) {
    return { label, op: '=~', value: `\${${value.variable}:regex}` };
  }
  const values = Array.from(new Set(value.filter((v) => v !== '')));
  if (values.length === 0) {
    return undefined;
  }
  if (values.length === 1) {
    return { label, op: '=', value: values[0] };
  }
  return { label, op: '=~', value: values.map(escapeRegex).join('|') };
}

export function renderMatcher(m: Matcher): string {
  return `${m.label}${m.op}${quote(m.value)}`;
}

/** Matchers for the label filters (never resource_type, which is not a label). */
export function labelMatchers(filters: DriftFilters): Matcher[] {
  return LABEL_FILTER_KEYS.map((key) => matcherFor(key, filters[key])).filter((m): m is Matcher => !!m);
}
