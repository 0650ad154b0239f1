import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDirs } from '../helpers/tmp.js';
import { ObjectPool, type PoolOptions } from '../../src/replay/pool.js';
import type { ObjectJob } from '../../src/replay/decode.js';
import type { Batch } from '../../src/replay/triage.js';
import { lazyProviders } from '../../src/replay/providers.js';
import { loadReplayStates } from '../../src/replay/states.js';
import { detectionConfigSchema } from '../../src/detect/config.js';
import { StateIndex } from '../../src/state/index.js';
import type { StateSnapshot, StateSourceInfo } from '../../src/state/model.js';
import { DEMO_EVENTS, DEMO_STATES } from '../helpers/cli.js';
import { cloudTrailCorpus } from '../aws/corpus.js';
import { ACCOUNT, archiveKey, logFile, writeLocalArchive } from './helpers.js';

const tmp = tempDirs('tfdrift-pool-');

const options = (over: Partial<PoolOptions> & Pick<PoolOptions, 'workers' | 'onBatch'>): PoolOptions => ({
  format: 'auto', window: null, providers: lazyProviders(), detection: detectionConfigSchema.parse({}), exporterName: 'pool-test', ...over,
});

const describeRecord = (i: number) => ({
  eventVersion: '1.09', eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', readOnly: true, eventTime: '2026-03-29T10:00:00Z',
  awsRegion: 'us-east-1', eventID: `read-${i}`, recipientAccountId: ACCOUNT,
});

describe('worker heap bound (workerHeapMiB)', () => {
  /** Creates a one-worker pool with the bound and reads one object: the error, wherever it surfaced, and the batches delivered. */
  async function attempt(mib: number, snapshots: readonly StateSnapshot[] = []): Promise<{ error: Error | null; at: 'create' | 'job' | null; batches: number }> {
    let batches = 0;
    let pool: ObjectPool;
    try {
      pool = await ObjectPool.create(options({ workers: 1, workerHeapMiB: mib, onBatch: () => void batches++ }));
    } catch (err) {
      return { error: err as Error, at: 'create', batches };
    }
    try {
      pool.useStates(new StateIndex(snapshots, true));
      await pool.submit({ name: 'one.json.gz', data: logFile([describeRecord(0)]) });
      await pool.finish();
      return { error: null, at: null, batches };
    } catch (err) {
      return { error: err as Error, at: 'job', batches };
    } finally {
      await pool.close();
    }
  }

  // Not tested: a bound of a few MiB, where a worker cannot even start. Node 20 reports that as
  // ERR_WORKER_OUT_OF_MEMORY, Node 24's V8 aborts the whole process (FatalOOM at isolate set-up);
  // replay never sets a bound below 64 MiB (run.ts workerHeapMiB).
  it('a worker that starts but cannot hold the states index: the job fails with the same message, nothing is delivered', async () => {
    // 100,000 resources (~4x the bound once indexed): every allocation small, so Node ends the worker
    // with ERR_WORKER_OUT_OF_MEMORY rather than V8 aborting the process (nodejs/node#47224).
    const source: StateSourceInfo = { name: 'big', location: '/tmp/big.tfstate', provider: 'aws', accountId: ACCOUNT, region: 'us-east-1' };
    const resources = Array.from({ length: 100_000 }, (_, i) => ({
      address: `aws_security_group.sg${i}`, type: 'aws_security_group', name: `sg${i}`, module: null, indexKey: null, provider: 'aws', providerAlias: null,
      attributes: { id: `sg-${i}`, name: `sg${i}`, ingress: [{ from_port: 22, to_port: 22, cidr_blocks: ['10.0.0.0/8'] }] }, sensitivePaths: [], source,
    }));
    const snapshots: StateSnapshot[] = [{ source, serial: 1, lineage: 'big', terraformVersion: '1.9.8', flavour: 'terraform', resources, dataSourcesSkipped: 0, loadedAt: 0 }];
    const { error, at, batches } = await attempt(32, snapshots);
    expect(at).toBe('job');
    expect(error!.message).toContain('ran out of its 32 MiB heap');
    expect(error!.message).toContain('--workers 0');
    expect(batches).toBe(0);
    // With an empty index a worker under the same bound reads the object: the states are what did not fit.
    expect(await attempt(32)).toEqual({ error: null, at: null, batches: 1 });
  });
});

describe('an object too large for a worker to read whole', () => {
  it('is handed back and read on the main thread: same results as without workers, no failure', async () => {
    // JSON lines (not a CloudTrail log file): the general reader needs the whole text as one string,
    // which a worker with a 32 MiB heap must not attempt (V8 would abort the process, nodejs/node#47224).
    const dir = tmp();
    const lines = Array.from({ length: 120_000 }, (_, i) => JSON.stringify({ ...describeRecord(i), requestParameters: { filter: 'x'.repeat(80) } }));
    const file = path.join(dir, 'big.jsonl');
    await writeFile(file, `${lines.join('\n')}\n`);
    const small = path.join(dir, 'small.json.gz');
    await writeFile(small, logFile([describeRecord(1)]));
    const run = async (workers: number, workerHeapMiB?: number) => {
      const seen: { seq: number; records: number; reasons: Record<string, number>; bad: number }[] = [];
      const pool = await ObjectPool.create(options({ workers, workerHeapMiB, onBatch: (job, b) => void seen.push({ seq: job.seq, records: b.records, reasons: b.reasons, bad: b.items.filter((i) => i.t === 'bad').length }) }));
      try {
        pool.useStates(new StateIndex([]));
        await pool.submit({ name: file, path: file });
        await pool.submit({ name: small, path: small });
        await pool.finish();
      } finally {
        await pool.close();
      }
      const merged = seen.reduce<Record<number, { records: number; read_only: number; bad: number }>>((acc, b) => {
        const m = (acc[b.seq] ??= { records: 0, read_only: 0, bad: 0 });
        m.records += b.records;
        m.read_only += b.reasons.read_only ?? 0;
        m.bad += b.bad;
        return acc;
      }, {});
      return { merged, order: [...new Set(seen.map((b) => b.seq))], readInline: pool.readInline };
    };
    const bounded = await run(1, 32);
    const alone = await run(0);
    expect(bounded.merged).toEqual(alone.merged);
    expect(bounded.merged[0]).toEqual({ records: 120_000, read_only: 120_000, bad: 0 });
    expect(bounded.order).toEqual([0, 1]);
    // The first object went to the worker, which handed it back: the main thread read it.
    expect(bounded.readInline).toBeGreaterThanOrEqual(1);
  });
});

describe('ObjectPool: two workers and the main thread reading', () => {
  const N = 12;
  let dir: string;
  let files: string[];
  let states: StateIndex;

  beforeAll(async () => {
    dir = tmp();
    const demo = (await cloudTrailCorpus(DEMO_EVENTS)).records.map((r) => r.raw);
    // Object k holds k + 2 records (one of the demo calls, then reads): its record count names it.
    const objects = Array.from({ length: N }, (_, k) => ({
      key: archiveKey(ACCOUNT, 'us-east-1', new Date(Date.UTC(2026, 2, 29, 10, 5 * k)), `obj${k}`),
      body: logFile([demo[k % demo.length], ...Array.from({ length: k + 1 }, (_v, j) => describeRecord(100 * k + j))]),
    }));
    files = writeLocalArchive(dir, objects).map((k) => path.join(dir, k));
    states = (await loadReplayStates(readdirSync(DEMO_STATES).map((f) => path.join(DEMO_STATES, f)), { warn: () => {} })).index;
  });

  /** A batch as comparable data: assessed records without their clock field. */
  const comparable = (job: ObjectJob, b: Batch) => ({
    seq: job.seq, name: job.name, records: b.records, noDrift: b.noDrift, unmapped: b.unmapped, reasons: b.reasons,
    items: b.items.map((it) =>
      it.t === 'assessed' ? { ...it, assessment: { ...it.assessment, candidates: it.assessment.candidates.map((c) => ({ ...c, json: { ...JSON.parse(c.json), detected_at: null } })) } } : it,
    ),
  });

  it('hands batches back in submission order, whichever reader finished first', async () => {
    // Jobs 0 and 1 (the first job of each worker) are named pipes: each worker blocks reading its
    // pipe until the test writes the object into it. Jobs 2 and 3 queue behind them; every later
    // job finds both queues full, so the main thread reads it itself, and finishes it first.
    const fifos = [0, 1].map((k) => path.join(dir, `pipe-${k}`));
    for (const f of fifos) execFileSync('mkfifo', [f]);
    const released = [false, false];
    const release = async (k: number): Promise<void> => {
      if (released[k]) return;
      released[k] = true;
      await writeFile(fifos[k], readFileSync(files[k]));
    };
    const delivered: ReturnType<typeof comparable>[] = [];
    const pool = await ObjectPool.create(options({ workers: 2, perWorker: 2, onBatch: (job, b) => void delivered.push(comparable(job, b)) }));
    try {
      pool.useStates(states);
      for (let k = 0; k < N; k++) await pool.submit(k < 2 ? { name: files[k], path: fifos[k], size: 1 } : { name: files[k], path: files[k] });
      expect(pool.readInline).toBe(N - 4);
      // Everything the main thread read is done, and held back: job 0 comes first.
      expect(delivered).toEqual([]);
      await release(1);
      await release(0);
      await pool.finish();
    } finally {
      await Promise.all([release(0), release(1)]);
      await pool.close();
    }
    expect(delivered.map((d) => d.seq)).toEqual(Array.from({ length: N }, (_, k) => k));
    expect(delivered.map((d) => d.records)).toEqual(Array.from({ length: N }, (_, k) => k + 2));

    // The same objects on the main thread alone: batch for batch the same results.
    const alone: ReturnType<typeof comparable>[] = [];
    const single = await ObjectPool.create(options({ workers: 0, onBatch: (job, b) => void alone.push(comparable(job, b)) }));
    single.useStates(states);
    for (const f of files) await single.submit({ name: f, path: f });
    await single.finish();
    await single.close();
    expect(single.readInline).toBe(N);
    expect(delivered).toEqual(alone);
    const assessed = alone.flatMap((d) => d.items.filter((i) => i.t === 'assessed'));
    expect(assessed.length).toBeGreaterThan(0);
    expect(alone.reduce((n, d) => n + (d.reasons.read_only ?? 0), 0)).toBe((N * (N + 1)) / 2);
  });

  it('delivers every object exactly once when the workers keep up (no pipes), the main thread reading only what overflows', async () => {
    const delivered: number[] = [];
    const pool = await ObjectPool.create(options({ workers: 2, onBatch: (job) => void delivered.push(job.seq) }));
    try {
      pool.useStates(states);
      for (const f of files) await pool.submit({ name: f, path: f });
      // Bytes already in memory too (S3 bodies), transferred to the worker.
      await pool.submit({ name: 'memory.json.gz', data: gzipSync(JSON.stringify({ Records: [describeRecord(9999)] })) });
      await pool.finish();
    } finally {
      await pool.close();
    }
    expect(delivered).toEqual(Array.from({ length: N + 1 }, (_, k) => k));
    // The first job always goes to a worker; how many the main thread read depends on timing.
    expect(pool.readInline).toBeLessThan(N + 1);
  });
});
