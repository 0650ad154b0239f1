import { hostname } from 'node:os';
import type { DriftRecord } from './model/drift.js';
import type { AuditEvent, ProviderId } from './model/event.js';
import type { ProviderAdapter, Resolution } from './providers/types.js';
import type { StateIndex } from './state/index.js';
import type { ResolutionKey } from './detect/ledger.js';
import { detect } from './detect/detector.js';
import { buildDriftRecord, draftDriftId } from './detect/record.js';
import { DEFAULT_SEVERITY_RULES, classifySeverity } from './detect/severity.js';
import { suggestedFix } from './detect/fix.js';
import { applyIgnoreRules, eventSuppression } from './detect/suppress.js';
import { IgnoreRules } from './detect/ignore.js';
import { type DetectionConfig, type SeverityRule, detectionConfigSchema } from './detect/config.js';
import { errorMessage } from './util/errors.js';
import { ownsAccount } from './fleet/config.js';
import { VERSION } from './version.js';

/**
 * The stateless half of the pipeline: provider resolve → suppression → detection against a state
 * index → drift records, built in full. No ledger, no outputs, no metrics, so it runs on any
 * thread (replay's workers); the pipeline commits what it returns (ledger, emit, count).
 */

/** What assessing an event needs besides the event: rules from `detection`, the exporter's name, the fleet shard. */
export interface AssessRules {
  detection: DetectionConfig;
  severityRules: SeverityRule[];
  ignore: IgnoreRules;
  exporterName: string;
  /** A fleet shard's accounts by provider (fleet/config.ts); null: every account. */
  ownedAccounts: Map<string, Set<string>> | null;
}

export function assessRules(detection: DetectionConfig = detectionConfigSchema.parse({}), exporterName?: string, ownedAccounts: Map<string, Set<string>> | null = null): AssessRules {
  return {
    detection,
    severityRules: [...detection.severity_rules, ...(detection.default_severity_rules ? DEFAULT_SEVERITY_RULES : [])],
    ignore: new IgnoreRules(detection.ignore),
    exporterName: exporterName || hostname(),
    ownedAccounts,
  };
}

/** A Terraform call on resources: their open "modified" drifts converged (the ledger decides which). */
export interface Convergence {
  provider: ProviderId;
  accountId: string | null;
  eventName: string;
  resourceIds: string[];
}

/** An event decided before detection, or ready for it. */
export type Prepared =
  /** Another shard of the fleet owns the account. */
  | { status: 'not_owned' }
  /** Not a change to evaluate (read-only, failed, Terraform's own call, …); a Terraform call may converge drifts. */
  | { status: 'suppressed'; reason: string; converge: Convergence | null }
  | { status: 'unmapped'; provider: ProviderId }
  /** `logged`: the mapping threw (an exporter fault worth a log line, not bad input). */
  | { status: 'failed'; reason: string; message: string; logged?: boolean }
  | { status: 'ready'; event: AuditEvent; resolution: Resolution };

/** Resolves the event with its provider and applies the suppressions that need no state. */
export function prepareEvent(event: AuditEvent, provider: ProviderAdapter | undefined, rules: AssessRules): Prepared {
  if (!provider) return { status: 'failed', reason: 'unknown_provider', message: `provider ${event.provider} is not enabled` };
  // Another shard of the fleet owns this account: neither drift nor unmanaged noise here.
  if (!ownsAccount(rules.ownedAccounts, event.provider, event.accountId)) return { status: 'not_owned' };
  let resolution: Resolution;
  try {
    resolution = provider.resolve(event);
  } catch (err) {
    return { status: 'failed', reason: 'mapping_error', message: errorMessage(err), logged: true };
  }
  if (resolution.status === 'ignored') return { status: 'suppressed', reason: resolution.reason, converge: null };
  if (resolution.status === 'unmapped') return { status: 'unmapped', provider: event.provider };
  if (resolution.status === 'unresolved') return { status: 'failed', reason: resolution.reason, message: `${event.eventName}: ${resolution.reason}` };
  const suppressed = eventSuppression(event, rules.detection);
  if (suppressed) {
    const converge =
      suppressed === 'terraform' && resolution.status === 'mapped'
        ? { provider: event.provider, accountId: event.accountId, eventName: event.eventName, resourceIds: resolution.changes.map((c) => c.resourceId) }
        : null;
    return { status: 'suppressed', reason: suppressed, converge };
  }
  return { status: 'ready', event, resolution };
}

/** A drift the event shows; the ledger decides whether it is new or a repeat of an open one. */
export interface Candidate {
  record: DriftRecord;
  key: ResolutionKey;
}

/** The fields of a record the ledger and the metrics read, so a serialised candidate is never parsed for them. */
export type RecordHead = Pick<DriftRecord, 'drift_id' | 'provider' | 'account_id' | 'resource_id' | 'resource_type' | 'change_type' | 'severity'>;

/**
 * A candidate as it crosses threads (replay's readers to the main thread): the record as its JSON
 * text — a string is copied, an object graph cloned field by field — and the same text is what
 * the ledger keeps and what JSON-lines outputs write.
 */
export interface SerialCandidate {
  json: string;
  head: RecordHead;
  key: ResolutionKey;
}

export interface SerialAssessment {
  candidates: SerialCandidate[];
  reasons: string[];
  eventTime: string | null;
}

export function serialise(a: Assessment): SerialAssessment {
  return {
    candidates: a.candidates.map(({ record: r, key }) => ({
      json: JSON.stringify(r),
      head: { drift_id: r.drift_id, provider: r.provider, account_id: r.account_id, resource_id: r.resource_id, resource_type: r.resource_type, change_type: r.change_type, severity: r.severity },
      key,
    })),
    reasons: a.reasons,
    eventTime: a.eventTime,
  };
}

export interface Assessment {
  candidates: Candidate[];
  /** Why drifts were not reported (matches_state, already_managed, ignore_rule, …). */
  reasons: string[];
  eventTime: string | null;
}

/**
 * Detection proper: classify against the index, then ignore rules, severity and the record.
 * `repeat` (the daemon's ledger touch) skips building records for drifts already open — repeats are
 * the common case there; without it every candidate is built and the ledger decides later.
 */
export function assessEvent(
  event: AuditEvent,
  resolution: Resolution,
  index: StateIndex,
  rules: AssessRules,
  now: Date,
  repeat?: (driftId: string, changeType: DriftRecord['change_type']) => boolean,
): Assessment {
  const detection = detect(event, resolution, index);
  const reasons = [...detection.suppressed];
  const candidates: Candidate[] = [];
  for (const raw of detection.drifts) {
    const draft = applyIgnoreRules(raw, rules.ignore);
    if (!draft) {
      reasons.push('ignore_rule');
      continue;
    }
    const id = draftDriftId(draft, event);
    if (repeat?.(id, draft.changeType)) {
      reasons.push('duplicate_open_drift');
      continue;
    }
    const record = buildDriftRecord(
      draft,
      event,
      {
        severity: classifySeverity(draft, event, rules.severityRules).severity,
        suggestedFix: suggestedFix(draft, event.eventName),
        detectedAt: now,
        version: VERSION,
        exporter: rules.exporterName,
      },
      id,
    );
    candidates.push({ record, key: { lookup: draft.lookup ?? null, address: draft.resource?.address ?? null, checks: draft.checks ?? [] } });
  }
  return { candidates, reasons, eventTime: event.eventTime };
}
