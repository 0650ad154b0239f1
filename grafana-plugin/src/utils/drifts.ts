import type { LogEntry } from '../api/parse';
import { CHANGE_TYPES, type ChangeType, type DriftRecord } from '../types/drift';

/** One drift (one drift_id) as the three-way view lists it: its latest record and whether it is still open. */
export interface DriftRow {
  driftId: string;
  /** Latest detection (what changed, who did it). */
  record: DriftRecord;
  /** True when the latest record for this drift_id is a resolution. */
  resolved: boolean;
  detections: number;
  lastSeen: number;
}

/** Groups records by drift_id (entries newest first, as Loki returns them backward). */
export function groupDrifts(entries: LogEntry[]): DriftRow[] {
  const rows = new Map<string, DriftRow>();
  const sorted = entries.filter((e) => e.record).sort((a, b) => b.time - a.time);
  for (const { record, time } of sorted as Array<LogEntry & { record: DriftRecord }>) {
    let row = rows.get(record.drift_id);
    if (!row) {
      row = {
        driftId: record.drift_id,
        record,
        resolved: record.event_type === 'terraform_drift_resolved',
        detections: 0,
        lastSeen: time,
      };
      rows.set(record.drift_id, row);
    }
    if (record.event_type === 'terraform_drift_detected') {
      row.detections++;
      if (row.record.event_type !== 'terraform_drift_detected') {
        row.record = record; // show the details of the newest detection, not of the resolution
      }
    }
  }
  return [...rows.values()];
}

export function splitByChangeType(rows: DriftRow[]): Record<ChangeType, DriftRow[]> {
  const out = Object.fromEntries(CHANGE_TYPES.map((c) => [c, [] as DriftRow[]])) as Record<
    ChangeType,
    DriftRow[]
  >;
  for (const row of rows) {
    (out[row.record.change_type] ?? (out[row.record.change_type] = [])).push(row);
  }
  return out;
}

/** Distinct non-empty values, sorted, for filter options. */
export function distinct(values: Array<string | null | undefined>): string[] {
  return [...new Set(values.filter((v): v is string => !!v))].sort();
}
