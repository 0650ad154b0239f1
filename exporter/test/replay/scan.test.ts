import { describe, expect, it } from 'vitest';
import { CloudTrailScanner, type ScannedRecord, recordText } from '../../src/archive/scan.js';
import { type Batch, emptyBatch, providerLookup, readerDetection, triageScanned } from '../../src/replay/triage.js';
import { Pipeline } from '../../src/pipeline.js';
import { Metrics } from '../../src/metrics/registry.js';
import { allProviders } from '../../src/providers/registry.js';
import { silentLogger } from '../../src/util/logger.js';
import { cloudTrailCorpus } from '../aws/corpus.js';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { DriftLedger } from '../../src/detect/ledger.js';
import { assessRules } from '../../src/assess.js';
import { loadReplayStates } from '../../src/replay/states.js';
import type { ProcessOutcome } from '../../src/pipeline.js';
import { DEMO_STATES } from '../helpers/cli.js';
import type { Output } from '../../src/outputs/types.js';
import { captureOutput } from './helpers.js';

type Summary = { status: 'drift'; records: unknown[] } | { status: 'no_drift'; reasons: string[] } | { status: 'failed'; reason: string } | { status: 'held' };

/** An outcome without the clock (detected_at), reasons sorted. */
function summarise(o: ProcessOutcome): Summary {
  if (o.status === 'drift') return { status: 'drift', records: o.records.map((r) => ({ ...r, detected_at: null })) };
  if (o.status === 'no_drift') return { status: 'no_drift', reasons: [...o.reasons].sort() };
  if (o.status === 'failed') return { status: 'failed', reason: o.reason };
  return { status: 'held' };
}

/** Scans the text's UTF-8 bytes fed in chunks of `chunk` bytes (so chunks split multi-byte characters too). */
function scanAll(text: string, chunk = Infinity): { records: ScannedRecord[]; state: string } {
  const records: ScannedRecord[] = [];
  // Copied: the scanner reuses its record object and buffers once the callback returns.
  const s = new CloudTrailScanner((r) =>
    records.push({
      source: Buffer.from(r.source.subarray(r.start, r.end)),
      start: 0,
      end: r.end - r.start,
      index: r.index,
      // Offsets into the buffer move with the copy.
      facts: r.facts && { ...r.facts, recipientStart: r.facts.recipientStart < 0 ? -1 : r.facts.recipientStart - r.start, recipientEnd: r.facts.recipientEnd < 0 ? -1 : r.facts.recipientEnd - r.start },
    }),
  );
  const bytes = Buffer.from(text, 'utf8');
  const step = chunk === Infinity ? Math.max(1, bytes.length) : chunk;
  let ok = true;
  for (let i = 0; i < bytes.length && ok; i += step) ok = s.feed(bytes.subarray(i, i + step));
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
    expect(whole.records.map((r) => JSON.parse(recordText(r)))).toEqual(records);
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

  it('reading and assessing on the reader, then committing on the main thread, equals the pipeline record for record (every CloudTrail record of the corpus, demo states)', async () => {
    const { records } = await cloudTrailCorpus();
    expect(records.length).toBeGreaterThan(700);
    const states = await loadReplayStates(readdirSync(DEMO_STATES).map((f) => path.join(DEMO_STATES, f)), { warn: () => {} });
    const pipelineOf = (providers = allProviders(), outputs: Output[] = []) => {
      const metrics = new Metrics({ defaultMetrics: false });
      return new Pipeline({ providers, states, outputs, metrics, log: silentLogger(), ledger: new DriftLedger(Number.MAX_SAFE_INTEGER, null, { recordsAsText: true }), exporterName: 'scan-test' });
    };
    const reference = pipelineOf();
    const aws = allProviders().find((p) => p.id === 'aws')!;
    const readerProviders = allProviders();
    // The main thread's side: its ledger, and what it emits (records arrive serialised).
    const emitted = captureOutput();
    const main = pipelineOf(readerProviders, [emitted.output]);
    const ctx = { format: 'auto' as const, window: null, providers: providerLookup(readerProviders), detection: readerDetection(states.index, assessRules(undefined, 'scan-test')) };
    let beforeParse = 0;
    let uncovered = 0;
    let onReader = 0;
    let drifts = 0;
    const text = JSON.stringify({ Records: records.map((r) => r.raw) });
    const scanned = scanAll(text).records;
    expect(scanned).toHaveLength(records.length);
    for (const [i, rec] of scanned.entries()) {
      const batch: Batch = emptyBatch();
      triageScanned(batch, rec, 'corpus', ctx);
      const expected = summarise(reference.processRecord(aws, records[i].raw, 'file'));
      expect(batch.records).toBe(1);
      let got: unknown;
      const raw = records[i].raw as { recipientAccountId?: unknown };
      if (batch.items.length === 0 && typeof raw.recipientAccountId === 'string' && !states.index.coversAccount('aws', raw.recipientAccountId) && rec.facts!.named && !rec.facts!.unsafe && !rec.facts!.readOnlyTrue && !rec.facts!.failed) {
        // Decided unread, in an account no state covers: whatever the pipeline's reason, it is never drift.
        uncovered++;
        expect({ where: records[i].where, reasons: batch.reasons }).toEqual({ where: records[i].where, reasons: { no_state_for_account: 1 } });
        expect({ where: records[i].where, drift: expected.status === 'drift' }).toEqual({ where: records[i].where, drift: false });
        continue;
      }
      if (batch.items.length === 0) {
        expect(batch.noDrift).toBe(1);
        onReader++;
        if (rec.facts && (batch.reasons.read_only || batch.reasons.failed_call)) beforeParse++;
        got = { status: 'no_drift', reasons: Object.entries(batch.reasons).flatMap(([r, n]) => Array<string>(n).fill(r)).sort() };
      } else {
        expect(batch.items).toHaveLength(1);
        const item = batch.items[0];
        if (item.t === 'assessed') {
          const before = emitted.records.length;
          const { emitted: n, reasons } = main.commitSerial(item.assessment);
          expect(emitted.records.length - before).toBe(n);
          got = n > 0 ? { status: 'drift', records: emitted.records.slice(before).map((r) => ({ ...r, detected_at: null })) } : { status: 'no_drift', reasons: [...reasons].sort() };
        }
        else if (item.t === 'converge') got = summarise(main.conclude(item.prepared));
        else throw new Error(`${records[i].where}: unexpected ${item.t} item`);
      }
      if (expected.status === 'failed') expect({ where: records[i].where, got }).toEqual({ where: records[i].where, got: { status: 'no_drift', reasons: [expected.reason] } });
      else expect({ where: records[i].where, got }).toEqual({ where: records[i].where, got: expected });
      if (expected.status === 'drift') drifts += expected.records.length;
    }
    // Most of the corpus is read-only, failed, or not mapped: decided on the reader, most of it before JSON.parse.
    expect(onReader).toBeGreaterThan(records.length / 2);
    expect(beforeParse).toBeGreaterThan(records.length / 3);
    expect(drifts).toBeGreaterThanOrEqual(10);
    expect(uncovered).toBeGreaterThan(10);
  });
});
