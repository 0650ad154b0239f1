import type { DriftRecord, ResolutionReason } from '../model/drift.js';
import type { StateIndex } from '../state/index.js';
import { comparator } from './compare.js';
import { stateValue, valueHash } from './detector.js';
import type { DriftLedger, OpenDrift } from './ledger.js';

export interface Closure {
  /** The record's `resolution` code. */
  code: ResolutionReason;
  /** Said in `suggested_fix` of the resolved record. */
  text: string;
}

/** What the configuration says about the state location a record names (StateStore.locationStatus). */
export type LocationStatus = (location: string) => 'loaded' | 'removed' | 'unknown';

/** Why an open drift is gone, or null when it is still open. */
export function resolutionReason(d: OpenDrift, index: StateIndex, location?: LocationStatus): Closure | null {
  const r = d.record;
  if (location && r.state_source !== null) {
    // Checked first: a state that is no longer read is not a state that caught up.
    const where = location(r.state_source);
    if (where === 'removed') return { code: 'state_removed', text: `its state source ${r.state_source} is no longer configured or no longer exists` };
    if (where === 'unknown') return null; // its source has not loaded it: keep the drift open
  }
  const lookup = d.key.lookup;
  if (!lookup || !r.resource_type) return null;
  const found = index.find(r.provider, r.account_id, [r.resource_type], lookup, r.region);
  switch (r.change_type) {
    case 'unmanaged':
      return found.length > 0 ? { code: 'imported', text: `now managed by ${found[0].address} (${found[0].source.location})` } : null;
    case 'missing': {
      const still = found.some((res) => res.address === d.key.address);
      return still ? null : { code: 'state_caught_up', text: 'no longer in state (removed, or recreated with a new ID)' };
    }
    case 'modified': {
      const res = found.find((x) => x.address === d.key.address) ?? null;
      if (!res) return { code: 'resource_left_state', text: 'resource no longer in state' };
      if (d.key.checks.length === 0) return null;
      const matches = d.key.checks.every((c) => valueHash(comparator(c.compare).normalise(stateValue(res.attributes, c.attribute))) === c.actualHash);
      return matches ? { code: 'state_caught_up', text: 'state now records the changed values' } : null;
    }
  }
}

export function resolvedRecord(d: OpenDrift, closure: Closure, now: Date): DriftRecord {
  return {
    ...d.record,
    event_type: 'terraform_drift_resolved',
    detected_at: now.toISOString(),
    suggested_fix: `Resolved: ${closure.text}.`,
    resolution: closure.code,
  };
}

/** After a state reload: close every open drift that the new state shows gone. */
export function resolveAgainstState(ledger: DriftLedger, index: StateIndex, now: Date, location?: LocationStatus): DriftRecord[] {
  const out: DriftRecord[] = [];
  for (const d of ledger.entries()) {
    const reason = resolutionReason(d, index, location);
    if (reason === null) continue;
    ledger.close(d.record.drift_id);
    out.push(resolvedRecord(d, reason, now));
  }
  return out;
}
