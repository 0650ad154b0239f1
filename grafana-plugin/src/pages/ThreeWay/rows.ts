import type { LogEntry } from '../../api/parse';
import { SEVERITIES, type DriftRecord } from '../../types/drift';
import type { SortColumn, SortState } from './threeWayFilters';

/** One detection line as a table row. */
export interface DriftRow {
  /** drift_id and Loki timestamp: a drift detected again after a resolution is a new row. */
  key: string;
  driftId: string;
  time: number;
  record: DriftRecord;
}

export function rowsOf(entries: LogEntry[]): DriftRow[] {
  const rows: DriftRow[] = [];
  for (const e of entries) {
    if (e.record) {
      rows.push({
        key: `${e.record.drift_id}@${e.tsNs}`,
        driftId: e.record.drift_id,
        time: e.time,
        record: e.record,
      });
    }
  }
  return rows;
}

const severityRank = (s: string) => {
  const i = SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]);
  return i < 0 ? SEVERITIES.length : i;
};

export function resourceLabel(r: DriftRecord): string {
  return `${r.resource_type ?? '?'} ${r.resource_id ?? r.resource_address ?? ''}`.trim();
}

const KEYS: Record<SortColumn, (r: DriftRow) => string | number> = {
  time: (r) => r.time,
  resource: (r) => resourceLabel(r.record),
  // critical first when descending
  severity: (r) => SEVERITIES.length - severityRank(r.record.severity),
  account: (r) => r.record.account_id ?? '',
  region: (r) => r.record.region ?? '',
  user: (r) => r.record.user?.name ?? '',
};

/** Rows sorted by a column; ties keep newest first. Loki's order (time, newest first) needs no sort. */
export function sortRows(rows: DriftRow[], sort: SortState): DriftRow[] {
  if (sort.column === 'time' && sort.desc) {
    return rows;
  }
  const key = KEYS[sort.column];
  const dir = sort.desc ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return c !== 0 ? c * dir : b.time - a.time;
  });
}
