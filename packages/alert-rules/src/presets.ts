/**
 * Alert presets and per-rule tuning. The `critical`, `high` and `drift_rate` numbers are the
 * contract table in DESIGN.md ("Alert presets", from operators' tuning guides); the other rules
 * are the same in both presets because they alert on single events or exporter health.
 */

export const PRESET_NAMES = ['small', 'large'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export const RULE_KEYS = [
  'critical',
  'high',
  'drift_rate',
  'unmanaged_production',
  'iam_change',
  'public_exposure',
  'exporter_down',
  'state_stale',
  'no_state_for_account',
] as const;
export type RuleKey = (typeof RULE_KEYS)[number];

/** Rules evaluated on Loki (LogQL) and on Prometheus (PromQL). */
export const LOKI_RULES: readonly RuleKey[] = [
  'critical',
  'high',
  'drift_rate',
  'unmanaged_production',
  'iam_change',
  'public_exposure',
];
export const PROMETHEUS_RULES: readonly RuleKey[] = ['exporter_down', 'state_stale', 'no_state_for_account'];

export type AlertSeverity = 'critical' | 'high' | 'warning' | 'info';

export interface RuleTuning {
  enabled: boolean;
  /**
   * Fires when the value is strictly greater than this: a drift count for Loki rules, the number
   * of seconds since the last successful state load for `state_stale`, a count of suppressed events
   * for `no_state_for_account`. `exporter_down` fires when
   * fewer than this many exporters are up.
   */
  threshold: number;
  /** Look-back window of the query, a duration such as `5m` or `1h`. */
  window: string;
  /** How long the condition must hold before the alert fires (`0s`: at once). */
  for: string;
  /** Value of the `severity` label on the alert. */
  severity: AlertSeverity;
}

export type Tuning = Record<RuleKey, RuleTuning>;

const COMMON: Omit<Tuning, 'critical' | 'high' | 'drift_rate'> = {
  unmanaged_production: { enabled: true, threshold: 0, window: '15m', for: '0s', severity: 'high' },
  iam_change: { enabled: true, threshold: 0, window: '15m', for: '0s', severity: 'critical' },
  public_exposure: { enabled: true, threshold: 0, window: '15m', for: '0s', severity: 'critical' },
  exporter_down: { enabled: true, threshold: 1, window: '5m', for: '5m', severity: 'critical' },
  state_stale: { enabled: true, threshold: 3600, window: '10m', for: '10m', severity: 'warning' },
  // Events of an account no loaded state covers are suppressed, not reported as drift: say so.
  no_state_for_account: { enabled: true, threshold: 0, window: '15m', for: '0s', severity: 'warning' },
};

export const PRESETS: Record<PresetName, Tuning> = {
  // ~10 applies/month: any critical drift is news.
  small: {
    critical: { enabled: true, threshold: 0, window: '5m', for: '0s', severity: 'critical' },
    high: { enabled: true, threshold: 2, window: '10m', for: '0s', severity: 'high' },
    drift_rate: { enabled: true, threshold: 10, window: '1h', for: '0s', severity: 'warning' },
    ...COMMON,
  },
  // 100+ applies/month: tolerate the background of console hot-fixes.
  large: {
    critical: { enabled: true, threshold: 3, window: '10m', for: '0s', severity: 'critical' },
    high: { enabled: true, threshold: 10, window: '30m', for: '0s', severity: 'high' },
    drift_rate: { enabled: true, threshold: 50, window: '1h', for: '0s', severity: 'warning' },
    ...COMMON,
  },
};

export function isPresetName(value: unknown): value is PresetName {
  return typeof value === 'string' && (PRESET_NAMES as readonly string[]).includes(value);
}

export function isRuleKey(value: unknown): value is RuleKey {
  return typeof value === 'string' && (RULE_KEYS as readonly string[]).includes(value);
}

/** The preset's tuning with the user's edits laid over it (edits win, field by field). */
export function resolveTuning(preset: PresetName, edits: Partial<Record<RuleKey, Partial<RuleTuning>>> = {}): Tuning {
  const base = PRESETS[preset];
  const out = {} as Tuning;
  for (const key of RULE_KEYS) {
    out[key] = { ...base[key], ...stripUndefined(edits[key] ?? {}) };
  }
  return out;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
