import { diffLines, diffValues, prettyValue } from './diff';
import { groupDrifts, splitByChangeType } from './drifts';
import { DEFAULT_SETTINGS, settingsFromJsonData } from './settings';
import {
  durationFor,
  formatAge,
  formatTime,
  shiftRange,
  timeRangeFromUrl,
  urlTimeValue,
  zoomOut,
} from './time';
import { parseDurationMs, retentionFromLokiConfig } from './retention';
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
  const entry = (time: number, record: DriftRecord): LogEntry => ({
    time,
    tsNs: `${time}000000`,
    labels: {},
    line: '',
    record,
  });

  it('keeps one row per drift_id with its newest detection and resolution state', () => {
    const rows = groupDrifts([
      entry(1, rec('a', 'terraform_drift_detected', 'modified', 'old')),
      entry(3, rec('a', 'terraform_drift_resolved')),
      entry(2, rec('a', 'terraform_drift_detected', 'modified', 'new')),
      entry(5, rec('b', 'terraform_drift_detected', 'unmanaged')),
      { time: 9, tsNs: '9000000', labels: {}, line: 'garbage', record: null },
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
  it('formats durations, ages and times in the given time zone', () => {
    expect(durationFor(24 * 3_600_000)).toBe('24h');
    expect(durationFor(90 * 60_000)).toBe('90m');
    expect(durationFor(90_500)).toBe('91s');
    expect(formatTime('2026-03-29T10:15:30.123Z', 'utc')).toBe('2026-03-29 10:15:30');
    expect(formatTime('2026-03-29T10:15:30.123Z', 'Asia/Tokyo')).toBe('2026-03-29 19:15:30');
    expect(formatTime(null)).toBe('—');
    expect(formatAge(7200)).toBe('2h');
    expect(formatAge(30)).toBe('30s');
    expect(formatAge(3 * 86400 + 5)).toBe('3d');
  });

  it('reads from/to as Grafana writes them: relative expressions or epoch ms', () => {
    const relative = timeRangeFromUrl({ from: 'now-6h', to: 'now' });
    expect(relative.raw).toEqual({ from: 'now-6h', to: 'now' });
    // `now` is read once per end: allow the clock to move between them.
    expect(Math.abs(relative.to.valueOf() - relative.from.valueOf() - 6 * 3_600_000)).toBeLessThan(1000);

    const absolute = timeRangeFromUrl({ from: '1700000000000', to: '1700003600000' });
    expect([absolute.from.valueOf(), absolute.to.valueOf()]).toEqual([1700000000000, 1700003600000]);
    expect(urlTimeValue(absolute.raw.from)).toBe('1700000000000');
    expect(urlTimeValue('now-7d')).toBe('now-7d');

    // Garbage and inverted ranges fall back to the defaults instead of querying nonsense.
    expect(timeRangeFromUrl({ from: 'yesterday-ish' }).raw.from).toBe('now-24h');
    expect(timeRangeFromUrl({ from: '1700003600000', to: '1700000000000' }).raw).toEqual({
      from: 'now-24h',
      to: 'now',
    });
  });

  it('shifts and zooms like the time picker buttons', () => {
    const r = timeRangeFromUrl({ from: '1700000000000', to: '1700003600000' });
    expect(shiftRange(r, -1)).toEqual({ from: '1699996400000', to: '1700000000000' });
    expect(zoomOut(r, 1800000000000)).toEqual({ from: '1699998200000', to: '1700005400000' });
  });
});

describe('Loki retention', () => {
  it('parses retention_period when retention is enabled, 0 (forever) otherwise', () => {
    expect(parseDurationMs('744h')).toBe(744 * 3_600_000);
    expect(parseDurationMs('1d12h')).toBe(36 * 3_600_000);
    expect(parseDurationMs('12x')).toBeUndefined();
    const yaml = 'compactor:\n  retention_enabled: true\nlimits_config:\n  retention_period: 2160h\n';
    expect(retentionFromLokiConfig(yaml)).toBe(90 * 86_400_000);
    expect(retentionFromLokiConfig('limits_config:\n  retention_period: 744h\n')).toBe(0);
    expect(retentionFromLokiConfig(undefined)).toBeUndefined();
  });
});
