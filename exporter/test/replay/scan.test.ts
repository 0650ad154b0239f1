import { describe, expect, it } from 'vitest';
import { CloudTrailScanner, type ScannedRecord } from '../../src/replay/scan.js';
import { type Batch, emptyBatch, providerLookup, triageScanned } from '../../src/replay/triage.js';
import { Pipeline } from '../../src/pipeline.js';
import { Metrics } from '../../src/metrics/registry.js';
import { StateStore } from '../../src/state/store.js';
import { allProviders } from '../../src/providers/registry.js';
import { silentLogger } from '../../src/util/logger.js';
import { cloudTrailCorpus } from '../aws/corpus.js';

function scanAll(text: string, chunk = Infinity): { records: ScannedRecord[]; state: string } {
  const records: ScannedRecord[] = [];
  const s = new CloudTrailScanner((r) => records.push(r));
  let ok = true;
  for (let i = 0; i < text.length && ok; i += chunk === Infinity ? text.length : chunk) ok = s.feed(text.slice(i, i + (chunk === Infinity ? text.length : chunk)));
  if (ok) s.end();
  return { records, state: s.state };
}

const base = { eventVersion: '1.09', eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', eventTime: '2026-03-29T10:15:08Z', awsRegion: 'us-east-1' };

describe('CloudTrail log-file scanner', () => {
  it('cuts the same record slices whatever the chunk size, escapes and nesting included', () => {
    const records = [
      { ...base, requestParameters: { note: 'a "quoted" {brace} [bracket] \\ back\\"slash', nested: { readOnly: true, errorCode: 'X' } } },
      { ...base, eventName: 'DescribeInstances', readOnly: true },
      { ...base, errorCode: 'AccessDenied', errorMessage: 'no }', readOnly: false },
      { ...base, unicode: 'é中😀', readOnly: 'true' },
      42,
      { ...base, readOnly: false, errorCode: null },
    ];
    const text = `{"Records": [\n${records.map((r) => JSON.stringify(r, null, 1)).join(',\n')}\n]}\n`;
    const whole = scanAll(text);
    expect(whole.state).toBe('done');
    expect(whole.records.map((r) => JSON.parse(r.text))).toEqual(records);
    for (const chunk of [1, 2, 7, 64, 1000]) expect(scanAll(text, chunk).records).toEqual(whole.records);
    const facts = whole.records.map((r) => r.facts && { ro: r.facts.readOnlyTrue, failed: r.facts.failed, named: r.facts.named });
    expect(facts).toEqual([
      { ro: false, failed: false, named: true }, // readOnly/errorCode nested in requestParameters do not count
      { ro: true, failed: false, named: true },
      { ro: false, failed: true, named: true },
      { ro: true, failed: false, named: true },
      null,
      { ro: false, failed: false, named: true },
    ]);
  });

  it('marks keys that change how a record is read, and hands non-CloudTrail files to the general reader', () => {
    const { records } = scanAll(JSON.stringify({ Records: [{ ...base, readonly: true }, { detail: {}, 'detail-type': 'AWS API Call via CloudTrail' }] }));
    expect(records.map((r) => r.facts?.unsafe)).toEqual([true, true]);
    expect(scanAll('{"records": []}').state).toBe('other');
    expect(scanAll('[{"eventName": "x"}]').state).toBe('other');
    expect(scanAll('{"eventName": "x"}\n{"eventName": "y"}\n').state).toBe('other');
  });

  it('reports a document that ends inside the Records array', () => {
    expect(() => scanAll(`{"Records":[${JSON.stringify(base)},{"eventName":"Cut`)).toThrow(/ends inside the Records array after 1 record/);
  });

  it('drops a record before parsing only where the pipeline gives the same reason (every CloudTrail record of the corpus)', async () => {
    const { records } = await cloudTrailCorpus();
    expect(records.length).toBeGreaterThan(700);
    const metrics = new Metrics({ defaultMetrics: false });
    const providers = allProviders();
    const pipeline = new Pipeline({ providers, states: new StateStore([], metrics, silentLogger()), outputs: [], metrics, log: silentLogger() });
    const aws = providers.find((p) => p.id === 'aws')!;
    const ctx = { format: 'auto' as const, window: null, providers: providerLookup(providers), resolveEarly: true };
    let dropped = 0;
    const text = JSON.stringify({ Records: records.map((r) => r.raw) });
    const scanned = scanAll(text).records;
    expect(scanned).toHaveLength(records.length);
    for (const [i, rec] of scanned.entries()) {
      const batch: Batch = emptyBatch();
      triageScanned(batch, rec.text, rec.facts, `record ${i + 1}`, ctx);
      const outcome = pipeline.processRecord(aws, records[i].raw, 'file');
      for (const [reason, n] of Object.entries(batch.dropped)) {
        dropped += n;
        expect({ where: records[i].where, outcome }).toEqual({ where: records[i].where, outcome: { status: 'no_drift', reasons: [reason] } });
      }
      if (batch.items.length > 0) expect(batch.items[0].t).toBe('eval');
    }
    // Most of the corpus is read-only, failed, or not mapped: dropped before the main thread sees it.
    expect(dropped).toBeGreaterThan(records.length / 2);
  });
});
