import { z } from 'zod';

export const CHANGE_TYPES = ['modified', 'unmanaged', 'missing'] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const EVENT_TYPES = ['terraform_drift_detected', 'terraform_drift_resolved'] as const;
/** Why a resolved drift closed (`resolution`); null on detected records. Evictions are counted, never reported. */
export const RESOLUTIONS = ['state_caught_up', 'resource_left_state', 'terraform_call', 'imported', 'state_removed'] as const;
export type ResolutionReason = (typeof RESOLUTIONS)[number];

const nullableString = z.string().nullable();

/** The drift record contract (DESIGN.md). Strict: extra keys are a contract violation. */
export const driftRecordSchema = z.strictObject({
  event_type: z.enum(EVENT_TYPES),
  drift_id: z.string().regex(/^[0-9a-f]{16,64}$/),
  change_type: z.enum(CHANGE_TYPES),
  severity: z.enum(SEVERITIES),
  provider: z.enum(['aws', 'gcp', 'azure']),
  account_id: nullableString,
  region: nullableString,
  resource_type: z.string().min(1),
  resource_id: nullableString,
  resource_address: nullableString,
  state_source: nullableString,
  changes: z.array(z.strictObject({ attribute: z.string(), expected: z.unknown(), actual: z.unknown(), detail: nullableString })),
  user: z.strictObject({
    name: nullableString,
    arn: nullableString,
    type: nullableString,
    principal_id: nullableString,
    original_user: nullableString,
  }),
  source_ip: nullableString,
  user_agent: nullableString,
  event: z.strictObject({
    name: z.string(),
    id: nullableString,
    source: nullableString,
    time: nullableString,
  }),
  falco: z
    .strictObject({ rule: nullableString, priority: nullableString, hostname: nullableString })
    .nullable(),
  suggested_fix: nullableString,
  detected_at: z.string(),
  resolution: z.enum(RESOLUTIONS).nullable(),
  /** The exporter instance that produced the record (config `server.name`, default the host name). */
  exporter: z.string().min(1),
  source: z.literal('tfdrift'),
  version: z.string(),
});

export type DriftRecord = z.infer<typeof driftRecordSchema>;
export type DriftChange = DriftRecord['changes'][number];

/** Contract check: every key present (null, never omitted) and `changes` entries complete. */
export function validateDriftRecord(record: unknown): string[] {
  const result = driftRecordSchema.safeParse(record);
  const problems = result.success ? [] : result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  if (record && typeof record === 'object' && Array.isArray((record as DriftRecord).changes)) {
    (record as DriftRecord).changes.forEach((c, i) => {
      if (!('expected' in c) || !('actual' in c)) problems.push(`changes.${i}: expected/actual must be present`);
    });
    const r = record as DriftRecord;
    if (r.change_type === 'modified' && r.event_type === 'terraform_drift_detected' && r.changes.length === 0) problems.push('changes: never empty for modified');
    if ((r.event_type === 'terraform_drift_resolved') !== (r.resolution != null)) problems.push('resolution: set exactly on resolved records');
  }
  return problems;
}
