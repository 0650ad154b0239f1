import type { ChangeType } from '../model/drift.js';
import type { AuditEvent } from '../model/event.js';
import type { ResourceChange, Resolution, TargetCandidate } from '../providers/types.js';
import { createHash } from 'node:crypto';
import type { ResourceLookup, StateIndex } from '../state/index.js';
import type { StateResource } from '../state/model.js';
import { isRecord } from '../util/paths.js';
import { applyOp, canonical, comparator, describeStatementDelta, matchesResource, semanticallyEqual } from './compare.js';
import { REDACTED, isSensitive } from './sensitive.js';

/** What resolution needs to re-check a modified attribute later, without keeping its value. */
export interface DriftCheck {
  attribute: string;
  compare: string;
  /** sha256 of the canonical actual value: secrets are never held, only compared. */
  actualHash: string;
}

export interface DriftDraft {
  changeType: ChangeType;
  resourceType: string;
  resourceId: string;
  resource: StateResource | null;
  /** `detail` says why a value is absent, or what the call did when no attribute can be named. */
  changes: { attribute: string; expected: unknown; actual: unknown; detail?: string | null }[];
  /** How the resource was found in state (for resolution after reloads). */
  lookup?: ResourceLookup;
  checks?: DriftCheck[];
}

export function valueHash(value: unknown): string {
  return createHash('sha256').update(canonical(value)).digest('hex');
}

export interface Detection {
  drifts: DriftDraft[];
  /** Reasons for resources that produced no drift (counted as suppressed/unmapped/failed). */
  suppressed: string[];
}

/** Reads `versioning.0.enabled` out of state attributes. */
export function stateValue(attributes: Record<string, unknown>, path: string): unknown {
  let node: unknown = attributes;
  for (const step of path.split('.')) {
    if (Array.isArray(node) && /^\d+$/.test(step)) node = node[Number(step)];
    else if (isRecord(node)) node = node[step];
    else return null;
    if (node === undefined) return null;
  }
  return node;
}

function compareCandidate(res: StateResource, cand: TargetCandidate, checks: DriftCheck[] = []): DriftDraft['changes'] {
  const out: DriftDraft['changes'] = [];
  for (const change of cand.changes) {
    const cmp = comparator(change.compare);
    const expected = cmp.normalise(stateValue(res.attributes, change.attribute));
    const secret = isSensitive(change.attribute, res.sensitivePaths);
    if (change.detail !== undefined) {
      // Implied by the call, value not carried: named, never compared (and never resolvable by value).
      out.push({ attribute: change.attribute, expected: secret ? REDACTED : expected, actual: null, detail: change.detail });
      continue;
    }
    // Both sides are normalised once; applyOp works on canonical forms.
    const actual = applyOp(change.op, expected, cmp.normalise(change.value));
    if (semanticallyEqual(expected, actual)) continue;
    checks.push({ attribute: change.attribute, compare: change.compare, actualHash: valueHash(actual) });
    const detail = change.op === 'add_statements' || change.op === 'remove_statements' ? describeStatementDelta(expected, actual) : null;
    out.push({ attribute: change.attribute, expected: secret ? REDACTED : expected, actual: secret ? REDACTED : actual, ...(detail && !secret ? { detail } : {}) });
  }
  return out;
}

const MAX_NAMED_PARAMETERS = 6;
const MAX_VALUE_CHARS = 80;

/** `groupName=admins, userName=bob`: the request's scalar parameters, secrets left out, bounded. */
export function requestSummary(request: unknown): string {
  const parts: string[] = [];
  const visit = (v: unknown, prefix: string, depth: number): void => {
    if (parts.length >= MAX_NAMED_PARAMETERS || depth > 2 || !isRecord(v)) return;
    for (const [k, x] of Object.entries(v)) {
      if (parts.length >= MAX_NAMED_PARAMETERS) return;
      const name = prefix ? `${prefix}.${k}` : k;
      if (isSensitive(k, []) || /policy|document|body|content|code|data$/i.test(k)) {
        if (x !== undefined && x !== null) parts.push(`${name}=(not shown)`);
      } else if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') {
        const text = String(x);
        parts.push(`${name}=${text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text}`);
      } else if (isRecord(x)) visit(x, name, depth + 1);
    }
  };
  visit(request, '', 0);
  return parts.join(', ');
}

/** The change entry of a call the table cannot tie to values: which call, on what, with which parameters. */
export function callChange(event: AuditEvent, cand: TargetCandidate, res: StateResource): DriftDraft['changes'][number] {
  const attribute = cand.callAttribute ?? `event:${event.eventName}`;
  const secret = isSensitive(attribute, res.sensitivePaths);
  const expected = cand.callAttribute ? stateValue(res.attributes, cand.callAttribute) : null;
  const summary = requestSummary(event.request);
  const detail = `${event.eventName} (${event.eventSource}) changed ${cand.callAttribute ? `${cand.callAttribute} of ` : ''}this resource${summary ? `; request: ${summary}` : ''}`;
  return { attribute, expected: secret ? REDACTED : expected, actual: null, detail };
}

/** Targets the event concerns first; those whose attributes it does not touch only as a fallback. */
function candidateOrder(change: ResourceChange): TargetCandidate[] {
  if (!change.candidates.some((c) => c.unconcerned)) return change.candidates;
  return [...change.candidates.filter((c) => !c.unconcerned), ...change.candidates.filter((c) => c.unconcerned)];
}

function evaluateChange(event: AuditEvent, change: ResourceChange, index: StateIndex, out: Detection): void {
  for (const cand of candidateOrder(change)) {
    const match = cand.match;
    const all = index.find(event.provider, event.accountId, [cand.resourceType], cand.lookup, event.region);
    const found = match ? all.filter((res) => matchesResource(res.attributes, match)) : all;
    if (found.length === 0) {
      // The state models this relation as its own resources (rules of this group, memberships of
      // this user) and holds none for what the event added: that sub-resource is unmanaged.
      if (cand.separate && all.length > 0 && cand.kind !== 'delete') {
        // What it holds (the rule, the group) rides along, so severity sees a world-open rule.
        const held = match ? [{ attribute: match.attribute ?? match.compare, expected: null, actual: comparator(match.compare).normalise(match.value), detail: `${event.eventName} added this outside the state` }] : [];
        out.drifts.push({ changeType: 'unmanaged', resourceType: cand.resourceType, resourceId: cand.unmanagedId ?? change.resourceId, resource: null, changes: held, lookup: cand.lookup });
        return;
      }
      continue;
    }
    for (const res of found) {
      if (cand.kind === 'delete') {
        out.drifts.push({ changeType: 'missing', resourceType: res.type, resourceId: change.resourceId, resource: res, changes: [], lookup: cand.lookup });
      } else if (cand.kind === 'create') {
        out.suppressed.push('already_managed');
      } else if (cand.changes.length === 0) {
        // The event changes the resource in a way the table does not break down into values:
        // the change entry names the call and what it did, never an empty list.
        out.drifts.push({ changeType: 'modified', resourceType: res.type, resourceId: change.resourceId, resource: res, changes: [callChange(event, cand, res)], lookup: cand.lookup, checks: [] });
      } else {
        const checks: DriftCheck[] = [];
        const diffs = compareCandidate(res, cand, checks);
        if (diffs.length === 0) out.suppressed.push('matches_state');
        else out.drifts.push({ changeType: 'modified', resourceType: res.type, resourceId: change.resourceId, resource: res, changes: diffs, lookup: cand.lookup, checks });
      }
    }
    return; // the first candidate type that state manages decides
  }
  if (!index.coversAccount(event.provider, event.accountId)) {
    out.suppressed.push('no_state_for_account');
    return;
  }
  if (change.kind === 'delete') {
    out.suppressed.push('unmanaged_deleted');
    return;
  }
  const primary = change.candidates.find((c) => c.resourceType === change.unmanagedType) ?? change.candidates[0];
  out.drifts.push({ changeType: 'unmanaged', resourceType: change.unmanagedType, resourceId: primary?.unmanagedId ?? change.resourceId, resource: null, changes: [], lookup: primary?.lookup });
}

/** Three-way classification of a resolved event against the loaded states. */
export function detect(event: AuditEvent, resolution: Resolution, index: StateIndex): Detection {
  const out: Detection = { drifts: [], suppressed: [] };
  if (resolution.status !== 'mapped') return out;
  for (const change of resolution.changes) evaluateChange(event, change, index, out);
  return out;
}
