import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { processObject } from '../../src/replay/decode.js';
import { type Batch, providerLookup, readerDetection } from '../../src/replay/triage.js';
import { allProviders } from '../../src/providers/registry.js';
import { StateIndex } from '../../src/state/index.js';
import { assessRules } from '../../src/assess.js';
import { cloudTrailCorpus } from '../aws/corpus.js';

const ctx = { format: 'auto' as const, window: null, providers: providerLookup(allProviders()), detection: readerDetection(new StateIndex([]), assessRules()) };
let dir: string;
let records: unknown[];

/** Reads a file once whole and once streamed in small chunks; returns both results. */
async function both(file: string): Promise<[Batch[], Batch[]]> {
  const whole: Batch[] = [];
  const streamed: Batch[] = [];
  await processObject({ seq: 0, name: file, path: file }, ctx, (b) => void whole.push(b));
  await processObject({ seq: 0, name: file, path: file, streamAbove: 0 }, ctx, (b) => void streamed.push(b));
  return [whole, streamed];
}
const merged = (batches: Batch[]) => ({
  records: batches.reduce((n, b) => n + b.records, 0),
  items: batches.flatMap((b) => b.items),
  noDrift: batches.reduce((n, b) => n + b.noDrift, 0),
  reasons: batches.reduce<Record<string, number>>((acc, b) => {
    for (const [k, v] of Object.entries(b.reasons)) acc[k] = (acc[k] ?? 0) + v;
    return acc;
  }, {}),
});

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-decode-'));
  records = (await cloudTrailCorpus()).records.map((r) => r.raw);
});

describe('reading one object: streamed (large files) and whole give the same results', () => {
  it('a gzipped CloudTrail log file, in batches of bounded size', async () => {
    const many = Array.from({ length: 6 }, () => records).flat();
    const file = path.join(dir, 'big.json.gz');
    writeFileSync(file, gzipSync(JSON.stringify({ Records: many })));
    const [whole, streamed] = await both(file);
    expect(merged(streamed)).toEqual(merged(whole));
    expect(merged(whole).records).toBe(many.length);
    expect(Math.max(...streamed.map((b) => b.items.length))).toBeLessThanOrEqual(2000);
  });

  it('JSON lines (not a CloudTrail log file) through the general reader', async () => {
    const file = path.join(dir, 'lines.jsonl');
    writeFileSync(file, records.slice(0, 200).map((r) => JSON.stringify(r)).join('\n'));
    const [whole, streamed] = await both(file);
    expect(merged(streamed)).toEqual(merged(whole));
    expect(merged(whole).records).toBe(200);
  });

  it('a gzip stream cut short: the records before the cut are read, then the object is named', async () => {
    const file = path.join(dir, 'cut.json.gz');
    const gz = gzipSync(JSON.stringify({ Records: Array.from({ length: 20 }, () => records).flat() }));
    writeFileSync(file, gz.subarray(0, gz.length >> 1));
    const streamed: Batch[] = [];
    await processObject({ seq: 0, name: file, path: file, streamAbove: 0 }, ctx, (b) => void streamed.push(b));
    const m = merged(streamed);
    expect(m.records).toBeGreaterThan(100);
    expect(m.items.filter((i) => i.t === 'bad')).toEqual([{ t: 'bad', reason: 'bad_gzip', where: file, message: expect.stringMatching(/^corrupt gzip after \d+ record\(s\) \(unexpected end of file\)$/) }]);
  });

  it('binary content: one error, nothing else', async () => {
    const file = path.join(dir, 'blob.bin');
    writeFileSync(file, Buffer.alloc(10_000, 0));
    const [whole, streamed] = await both(file);
    for (const r of [whole, streamed]) expect(merged(r)).toEqual({ records: 0, noDrift: 0, reasons: {}, items: [{ t: 'bad', reason: 'not_text', where: file, message: 'not a text or JSON file (binary content; expected JSON, JSON lines or .json.gz)' }] });
  });
});
