import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/metrics/registry.js';
import { Pipeline } from '../../src/pipeline.js';
import { allProviders } from '../../src/providers/registry.js';
import { DriftLedger } from '../../src/detect/ledger.js';
import { readInputFile } from '../../src/ingest/records.js';
import { silentLogger } from '../../src/util/logger.js';
import { loadReplayStates } from '../../src/replay/states.js';
import { listLocal } from '../../src/archive/sources.js';
import type { ReplaySummary } from '../../src/replay/run.js';
import { DEMO_STATES } from '../helpers/cli.js';
import { cloudTrailCorpus } from '../aws/corpus.js';
import { archiveKey, captureOutput, comparable, logFile, replayCaptured, writeLocalArchive } from './helpers.js';

const states = readdirSync(DEMO_STATES).map((f) => path.join(DEMO_STATES, f));
let dir: string;

beforeAll(async () => {
  // The corpus's CloudTrail records (plus the demo's) as CloudTrail writes them: 25 per object, in the archive layout.
  const { records } = await cloudTrailCorpus();
  const demo = await cloudTrailCorpus(path.join(DEMO_STATES, '../events'));
  const all = [...demo.records, ...records].map((r) => r.raw);
  dir = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-replay-par-'));
  const objects = [];
  for (let i = 0; i < all.length; i += 25) {
    const delivered = new Date(Date.UTC(2026, 2, 29, 10, 0) + i * 60_000);
    // Calls made in the 25 minutes before the delivery, as CloudTrail's files hold them.
    const slice = all.slice(i, i + 25).map((r, j) => ({ ...(r as object), eventTime: new Date(delivered.getTime() - (25 - j) * 60_000).toISOString().replace(/\.\d+Z$/, 'Z') }));
    objects.push({ key: archiveKey(i % 50 === 0 ? '111111111111' : '032092706103', 'us-east-1', delivered, `k${i}`), body: logFile(slice) });
  }
  writeLocalArchive(dir, objects);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A summary without who read what (the only fields a parallel run may differ in). */
const withoutReaders = ({ workers: _w, readOnMainThread: _r, ...rest }: ReplaySummary) => rest;

/** What replay did before it had workers and a scanner: every item of every file through the pipeline. */
async function reference(): Promise<unknown[]> {
  const store = await loadReplayStates(states, { warn: () => {} });
  const { output, records } = captureOutput();
  const metrics = new Metrics({ defaultMetrics: false });
  const providers = allProviders();
  const pipeline = new Pipeline({ providers, states: store, outputs: [output], metrics, log: silentLogger(), ledger: new DriftLedger(Number.MAX_SAFE_INTEGER) });
  for (const o of (await listLocal([dir], { accounts: null, regions: null, since: null, until: null })).objects)
    for (const item of await readInputFile(o.path!, 'auto'))
      if (item.kind === 'record') pipeline.processRecord(providers.find((p) => p.id === item.provider)!, item.value, 'file');
  return comparable(records);
}

describe('replay on worker threads', () => {
  it('gives record for record what a single-threaded run and the pre-worker replay give, on the corpus', async () => {
    const single = await replayCaptured({ state: states, events: [dir], workers: 0, quiet: true });
    const parallel = await replayCaptured({ state: states, events: [dir], workers: 2, quiet: true });
    expect(single.records.length).toBeGreaterThanOrEqual(15);
    expect(comparable(parallel.records)).toEqual(comparable(single.records));
    expect(withoutReaders(parallel.summary)).toEqual(withoutReaders(single.summary));
    // Both kinds of reader took part: the workers, and the main thread once their queues were full.
    expect(parallel.summary.workers).toBe(2);
    expect(parallel.summary.readOnMainThread).toBeGreaterThan(0);
    expect(parallel.summary.readOnMainThread).toBeLessThan(parallel.summary.objects);
    expect(single.summary.readOnMainThread).toBe(single.summary.objects);
    expect(comparable(single.records)).toEqual(await reference());
    // Read-only calls, and calls in accounts no demo state covers, are decided before parsing.
    expect(single.summary.byReason.read_only).toBeGreaterThan(250);
    expect(single.summary.byReason.no_state_for_account).toBeGreaterThan(50);
    expect(single.exitCode).toBe(0);
  });

  it('with --since/--until skips records outside the window and never reads objects delivered before it', async () => {
    const since = '2026-03-29T16:00:00Z';
    const until = '2026-03-29T21:00:00Z';
    const listing = await listLocal([dir], { accounts: null, regions: null, since: Date.parse(since), until: Date.parse(until) });
    const all = await listLocal([dir], { accounts: null, regions: null, since: null, until: null });
    expect(listing.objects.length).toBeLessThan(all.objects.length);
    expect(listing.objects.every((o) => /T(1[6-9]|2[0-1])\d\dZ/.test(o.name))).toBe(true);
    const r = await replayCaptured({ state: states, events: [dir], since, until, workers: 2, quiet: true });
    const everything = await replayCaptured({ state: states, events: [dir], workers: 0, quiet: true });
    expect(r.records.length).toBeGreaterThan(0);
    expect(r.summary.byReason.outside_window).toBeGreaterThan(0);
    expect(r.records.length).toBeLessThan(everything.records.length);
    for (const rec of r.records) expect(Date.parse(rec.event.time!)).toBeGreaterThanOrEqual(Date.parse(since));
    for (const rec of r.records) expect(Date.parse(rec.event.time!)).toBeLessThanOrEqual(Date.parse(until));
    expect(r.summary.objects).toBe(listing.objects.length);
    const accounts = await listLocal([dir], { accounts: ['111111111111'], regions: null, since: null, until: null });
    expect(accounts.objects.length).toBeGreaterThan(0);
    expect(accounts.objects.every((o) => o.name.includes('/111111111111/'))).toBe(true);
    expect((await listLocal([dir], { accounts: null, regions: ['eu-west-1'], since: null, until: null })).objects).toEqual([]);
  });
});
