import type { LogEntry } from '../../api/parse';
import type { DriftRecord } from '../../types/drift';
import { rowsOf, sortRows } from './rows';

const entry = (id: string, time: number, rec: Partial<DriftRecord>): LogEntry => ({
  time,
  tsNs: `${time}000000`,
  labels: {},
  line: '',
  record: { drift_id: id, event_type: 'terraform_drift_detected', severity: 'low', ...rec } as DriftRecord,
});

describe('three-way rows', () => {
  const rows = rowsOf([
    entry('a', 3, {
      resource_type: 'aws_s3_bucket',
      resource_id: 'b',
      severity: 'low',
      user: { name: 'zed' } as DriftRecord['user'],
    }),
    entry('b', 2, { resource_type: 'aws_iam_role', resource_id: 'r', severity: 'critical', user: null }),
    entry('c', 1, {
      resource_type: 'aws_s3_bucket',
      resource_id: 'a',
      severity: 'high',
      user: { name: 'amy' } as DriftRecord['user'],
    }),
    { time: 0, tsNs: '0', labels: {}, line: 'not json', record: null },
  ]);

  it('keeps one row per detection line, keyed by drift and time', () => {
    expect(rows.map((r) => r.key)).toEqual(['a@3000000', 'b@2000000', 'c@1000000']);
  });

  it('sorts by any column, critical first for severity descending, newest first on ties', () => {
    const ids = (column: Parameters<typeof sortRows>[1]['column'], desc: boolean) =>
      sortRows(rows, { column, desc }).map((r) => r.driftId);
    expect(ids('time', true)).toEqual(['a', 'b', 'c']);
    expect(ids('time', false)).toEqual(['c', 'b', 'a']);
    expect(ids('resource', false)).toEqual(['b', 'c', 'a']);
    expect(ids('severity', true)).toEqual(['b', 'c', 'a']);
    expect(ids('user', false)).toEqual(['b', 'c', 'a']);
  });
});
