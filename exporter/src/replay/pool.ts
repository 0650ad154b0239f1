import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { RecordFormat } from '../ingest/records.js';
import type { ProviderAdapter } from '../providers/types.js';
import type { DetectionConfig } from '../detect/config.js';
import type { StateIndex } from '../state/index.js';
import { assessRules } from '../assess.js';
import { type ObjectJob, processObject } from './decode.js';
import { type Batch, type TimeWindow, type TriageContext, providerLookup, readerDetection } from './triage.js';

export interface PoolOptions {
  /** 0: read and triage on the calling thread. */
  workers: number;
  format: RecordFormat;
  window: TimeWindow | null;
  /** Providers for the calling thread (workers load their own). */
  providers: ProviderAdapter[];
  /** Rules every reader assesses events with (the pipeline's `detection`), and the records' `exporter`. */
  detection: DetectionConfig;
  exporterName: string;
  /** Receives every batch in object order, then record order: results equal a single-threaded run. */
  onBatch: (job: ObjectJob, batch: Batch) => void;
  /**
   * Old-generation bound of each worker in MiB (it holds the states' index, caches and what it
   * reads); null: V8's default. Past it the worker stops with ERR_WORKER_OUT_OF_MEMORY.
   */
  workerHeapMiB?: number | null;
  /** Jobs queued per worker; beyond that this thread reads the next object itself (the reorder buffer is bounded by workers × this + 16). */
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
function spawnWorker(workerData: unknown, oldGenerationMiB: number | null): Worker {
  const here = import.meta.url;
  // A small young generation: the objects a worker makes die young, and RSS stays ~30 MiB lower per worker.
  // A bounded old generation makes V8 collect before it grows the heap (~60 MiB less RSS per worker).
  const resourceLimits = { maxYoungGenerationSizeMb: 8, ...(oldGenerationMiB ? { maxOldGenerationSizeMb: oldGenerationMiB } : {}) };
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
  private inline: TriageContext | null = null;
  /** Objects this thread read itself (every one without workers). */
  readInline = 0;

  private constructor(private readonly o: PoolOptions) {}

  static async create(o: PoolOptions): Promise<ObjectPool> {
    const pool = new ObjectPool(o);
    try {
      await Promise.all(Array.from({ length: o.workers }, () => pool.addWorker()));
    } catch (err) {
      // The workers that did start must not keep the process alive.
      await pool.close();
      throw err;
    }
    return pool;
  }

  private addWorker(): Promise<void> {
    const worker = spawnWorker({ format: this.o.format, window: this.o.window, detection: this.o.detection, exporterName: this.o.exporterName }, this.o.workerHeapMiB ?? null);
    const slot = { worker, inFlight: 0 };
    this.workers.push(slot);
    return new Promise((resolve, reject) => {
      worker.on('message', (m: { ready?: true; seq?: number; batch?: Batch; done?: boolean; fatal?: string; handBack?: true; data?: Uint8Array }) => {
        if (m.ready) return resolve();
        const p = this.pending.get(m.seq!);
        if (!p) return;
        if (m.fatal) return this.fail(new Error(`replay worker failed on ${p.job.name}: ${m.fatal}`));
        if (m.handBack) {
          // Too large for the worker's bounded heap to read whole: this thread reads it (no bound here).
          slot.inFlight--;
          this.readInline++;
          void this.readHere({ ...p.job, data: m.data ?? p.job.data }).catch((err: unknown) => this.fail(err instanceof Error ? err : new Error(String(err))));
          return;
        }
        p.batches.push(m.batch!);
        if (m.done) {
          p.done = true;
          slot.inFlight--;
        }
        this.deliver();
      });
      worker.on('error', (err: Error & { code?: string }) => {
        if (err.code === 'ERR_WORKER_OUT_OF_MEMORY')
          err = new Error(
            `a replay worker ran out of ${this.o.workerHeapMiB ? `its ${this.o.workerHeapMiB} MiB heap` : 'memory'} (the states' index and the objects it reads); run with --workers 0 to read on the main thread`,
          );
        reject(err);
        this.fail(err);
      });
      worker.on('exit', (code) => {
        // A worker that stops on its own (not through close or retire) would leave its jobs pending forever.
        if (this.closing.has(worker)) return;
        const err = new Error(`a replay worker stopped unexpectedly (exit code ${code})`);
        reject(err);
        this.fail(err);
      });
    });
  }

  private readonly closing = new Set<Worker>();

  /** Reads one job on this thread, delivering its batches in order like a worker's. */
  private readHere(job: ObjectJob): Promise<void> {
    if (!this.inline) throw new Error('replay pool: useStates() must come before the first job');
    return processObject(job, this.inline, (batch, done) => {
      const p = this.pending.get(job.seq)!;
      p.batches.push(batch);
      p.done = done;
      this.deliver();
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

  get workerCount(): number {
    return this.workers.length;
  }

  /** Stops `n` workers before the first job (the listing showed the input too small for them). */
  async retire(n: number): Promise<void> {
    const gone = this.workers.splice(Math.max(0, this.workers.length - n));
    for (const w of gone) this.closing.add(w.worker);
    await Promise.all(gone.map((w) => w.worker.terminate()));
  }

  /**
   * The loaded states, before the first job: every worker builds its own index from the snapshots
   * (detection runs where the record was read; only drifts travel back).
   */
  useStates(index: StateIndex): void {
    const rules = assessRules(this.o.detection, this.o.exporterName);
    this.inline = { format: this.o.format, window: this.o.window, providers: providerLookup(this.o.providers), detection: readerDetection(index, rules) };
    for (const w of this.workers) w.worker.postMessage({ states: index.snapshots });
  }

  private get perWorker(): number {
    return this.o.perWorker ?? 3;
  }

  /** Objects submitted but not yet delivered: the workers' queues, plus room for this thread's own reads. */
  private get capacity(): number {
    return this.workers.length * this.perWorker + 16;
  }

  /** Queues a job (its `seq` is assigned here); resolves when another may be submitted. */
  async submit(job: Omit<ObjectJob, 'seq'>): Promise<void> {
    if (this.failure) throw this.failure;
    const seq = this.submitted++;
    const full: ObjectJob = { ...job, seq };
    this.pending.set(seq, { job: full, batches: [], done: false });
    // Worker replies are macrotasks: let the loop take them before judging the queues full.
    if (this.workers.length > 0) await yieldToLoop();
    const slot = this.workers.reduce<{ worker: Worker; inFlight: number } | null>((a, b) => (b.inFlight < this.perWorker && (!a || b.inFlight < a.inFlight) ? b : a), null);
    if (slot) {
      slot.inFlight++;
      // Transfer only a buffer this job owns whole (a pooled Buffer's slab is shared): else it is copied.
      const own = full.data && full.data.byteOffset === 0 && full.data.byteLength === full.data.buffer.byteLength;
      slot.worker.postMessage(full, own ? [full.data!.buffer as ArrayBuffer] : []);
    } else {
      // Every worker has its queue full: this thread reads the object itself (it is a reader too).
      this.readInline++;
      await this.readHere(full);
    }
    while (!this.failure && this.pending.size >= this.capacity) await new Promise<void>((r) => this.waiters.push(r));
    if (this.failure) throw this.failure;
  }

  /** Resolves once every submitted job has been delivered. */
  async finish(): Promise<void> {
    while (!this.failure && this.pending.size > 0) await new Promise<void>((r) => this.waiters.push(r));
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    for (const w of this.workers) this.closing.add(w.worker);
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
