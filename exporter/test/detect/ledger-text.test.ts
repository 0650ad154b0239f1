import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../helpers/tmp.js';
import { DriftLedger, type OpenDrift, type ResolutionKey } from '../../src/detect/ledger.js';
import type { DriftRecord } from '../../src/model/drift.js';
import { serialise } from '../../src/assess.js';
import { syntheticDrift } from '../../src/outputs/synthetic.js';

// The replay ledger keeps each open drift as its JSON text (`recordsAsText`) and takes records
// already serialised on a reader thread (`openJson`): every answer must be the one the object
// ledger gives.

const tmp = tempDirs('tfdrift-ledger-text-');

const T0 = Date.parse('2026-03-29T10:00:00Z');
const WINDOW = 60_000;

function record(id: string, over: Partial<DriftRecord>): DriftRecord {
  return { ...syntheticDrift(new Date(T0), id, 'ledger-test'), ...over };
}

/** Open drifts of several shapes: an ID that differs from the state lookup, no account, no resource ID, text that JSON escapes. */
const DRIFTS: { record: DriftRecord; key: ResolutionKey }[] = [
  {
    record: record('a000000000000001', { resource_type: 'aws_security_group', resource_id: 'sg-0123', account_id: '111111111111', severity: 'critical' }),
    key: { lookup: { field: 'id', value: 'sg-0123' }, address: 'aws_security_group.web', checks: [{ attribute: 'ingress', compare: 'set', actualHash: 'ab'.repeat(32) }] },
  },
  {
    record: record('a000000000000002', {
      change_type: 'unmanaged', resource_type: 'aws_iam_role', resource_id: 'backdoor', account_id: '111111111111', severity: 'high', resource_address: null, state_source: null,
      changes: [{ attribute: 'policy', expected: null, actual: { Statement: [{ Effect: 'Allow', Action: '*', Note: 'quote " backslash \\ é 😀 \u2028' }] }, detail: 'line\nbreak' }],
    }),
    key: { lookup: { field: 'arn', value: 'arn:aws:iam::111111111111:role/backdoor', also: { path: '/' } }, address: null, checks: [] },
  },
  {
    record: record('a000000000000003', { provider: 'gcp', account_id: null, region: null, resource_type: 'google_compute_firewall', resource_id: 'projects/p/global/firewalls/fw', severity: 'medium' }),
    key: { lookup: null, address: 'google_compute_firewall.fw', checks: [] },
  },
  {
    record: record('a000000000000004', { provider: 'azure', account_id: 'sub-1', resource_type: 'azurerm_network_security_group', resource_id: null, severity: 'medium' }),
    key: { lookup: { field: 'id', value: '/subscriptions/sub-1/resourcegroups/rg/providers/microsoft.network/networksecuritygroups/nsg' }, address: null, checks: [] },
  },
  {
    record: record('a000000000000005', { resource_type: 'aws_security_group', resource_id: 'sg-0123', account_id: '111111111111', severity: 'critical', changes: [{ attribute: 'egress', expected: [], actual: ['0.0.0.0/0'], detail: null }] }),
    key: { lookup: { field: 'id', value: 'sg-0123' }, address: 'aws_security_group.web', checks: [] },
  },
];

/** An open drift as plain data (a TextDrift is a class with a getter). */
const plain = (d: OpenDrift | undefined | null) => (d ? { record: d.record, key: d.key, firstSeen: d.firstSeen, lastSeen: d.lastSeen, occurrences: d.occurrences } : d);
const sortCounts = (c: ReturnType<DriftLedger['openCounts']>) => [...c].sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));
const ids = (ds: OpenDrift[]) => ds.map((d) => d.record.drift_id).sort();

/** Every question the pipeline asks a ledger, answered by both. */
function sameAnswers(a: DriftLedger, b: DriftLedger): void {
  expect(b.size).toBe(a.size);
  expect(b.list()).toEqual(a.list());
  expect(b.entries().map(plain)).toEqual(a.entries().map(plain));
  expect(sortCounts(b.openCounts())).toEqual(sortCounts(a.openCounts()));
  for (const { record: r, key } of DRIFTS) {
    expect(plain(b.get(r.drift_id))).toEqual(plain(a.get(r.drift_id)));
    for (const id of [r.resource_id, key.lookup?.value].filter((x): x is string => !!x))
      expect(ids(b.onResource(r.provider, r.account_id, id))).toEqual(ids(a.onResource(r.provider, r.account_id, id)));
  }
}

describe('open drifts held as JSON text (recordsAsText)', () => {
  it('answers open / repeat / onResource / close / openCounts / list exactly as the object ledger does', () => {
    const objects = new DriftLedger(WINDOW);
    const text = new DriftLedger(WINDOW, null, { recordsAsText: true });
    const both = <T>(f: (l: DriftLedger) => T): T => {
      const [x, y] = [f(objects), f(text)];
      expect(y).toEqual(x);
      return x;
    };
    // Copies: the ledgers must not depend on the caller keeping its objects.
    DRIFTS.forEach(({ record: r, key }, i) => expect(both((l) => l.open(structuredClone(r), T0 + i, structuredClone(key)))).toBe(true));
    sameAnswers(objects, text);
    for (const { record: r } of DRIFTS) expect(text.get(r.drift_id)!.record).toEqual(r);
    expect(text.list()).toEqual(DRIFTS.map((d) => d.record));

    // A repeat within the window: counted, not new; it moves to the end of the last-seen order.
    expect(both((l) => l.open(DRIFTS[0].record, T0 + 1000, DRIFTS[0].key))).toBe(false);
    expect(both((l) => l.touch(DRIFTS[1].record.drift_id, T0 + 2000))).toBe(true);
    expect(text.get(DRIFTS[0].record.drift_id)).toMatchObject({ occurrences: 2, firstSeen: T0, lastSeen: T0 + 1000 });
    expect(text.list().map((r) => r.drift_id)).toEqual([2, 3, 4, 0, 1].map((i) => DRIFTS[i].record.drift_id));
    sameAnswers(objects, text);

    // The same drift after its window: new again, seen from then on.
    expect(both((l) => l.open(DRIFTS[2].record, T0 + 2 + WINDOW, DRIFTS[2].key))).toBe(true);
    expect(text.get(DRIFTS[2].record.drift_id)).toMatchObject({ occurrences: 1, firstSeen: T0 + 2 + WINDOW });
    sameAnswers(objects, text);

    // Two drifts on one resource, found by the event's ID and by the state's lookup value.
    expect(ids(text.onResource('aws', '111111111111', 'sg-0123'))).toEqual([DRIFTS[0].record.drift_id, DRIFTS[4].record.drift_id]);
    expect(ids(text.onResource('aws', '111111111111', 'arn:aws:iam::111111111111:role/backdoor'))).toEqual([DRIFTS[1].record.drift_id]);
    expect(ids(text.onResource('aws', '111111111111', 'backdoor'))).toEqual([DRIFTS[1].record.drift_id]);
    expect(ids(text.onResource('gcp', null, 'projects/p/global/firewalls/fw'))).toEqual([DRIFTS[2].record.drift_id]);
    expect(ids(text.onResource('azure', 'sub-1', DRIFTS[3].key.lookup!.value))).toEqual([DRIFTS[3].record.drift_id]);
    expect(text.onResource('aws', '222222222222', 'sg-0123')).toEqual([]);

    // Close: the drift comes back whole, and is gone from every index.
    const closed = both((l) => plain(l.close(DRIFTS[0].record.drift_id)));
    expect(closed!.record).toEqual(DRIFTS[0].record);
    expect(both((l) => l.close(DRIFTS[0].record.drift_id))).toBeNull();
    expect(ids(text.onResource('aws', '111111111111', 'sg-0123'))).toEqual([DRIFTS[4].record.drift_id]);
    both((l) => plain(l.close(DRIFTS[1].record.drift_id)));
    expect(text.onResource('aws', '111111111111', 'backdoor')).toEqual([]);
    expect(text.onResource('aws', '111111111111', 'arn:aws:iam::111111111111:role/backdoor')).toEqual([]);
    sameAnswers(objects, text);
    expect(sortCounts(text.openCounts())).toEqual(
      sortCounts([
        { labels: { provider: 'gcp', account_id: '', change_type: 'modified', severity: 'medium' }, value: 1 },
        { labels: { provider: 'azure', account_id: 'sub-1', change_type: 'modified', severity: 'medium' }, value: 1 },
        { labels: { provider: 'aws', account_id: '111111111111', change_type: 'modified', severity: 'critical' }, value: 1 },
      ]),
    );
  });

  it('evicts the drift seen longest ago the same way (maxOpen)', () => {
    const objects = new DriftLedger(WINDOW, null, { maxOpen: 3 });
    const text = new DriftLedger(WINDOW, null, { maxOpen: 3, recordsAsText: true });
    for (const l of [objects, text]) {
      DRIFTS.slice(0, 3).forEach(({ record: r, key }, i) => l.open(r, T0 + i, key));
      l.touch(DRIFTS[0].record.drift_id, T0 + 10); // now seen last
      l.open(DRIFTS[3].record, T0 + 11, DRIFTS[3].key);
    }
    expect(text.evicted).toBe(1);
    expect(text.list().map((r) => r.drift_id)).toEqual([2, 0, 3].map((i) => DRIFTS[i].record.drift_id));
    expect(text.onResource('aws', '111111111111', 'backdoor')).toEqual([]);
    sameAnswers(objects, text);
  });
});

describe('openJson: a record already serialised on a reader thread', () => {
  /** The candidate as replay's readers send it (serialise() of an assessment). */
  const serial = ({ record: r, key }: { record: DriftRecord; key: ResolutionKey }) => serialise({ candidates: [{ record: r, key }], reasons: [], eventTime: null }).candidates[0];

  for (const asText of [false, true])
    it(`gives the answers open() gives with the object${asText ? ' (ledger holding text)' : ''}`, () => {
      const objects = new DriftLedger(WINDOW);
      const json = new DriftLedger(WINDOW, null, { recordsAsText: asText });
      DRIFTS.forEach((d, i) => {
        const c = serial(d);
        expect(c.json).toBe(JSON.stringify(d.record));
        expect(json.openJson(c.json, c.head, T0 + i, c.key)).toBe(objects.open(d.record, T0 + i, d.key));
      });
      sameAnswers(objects, json);
      for (const d of DRIFTS) expect(json.get(d.record.drift_id)!.record).toEqual(d.record);

      // A repeat within the window is deduplicated; after the window it is new again.
      const c0 = serial(DRIFTS[0]);
      expect(json.openJson(c0.json, c0.head, T0 + 500, c0.key)).toBe(false);
      expect(objects.open(DRIFTS[0].record, T0 + 500, DRIFTS[0].key)).toBe(false);
      expect(json.get(DRIFTS[0].record.drift_id)).toMatchObject({ occurrences: 2, lastSeen: T0 + 500 });
      const c2 = serial(DRIFTS[2]);
      expect(json.openJson(c2.json, c2.head, T0 + 2 + WINDOW, c2.key)).toBe(true);
      expect(objects.open(DRIFTS[2].record, T0 + 2 + WINDOW, DRIFTS[2].key)).toBe(true);
      sameAnswers(objects, json);

      // Found by resource_id and by the lookup value (the IAM role: name vs ARN).
      expect(ids(json.onResource('aws', '111111111111', 'backdoor'))).toEqual([DRIFTS[1].record.drift_id]);
      expect(ids(json.onResource('aws', '111111111111', 'arn:aws:iam::111111111111:role/backdoor'))).toEqual([DRIFTS[1].record.drift_id]);
      expect(ids(json.onResource('azure', 'sub-1', DRIFTS[3].key.lookup!.value))).toEqual([DRIFTS[3].record.drift_id]);

      // Closing one opened from text unindexes both of its keys.
      expect(json.close(DRIFTS[1].record.drift_id)!.record).toEqual(DRIFTS[1].record);
      objects.close(DRIFTS[1].record.drift_id);
      expect(json.onResource('aws', '111111111111', 'backdoor')).toEqual([]);
      expect(json.onResource('aws', '111111111111', 'arn:aws:iam::111111111111:role/backdoor')).toEqual([]);
      sameAnswers(objects, json);
    });

  it('an open() of the same drift after an openJson() is a repeat, and the other way round', () => {
    const l = new DriftLedger(WINDOW, null, { recordsAsText: true });
    const c = serial(DRIFTS[0]);
    expect(l.openJson(c.json, c.head, T0, c.key)).toBe(true);
    expect(l.open(DRIFTS[0].record, T0 + 1, DRIFTS[0].key)).toBe(false);
    expect(l.open(DRIFTS[1].record, T0 + 2, DRIFTS[1].key)).toBe(true);
    const c1 = serial(DRIFTS[1]);
    expect(l.openJson(c1.json, c1.head, T0 + 3, c1.key)).toBe(false);
    expect(l.list().map((r) => r.drift_id)).toEqual([DRIFTS[0].record.drift_id, DRIFTS[1].record.drift_id]);
    expect(l.get(DRIFTS[0].record.drift_id)!.occurrences).toBe(2);
  });

  for (const asText of [false, true])
    it(`survives a restart: reloaded from the journal, then from the snapshot, with the same record${asText ? ' (ledger holding text)' : ''}`, () => {
      const file = path.join(tmp(), 'open-drifts.json');
      const first = new DriftLedger(WINDOW, file, { recordsAsText: asText });
      for (const d of DRIFTS.slice(0, 3)) {
        const c = serial(d);
        first.openJson(c.json, c.head, T0, c.key);
      }
      first.close(DRIFTS[2].record.drift_id);
      // Only the journal holds them (the constructor folded the empty start into the snapshot).
      expect(readFileSync(`${file}.journal`, 'utf8')).toContain(DRIFTS[1].record.drift_id);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 1, drifts: [] });

      const second = new DriftLedger(WINDOW, file, { recordsAsText: asText });
      expect(second.size).toBe(2);
      for (const d of DRIFTS.slice(0, 2)) {
        expect(plain(second.get(d.record.drift_id))).toEqual({ record: d.record, key: d.key, firstSeen: T0, lastSeen: T0, occurrences: 1 });
        expect(ids(second.onResource(d.record.provider, d.record.account_id, d.key.lookup!.value))).toContain(d.record.drift_id);
      }
      expect(second.get(DRIFTS[2].record.drift_id)).toBeUndefined();
      // A repeat after the restart is still a repeat.
      const c1 = serial(DRIFTS[1]);
      expect(second.openJson(c1.json, c1.head, T0 + 10, c1.key)).toBe(false);
      second.save();

      // The constructor folded the journal into the snapshot: the records are there as objects, not text.
      const snapshot = JSON.parse(readFileSync(file, 'utf8')) as { drifts: OpenDrift[] };
      expect(snapshot.drifts.map((d) => d.record)).toEqual([DRIFTS[0].record, DRIFTS[1].record]);
      const third = new DriftLedger(WINDOW, file, { recordsAsText: !asText });
      expect(third.list()).toEqual([DRIFTS[0].record, DRIFTS[1].record]);
      expect(plain(third.get(DRIFTS[1].record.drift_id))).toEqual({ record: DRIFTS[1].record, key: DRIFTS[1].key, firstSeen: T0, lastSeen: T0 + 10, occurrences: 2 });
    });
});

describe('recordsKeptFor: only the change types a replay can close keep their record', () => {
  it('keeps whole records of modified drifts, the identity of the others; dedup, lookups and counts are unchanged', () => {
    const full = new DriftLedger(WINDOW, null, { recordsAsText: true });
    const lean = new DriftLedger(WINDOW, null, { recordsAsText: true, recordsKeptFor: ['modified'] });
    for (const [i, d] of DRIFTS.entries()) {
      const s = serialise({ candidates: [d], reasons: [], eventTime: null }).candidates[0];
      // Half through openJson (replay's readers), half through open: both honour the option.
      for (const l of [full, lean]) expect(i % 2 ? l.openJson(s.json, s.head, T0, s.key) : l.open(d.record, T0, d.key)).toBe(true);
    }
    for (const d of DRIFTS) {
      const r = d.record;
      const kept = lean.get(r.drift_id)!.record;
      if (r.change_type === 'modified') expect(kept).toEqual(r);
      else {
        expect(kept).toEqual({ drift_id: r.drift_id, provider: r.provider, account_id: r.account_id, resource_id: r.resource_id, resource_type: r.resource_type, change_type: r.change_type, severity: r.severity });
        expect(JSON.stringify(kept).length).toBeLessThan(JSON.stringify(r).length / 2);
      }
      // A repeat is a duplicate in both; the resource lookups and the open counts agree.
      expect(lean.open(r, T0 + 1, d.key)).toBe(false);
      expect(full.open(r, T0 + 1, d.key)).toBe(false);
      if (r.resource_id) expect(lean.onResource(r.provider, r.account_id, r.resource_id).map((x) => x.record.drift_id).sort()).toEqual(full.onResource(r.provider, r.account_id, r.resource_id).map((x) => x.record.drift_id).sort());
    }
    expect(sortCounts(lean.openCounts())).toEqual(sortCounts(full.openCounts()));
    expect(DRIFTS.some((d) => d.record.change_type !== 'modified')).toBe(true);
  });
});
