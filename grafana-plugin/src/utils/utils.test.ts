import { diffLines, diffValues, prettyValue } from './diff';
import { groupDrifts, splitByChangeType } from './drifts';
import { DEFAULT_SETTINGS, settingsFromJsonData } from './settings';
import { durationFor, formatAge, formatTime, windowFor } from './time';
import type { LogEntry } from '../api/parse';
import type { DriftRecord } from '../types/drift';

describe('diff', () => {
  it('marks removed and added lines of expected vs actual', () => {
    expect(diffLines('a\nb\nc', 'a\nc\nd')).toEqual([
      { kind: 'same', text: 'a' },
      { kind: 'removed', text: 'b' },
      { kind: 'same', text: 'c' },
      { kind: 'added', text: 'd' },
    ]);
  });

  it('ignores key order and shows an added security group rule', () => {
    const expected = [{ to_port: 443, from_port: 443 }];
    const actual = [
      { from_port: 443, to_port: 443 },
      { from_port: 22, to_port: 22 },
    ];
    const lines = diffValues(expected, actual);
    expect(lines.filter((l) => l.kind === 'removed')).toEqual([]);
    expect(lines.filter((l) => l.kind === 'added').map((l) => l.text.trim())).toContain('"from_port": 22,');
    expect(prettyValue({ b: 1, a: 2 })).toBe('{\n  "a": 2,\n  "b": 1\n}');
  });

  it('diffs scalars', () => {
    expect(diffValues('t3.micro', 't3.large')).toEqual([
      { kind: 'removed', text: '"t3.micro"' },
      { kind: 'added', text: '"t3.large"' },
    ]);
  });
});

describe('groupDrifts', () => {
  const rec = (drift_id: string, event_type: string, change_type = 'modified', user = 'u'): DriftRecord =>
    ({ drift_id, event_type, change_type, user: { name: user } }) as unknown as DriftRecord;
  const entry = (time: number, record: DriftRecord): LogEntry => ({ time, labels: {}, line: '', record });

  it('keeps one row per drift_id with its newest detection and resolution state', () => {
    const rows = groupDrifts([
      entry(1, rec('a', 'terraform_drift_detected', 'modified', 'old')),
      entry(3, rec('a', 'terraform_drift_resolved')),
      entry(2, rec('a', 'terraform_drift_detected', 'modified', 'new')),
      entry(5, rec('b', 'terraform_drift_detected', 'unmanaged')),
      { time: 9, labels: {}, line: 'garbage', record: null },
    ]);
    expect(rows).toHaveLength(2);
    const a = rows.find((r) => r.driftId === 'a')!;
    expect(a.resolved).toBe(true);
    expect(a.detections).toBe(2);
    expect(a.record.user?.name).toBe('new');
    expect(a.lastSeen).toBe(3);
    const split = splitByChangeType(rows);
    expect(split.unmanaged.map((r) => r.driftId)).toEqual(['b']);
    expect(split.missing).toEqual([]);
  });
});

describe('settings', () => {
  it('defaults to the provisioned datasource uids and job', () => {
    expect(settingsFromJsonData(undefined)).toEqual({
      lokiDatasourceUid: 'loki',
      prometheusDatasourceUid: 'prometheus',
      jobLabel: 'tfdrift',
    });
    expect(settingsFromJsonData({ lokiDatasourceUid: '  ', jobLabel: 'drift ' })).toEqual({
      ...DEFAULT_SETTINGS,
      jobLabel: 'drift',
    });
    expect(settingsFromJsonData({ prometheusDatasourceUid: 'mimir' }).prometheusDatasourceUid).toBe('mimir');
  });
});

describe('time helpers', () => {
  it('computes windows, durations and labels', () => {
    expect(windowFor('1h', 10_000_000)).toEqual({ from: 10_000_000 - 3_600_000, to: 10_000_000 });
    expect(durationFor(24 * 3_600_000)).toBe('24h');
    expect(durationFor(90 * 60_000)).toBe('90m');
    expect(formatTime('2026-03-29T10:15:30.123Z')).toBe('2026-03-29 10:15:30 UTC');
    expect(formatTime(null)).toBe('—');
    expect(formatAge(7200)).toBe('2h');
    expect(formatAge(30)).toBe('30s');
    expect(formatAge(3 * 86400 + 5)).toBe('3d');
  });
});
