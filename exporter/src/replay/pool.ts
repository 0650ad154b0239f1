import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RecordFormat } from '../ingest/records.js';
import type { ProviderAdapter } from '../providers/types.js';
import { type ObjectJob, processObject } from './decode.js';
import { providerLookup } from './triage.js';
import type { Batch, TimeWindow } from './triage.js';

export interface PoolOptions {
  /** 0: read and triage on the calling thread. */
  workers: number;
  format: RecordFormat;
  window: TimeWindow | null;
  /** Providers for the calling thread (workers load their own). */
  providers: ProviderAdapter[];
  /** Receives every batch in object order, then record order: results equal a single-threaded run. */
  onBatch: (job: ObjectJob, batch: Batch) => void;
  /** Jobs in flight per worker (the reorder buffer is bounded by workers × this). */
  perWorker?: number;
}

interface Pending {
  job: ObjectJob;
  batches: Batch[];
  done: boolean;
}

/**
 * The worker script: compiled JavaScript next to this file, or — when running from TypeScript
 * sources (tests, benchmarks) — the .ts file loaded through tsx, which a Worker cannot do alone.
 */
function spawnWorker(workerData: unknown): Worker {
  const here = import.meta.url;
  // A small young generation: the objects a worker makes die young, and RSS stays ~30 MiB lower per worker.
  const resourceLimits = { maxYoungGenerationSizeMb: 8 };
  if (!here.endsWith('.ts')) return new Worker(new URL('./worker.js', here), { workerData, resourceLimits });
  const tsx = pathToFileURL(createRequire(here).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const entry = new URL('./worker.ts', here).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData, resourceLimits });
}

/** Runs object jobs on worker threads (or inline) and hands results back in submission order. */
export class ObjectPool {
  private readonly workers: { worker: Worker; inFlight: number }[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextSeq = 0;
  private submitted = 0;
  private waiters: (() => void)[] = [];
  private failure: Error | null = null;

  private constructor(private readonly o: PoolOptions) {}

  static async create(o: PoolOptions): Promise<ObjectPool> {
    const pool = new ObjectPool(o);
    await Promise.all(Array.from({ length: o.workers }, () => pool.addWorker()));
    return pool;
  }

  private addWorker(): Promise<void> {
    const worker = spawnWorker({ format: this.o.format, window: this.o.window });
    const slot = { worker, inFlight: 0 };
    this.workers.push(slot);
    return new Promise((resolve, reject) => {
      worker.on('message', (m: { ready?: true; seq?: number; batch?: Batch; done?: boolean; fatal?: string }) => {
        if (m.ready) return resolve();
        const p = this.pending.get(m.seq!);
        if (!p) return;
        if (m.fatal) return this.fail(new Error(`replay worker failed on ${p.job.name}: ${m.fatal}`));
        p.batches.push(m.batch!);
        if (m.done) {
          p.done = true;
          slot.inFlight--;
        }
        this.deliver();
      });
      worker.on('error', (err) => {
        reject(err);
        this.fail(err);
      });
    });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiters.splice(0)) w();
  }

  /** Hands over everything that is next in order. */
  private deliver(): void {
    for (;;) {
      const p = this.pending.get(this.nextSeq);
      if (!p) break;
      for (const b of p.batches.splice(0)) this.o.onBatch(p.job, b);
      if (!p.done) break;
      this.pending.delete(this.nextSeq++);
    }
    for (const w of this.waiters.splice(0)) w();
  }

  private get capacity(): number {
    return this.workers.length * (this.o.perWorker ?? 3);
  }

  /** Queues a job (its `seq` is assigned here); resolves when another may be submitted. */
  async submit(job: Omit<ObjectJob, 'seq'>): Promise<void> {
    if (this.failure) throw this.failure;
    const seq = this.submitted++;
    const full: ObjectJob = { ...job, seq };
    this.pending.set(seq, { job: full, batches: [], done: false });
    if (this.workers.length === 0) {
      await processObject(full, { format: this.o.format, window: this.o.window, providers: providerLookup(this.o.providers), resolveEarly: false }, (batch, done) => {
        const p = this.pending.get(seq)!;
        p.batches.push(batch);
        p.done = done;
        this.deliver();
      });
      return;
    }
    const slot = this.workers.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
    slot.inFlight++;
    // Transfer only a buffer this job owns whole (a pooled Buffer's slab is shared): else it is copied.
    const own = full.data && full.data.byteOffset === 0 && full.data.byteLength === full.data.buffer.byteLength;
    slot.worker.postMessage(full, own ? [full.data!.buffer as ArrayBuffer] : []);
    while (!this.failure && this.pending.size >= this.capacity) await new Promise<void>((r) => this.waiters.push(r));
    if (this.failure) throw this.failure;
  }

  /** Resolves once every submitted job has been delivered. */
  async finish(): Promise<void> {
    while (!this.failure && this.pending.size > 0) await new Promise<void>((r) => this.waiters.push(r));
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
