import crypto from 'node:crypto';
import type { DriftRecord, Severity } from '../model/drift.js';
import type { AuditEvent } from '../model/event.js';
import type { DriftDraft } from './detector.js';

/** Stable across repeats of the same drift: provider, account, resource, attribute set, change type. */
export function driftId(provider: string, accountId: string | null, resourceType: string, resourceId: string, attributes: string[], changeType: string): string {
  const attrs = attributes.length === 0 ? '' : attributes.length === 1 ? attributes[0] : [...new Set(attributes)].sort().join(',');
  const key = `${provider}\u0000${accountId ?? ''}\u0000${resourceType}\u0000${resourceId}\u0000${attrs}\u0000${changeType}`;
  let id = recentIds.get(key);
  if (id === undefined) {
    id = sha256Hex(key).slice(0, 32);
    // Repeats of the same drift are the common case; hashing dominated checking them.
    if (recentIds.size >= 50_000) recentIds.clear();
    recentIds.set(key, id);
  }
  return id;
}

const recentIds = new Map<string, string>();

// crypto.hash (Node ≥20.12) skips the Hash object; ids are computed for every drift candidate.
const oneShot = (crypto as unknown as { hash?: (alg: string, data: string, enc: 'hex') => string }).hash;
const sha256Hex = oneShot ? (s: string): string => oneShot('sha256', s, 'hex') : (s: string): string => crypto.createHash('sha256').update(s).digest('hex');

export interface RecordContext {
  severity: Severity;
  suggestedFix: string | null;
  detectedAt: Date;
  version: string;
  /** `server.name`: which exporter of a fleet produced the record. */
  exporter: string;
}

/** The drift_id a draft's record will carry (cheap enough to check for repeats before building). */
export function draftDriftId(draft: DriftDraft, event: AuditEvent): string {
  const attributes = draft.changeType !== 'modified' ? [] : draft.changes.length > 0 ? draft.changes.map((c) => c.attribute) : [`event:${event.eventName}`];
  return driftId(event.provider, event.accountId, draft.resourceType, draft.resourceId, attributes, draft.changeType);
}

/** Pure: the contract's drift record for one draft. Absent values are null, never omitted. */
export function buildDriftRecord(draft: DriftDraft, event: AuditEvent, ctx: RecordContext, id = draftDriftId(draft, event)): DriftRecord {
  return {
    event_type: 'terraform_drift_detected',
    drift_id: id,
    change_type: draft.changeType,
    severity: ctx.severity,
    provider: event.provider,
    account_id: event.accountId,
    region: event.region,
    resource_type: draft.resourceType,
    resource_id: draft.resourceId,
    resource_address: draft.changeType === 'unmanaged' ? null : (draft.resource?.address ?? null),
    state_source: draft.changeType === 'unmanaged' ? null : (draft.resource?.source.location ?? null),
    changes: draft.changes.map((c) => ({ attribute: c.attribute, expected: c.expected ?? null, actual: c.actual ?? null, detail: c.detail ?? null })),
    user: {
      name: event.principal.name,
      arn: event.principal.arn,
      type: event.principal.type,
      principal_id: event.principal.principalId,
      original_user: event.principal.originalUser,
    },
    source_ip: event.sourceIp,
    user_agent: event.userAgent,
    event: { name: event.eventName, id: event.eventId, source: event.eventSource, time: normaliseTime(event.eventTime) },
    falco: event.falco ? { rule: event.falco.rule, priority: event.falco.priority, hostname: event.falco.hostname } : null,
    suggested_fix: ctx.suggestedFix,
    detected_at: ctx.detectedAt.toISOString(),
    resolution: null,
    exporter: ctx.exporter,
    source: 'tfdrift',
    version: ctx.version,
  };
}

function normaliseTime(t: string | null): string | null {
  if (!t) return null;
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(t)) return t; // CloudTrail's own form, already canonical
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? t : new Date(ms).toISOString().replace('.000Z', 'Z');
}
