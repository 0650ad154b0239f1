import type { DriftRecord } from '../model/drift.js';

interface OpenDrift {
  record: DriftRecord;
  firstSeen: number;
  lastSeen: number;
  occurrences: number;
}

/** Open drifts by drift_id: repeats within the window update instead of alerting again. */
export class DriftLedger {
  private readonly drifts = new Map<string, OpenDrift>();

  constructor(private readonly dedupWindowMs = 3_600_000) {}

  /** Returns true when the record is new (to be emitted), false when it updated an open drift. */
  open(record: DriftRecord, now: number): boolean {
    const existing = this.drifts.get(record.drift_id);
    if (existing && now - existing.lastSeen < this.dedupWindowMs) {
      existing.lastSeen = now;
      existing.occurrences++;
      existing.record = record;
      return false;
    }
    this.drifts.set(record.drift_id, { record, firstSeen: now, lastSeen: now, occurrences: 1 });
    return true;
  }

  list(): DriftRecord[] {
    return [...this.drifts.values()].map((d) => d.record);
  }

  entries(): OpenDrift[] {
    return [...this.drifts.values()];
  }

  close(driftId: string): DriftRecord | null {
    const d = this.drifts.get(driftId);
    if (!d) return null;
    this.drifts.delete(driftId);
    return d.record;
  }

  openCounts(): { labels: { provider: string; account_id: string; change_type: string; severity: string }; value: number }[] {
    const counts = new Map<string, { labels: { provider: string; account_id: string; change_type: string; severity: string }; value: number }>();
    for (const { record: r } of this.drifts.values()) {
      const labels = { provider: r.provider, account_id: r.account_id ?? '', change_type: r.change_type, severity: r.severity };
      const key = JSON.stringify(labels);
      const c = counts.get(key);
      if (c) c.value++;
      else counts.set(key, { labels, value: 1 });
    }
    return [...counts.values()];
  }
}
