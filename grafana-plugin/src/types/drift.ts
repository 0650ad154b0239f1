/**
 * The drift record, exactly as DESIGN.md fixes it: one JSON object per drift, identical on the
 * exporter's stdout (jsonl) and as the Loki log line. Absent values are null, never omitted.
 */
export type ChangeType = 'modified' | 'unmanaged' | 'missing';
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export type DriftEventType = 'terraform_drift_detected' | 'terraform_drift_resolved';

export const CHANGE_TYPES: ChangeType[] = ['unmanaged', 'missing', 'modified'];
export const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
export const PROVIDERS = ['aws', 'gcp', 'azure'] as const;

export interface AttributeChange {
  attribute: string;
  expected: unknown;
  actual: unknown;
  /** Why `actual` is null, or what the call did when no attribute can be named. */
  detail: string | null;
}

export interface DriftUser {
  name: string | null;
  arn: string | null;
  type: string | null;
  principal_id: string | null;
  original_user: string | null;
}

export interface DriftAuditEvent {
  name: string | null;
  id: string | null;
  source: string | null;
  time: string | null;
}

export interface DriftFalco {
  rule: string | null;
  priority: string | null;
  hostname: string | null;
}

export interface DriftRecord {
  event_type: DriftEventType;
  drift_id: string;
  change_type: ChangeType;
  severity: Severity;
  provider: string;
  account_id: string | null;
  region: string | null;
  resource_type: string | null;
  resource_id: string | null;
  resource_address: string | null;
  state_source: string | null;
  changes: AttributeChange[];
  user: DriftUser | null;
  source_ip: string | null;
  user_agent: string | null;
  event: DriftAuditEvent | null;
  falco: DriftFalco | null;
  suggested_fix: string | null;
  detected_at: string;
  /** Why a resolved drift closed (state_caught_up, resource_left_state, terraform_call, imported, state_removed); null when detected. */
  resolution: string | null;
  /** The exporter instance (of a fleet) that produced the record. */
  exporter: string;
  source: string;
  version: string | null;
}

/** The Loki stream labels DESIGN.md fixes; every other record field is reached with `| json`. */
export const STREAM_LABELS = ['job', 'provider', 'account_id', 'region', 'severity', 'change_type'] as const;
export type StreamLabel = (typeof STREAM_LABELS)[number];
