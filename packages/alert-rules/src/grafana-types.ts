/**
 * Shapes of Grafana's alerting provisioning HTTP API (`/api/v1/provisioning/*`), as documented
 * for Grafana 9.4+ and still served by 12.x/13.x. Only the fields TFDrift writes or reads are typed;
 * responses carry more (id, orgID, updated, provenance, ...), which the diff ignores.
 */

export interface RelativeTimeRange {
  /** Seconds before the evaluation time. */
  from: number;
  to: number;
}

export interface AlertQuery {
  refId: string;
  queryType: string;
  relativeTimeRange: RelativeTimeRange;
  /** A datasource UID, or `__expr__` for server-side expressions (reduce, threshold, math). */
  datasourceUid: string;
  model: Record<string, unknown>;
}

export type NoDataState = 'Alerting' | 'NoData' | 'OK' | 'KeepLast';
export type ExecErrState = 'Alerting' | 'Error' | 'OK' | 'KeepLast';

export interface ProvisionedAlertRule {
  uid: string;
  title: string;
  folderUID: string;
  ruleGroup: string;
  condition: string;
  data: AlertQuery[];
  noDataState: NoDataState;
  execErrState: ExecErrState;
  /** A Prometheus-style duration such as `5m` or `0s`. */
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  isPaused: boolean;
  orgID?: number;
  provenance?: string;
}

/** Body of `PUT /api/v1/provisioning/folder/{folderUid}/rule-groups/{group}`. */
export interface AlertRuleGroup {
  title: string;
  folderUid: string;
  /** Evaluation interval in seconds. */
  interval: number;
  rules: ProvisionedAlertRule[];
}

export interface TimeRange {
  start_time: string;
  end_time: string;
}

/** One Alertmanager time interval; every present field must match for the interval to match. */
export interface TimeInterval {
  times?: TimeRange[];
  weekdays?: string[];
  days_of_month?: string[];
  months?: string[];
  years?: string[];
  /** IANA time zone name; times are read in it. */
  location?: string;
}

export interface MuteTimeInterval {
  name: string;
  time_intervals: TimeInterval[];
  provenance?: string;
}

/** A node of the notification policy tree (`GET/PUT /api/v1/provisioning/policies`). */
export interface Route {
  receiver?: string;
  group_by?: string[];
  /** `[label, operator, value]` triples; the modern matcher form. */
  object_matchers?: Array<[string, string, string]>;
  /** Legacy matchers, still returned by some versions: `label=value` strings. */
  matchers?: string[];
  match?: Record<string, string>;
  match_re?: Record<string, string>;
  continue?: boolean;
  mute_time_intervals?: string[];
  active_time_intervals?: string[];
  routes?: Route[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  provenance?: string;
  [extra: string]: unknown;
}

export interface ContactPoint {
  uid?: string;
  name: string;
  type: string;
  settings?: Record<string, unknown>;
  disableResolveMessage?: boolean;
}

export interface Folder {
  uid: string;
  title: string;
  /** Grafana's answer to GET /api/folders/<uid> says what the caller may do with the folder. */
  canSave?: boolean;
  canEdit?: boolean;
}
