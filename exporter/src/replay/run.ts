import { statSync } from 'node:fs';
import os, { hostname } from 'node:os';
import { Metrics } from '../metrics/registry.js';
import { Pipeline, type ProcessOutcome } from '../pipeline.js';
import type { StateIndex } from '../state/index.js';
import { lazyProviders } from './providers.js';
import { stdoutOutput } from '../outputs/stdout.js';
import type { Output } from '../outputs/types.js';
import type { RecordFormat } from '../ingest/records.js';
import { DriftLedger } from '../detect/ledger.js';
import { detectionConfigSchema } from '../detect/config.js';
import { silentLogger } from '../util/logger.js';
import { errorMessage } from '../util/errors.js';
import { CliError } from '../cli/exit.js';
import { ObjectPool } from './pool.js';
import type { ObjectJob } from './decode.js';
import type { Batch, TimeWindow } from './triage.js';
import { type Listing, listInputs } from '../archive/sources.js';
import type { ArchiveFilters } from '../archive/layout.js';
import { loadReplayStates } from './states.js';
import { Progress } from './progress.js';
import { REPLAY_EXIT, errorText, formatError, exitCodeFor } from './exit.js';

export interface ReplayOptions {
  state: string[];
  events: string[];
  format: RecordFormat;
  output: 'jsonl' | 'pretty';
  failOnDrift?: boolean;
  strict?: boolean;
  config?: string;
  accountId?: string;
  quiet?: boolean;
  /** ISO times or durations ago ("24h", "7d"); records outside are skipped, archive folders and objects pruned. */
  since?: string;
  until?: string;
  /** Archive filters (AWSLogs/ACCOUNT/CloudTrail/REGION/...). */
  account?: string[];
  region?: string[];
  /** Worker threads; 0 = on the main thread; default: automatic. */
  workers?: number;
  /** Parallel S3 requests. */
  concurrency?: number;
  /** Where progress goes (a TTY shows it); default stderr. */
  progressStream?: NodeJS.WriteStream;
}

export interface ReplaySummary {
  /** Files or objects read. */
  objects: number;
  records: number;
  /** Records that produced at least one drift record. */
  withDrift: number;
  /** Drift records emitted (an event can touch several resources). */
  drifts: number;
  /** Records that could not be read (invalid JSON, not a record, corrupt file): exit 2. */
  badInput: number;
  /** Read and evaluated (or skipped on purpose) without drift; reasons in byReason. */
  noDrift: number;
  unmapped: number;
  byReason: Record<string, number>;
  /** S3 GET time summed over requests in flight (ms). */
  fetchMs: number;
  /** Time the reader stood waiting for an S3 body (ms): what fetching cost the run. */
  fetchWaitMs: number;
  /** S3 objects fetched and their bytes. */
  fetched: number;
  fetchedBytes: number;
  /** Worker threads that read besides the main thread, and the objects the main thread read itself. */
  workers: number;
  readOnMainThread: number;
}

/** Parses `--since/--until`: an ISO 8601 time, or a duration before now (`90m`, `24h`, `7d`). */
export function parseTime(value: string, flag: string, now = Date.now()): number {
  const ago = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/.exec(value.trim());
  if (ago) return now - Number(ago[1]) * { s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5 }[ago[2] as 's']!;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new CliError(errorText(flag, `"${value}" is not a time`, 'ISO 8601 such as 2026-03-29T10:00:00Z, or a duration ago such as 24h or 7d'));
  return t;
}

/** Workers for a large input: one per core besides this thread (which reads too), at most 8. */
function maxAutoWorkers(): number {
  return Math.max(0, Math.min(8, os.availableParallelism() - 1));
}

/** Whether the inputs may be large enough for workers: a folder or an S3 prefix (one file never is worth it). */
function mayBeLarge(events: string[]): boolean {
  return events.some((e) => {
    if (/^s3:\/\//i.test(e)) return true;
    try {
      return statSync(e).isDirectory();
    } catch {
      return false;
    }
  });
}

/** Automatic worker count: none for small inputs (start-up would cost more), else maxAutoWorkers(). */
function autoWorkers(listing: Listing): number {
  // A worker costs about half a second of CPU to start (modules, mapping tables): below ~150,000
  // compressed CloudTrail records (~16 MiB of .json.gz) one thread finishes sooner.
  const bytes = listing.objects.reduce((n, o) => n + o.size, 0);
  if (listing.objects.length < 4 || bytes < 16 * 1024 * 1024) return 0;
  return maxAutoWorkers();
}

/**
 * A worker's heap bound from the local state files' size (a state's index takes about three times
 * its JSON): 64 MiB for the rest. Unknown sizes (remote states, globs): V8's default, no bound.
 */
function workerHeapMiB(states: string[]): number | null {
  let bytes = 0;
  for (const src of states) {
    if (/^[a-z0-9+]+:\/\//i.test(src) || /[*?[]/.test(src)) return null;
    try {
      bytes += statSync(src).size;
    } catch {
      return null; // named by the state loader
    }
  }
  return Math.ceil(64 + (4 * bytes) / 2 ** 20);
}

/** Offline evaluation: audit records from files, folders or S3 against states; drift records on the output. */
export async function runReplay(opts: ReplayOptions, output: Output = stdoutOutput(opts.output, process.stdout, undefined, true)): Promise<{ summary: ReplaySummary; exitCode: number }> {
  const now = Date.now();
  const window: TimeWindow | null =
    opts.since || opts.until ? { since: opts.since ? parseTime(opts.since, '--since', now) : null, until: opts.until ? parseTime(opts.until, '--until', now) : null } : null;
  if (window && window.since !== null && window.until !== null && window.since > window.until) throw new CliError(errorText('--since', 'is after --until'));
  const filters: ArchiveFilters = {
    accounts: opts.account?.length ? opts.account : null,
    regions: opts.region?.length ? opts.region : null,
    since: window?.since ?? null,
    until: window?.until ?? null,
  };
  const providers = lazyProviders();
  const detection = detectionConfigSchema.parse({});
  const exporterName = hostname();
  // Workers start (and load their mapping tables) while the inputs are listed and the states load:
  // as many as an archive of this shape may use; those the listing shows to be too many stop again.
  let onBatch: (job: ObjectJob, batch: Batch) => void = () => {};
  const spawned = opts.workers ?? (mayBeLarge(opts.events) ? maxAutoWorkers() : 0);
  const poolReady = ObjectPool.create({ workers: spawned, format: opts.format, window, providers, detection, exporterName, workerHeapMiB: workerHeapMiB(opts.state), onBatch: (job, batch) => onBatch(job, batch) });
  let listing: Listing;
  try {
    listing = await listInputs(opts.events, filters, { concurrency: opts.concurrency ?? 16 });
  } catch (err) {
    await poolReady.then((p) => p.close(), () => {});
    throw err;
  }
  const summary: ReplaySummary = { objects: 0, records: 0, withDrift: 0, drifts: 0, badInput: 0, noDrift: 0, unmapped: 0, byReason: {}, fetchMs: 0, fetchWaitMs: 0, fetched: 0, fetchedBytes: 0, workers: 0, readOnMainThread: 0 };
  const count = (reason: string, n = 1): void => void (summary.byReason[reason] = (summary.byReason[reason] ?? 0) + n);
  const report = (where: string, message: string): void => void process.stderr.write(`${formatError(where, message)}\n`);

  for (const e of listing.errors) {
    summary.badInput++;
    count('unreadable_input');
    report(e.where, e.message);
  }
  const progress = new Progress(opts.progressStream ?? process.stderr, !opts.quiet, listing.objects.length, listing.objects.reduce((n, o) => n + o.size, 0));

  const tally = (outcome: ProcessOutcome): void => {
    if (outcome.status === 'drift') {
      summary.withDrift++;
      summary.drifts += outcome.records.length;
    } else if (outcome.status === 'no_drift') {
      summary.noDrift++;
      for (const r of outcome.reasons) count(r);
      if (outcome.reasons.includes('unmapped')) summary.unmapped++;
    } else if (outcome.status === 'held') summary.noDrift++;
    else {
      // Read, but not evaluable (e.g. no resource ID in the record): counted, not an input error.
      summary.noDrift++;
      count(outcome.reason);
    }
  };
  onBatch = (_job: ObjectJob, batch: Batch): void => {
    summary.records += batch.records;
    summary.noDrift += batch.noDrift;
    summary.unmapped += batch.unmapped;
    for (const [reason, n] of Object.entries(batch.reasons)) count(reason, n);
    for (const item of batch.items) {
      if (item.t === 'bad') {
        summary.badInput++;
        count(item.reason);
        report(item.where, item.message);
      } else if (item.t === 'assessed') {
        const { emitted, reasons } = pipeline!.commitSerial(item.assessment);
        if (emitted > 0) {
          summary.withDrift++;
          summary.drifts += emitted;
        } else tally({ status: 'no_drift', reasons });
      }
      else if (item.t === 'converge') tally(pipeline!.conclude(item.prepared));
      else tally(pipeline!.processEvent(item.event));
    }
    progress.update(summary.records, summary.drifts);
  };

  const workers = opts.workers ?? Math.min(spawned, autoWorkers(listing));
  let pipeline: Pipeline | null = null;
  let index: StateIndex | null = null;

  try {
    const states = await loadReplayStates(opts.state, { accountId: opts.accountId, config: opts.config, warn: (m) => process.stderr.write(`${m}\n`) });
    index = states.index;
    pipeline = new Pipeline({ providers, states, outputs: [output], metrics: new Metrics({ defaultMetrics: false }), log: silentLogger(), ledger: new DriftLedger(Number.MAX_SAFE_INTEGER, null, { recordsAsText: true, recordsKeptFor: ['modified'] }), detection, exporterName });
  } catch (err) {
    listing.close();
    await poolReady.then((p) => p.close(), () => {});
    throw err;
  }
  const pool = await poolReady;
  await pool.retire(pool.workerCount - workers);
  pool.useStates(index!);
  try {
    await feed(pool, listing, opts.concurrency ?? 16, summary, progress);
    await pool.finish();
  } finally {
    await pool.close();
    listing.close();
  }
  await pipeline.flush();
  progress.done();
  summary.objects = listing.objects.length;
  summary.workers = workers;
  summary.readOnMainThread = pool.readInline;

  const empty = summary.records === 0 && summary.badInput === 0;
  if (empty) {
    const what = window || filters.accounts || filters.regions ? 'no audit records for these --since/--until/--account/--region filters' : 'no audit records in the input';
    process.stderr.write(`${formatError('--events', what, 'an empty input exits 2: it usually means a wrong path, prefix or window')}\n`);
  }
  if (!opts.quiet) {
    const reasons = Object.entries(summary.byReason).sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r}=${n}`).join(' ');
    process.stderr.write(
      `tfdrift replay: ${summary.objects} ${listing.noun}(s), ${summary.records} records: ${summary.withDrift} with drift (${summary.drifts} drift record(s)), ${summary.noDrift} without drift, ${summary.badInput} bad${reasons ? ` (${reasons})` : ''}\n`,
    );
    if (workers > 0)
      process.stderr.write(`tfdrift replay: read on ${workers + 1} threads: the main thread read ${summary.readOnMainThread} ${listing.noun}(s), ${workers} worker(s) ${summary.objects - summary.readOnMainThread}\n`);
    if (summary.fetched > 0)
      process.stderr.write(
        `tfdrift replay: S3: ${summary.fetched} object(s), ${(summary.fetchedBytes / 2 ** 20).toFixed(1)} MiB in ${listing.listRequests} listing request(s) and ${summary.fetched} GET(s); GET time ${(summary.fetchMs / 1000).toFixed(1)} s summed over the requests in flight, readers waited ${(summary.fetchWaitMs / 1000).toFixed(1)} s\n`,
      );
  }
  return { summary, exitCode: exitCodeFor({ bad: summary.badInput > 0 || empty, unmapped: summary.unmapped, drifts: summary.drifts, strict: opts.strict, failOnDrift: opts.failOnDrift }) };
}

/** Submits objects in order; S3 bodies are fetched ahead, `concurrency` at a time, so workers never wait on one GET. */
async function feed(pool: ObjectPool, listing: Listing, concurrency: number, summary: ReplaySummary, progress: Progress): Promise<void> {
  const ahead: { name: string; size: number; body: Promise<Uint8Array | Error> | null; path?: string }[] = [];
  let next = 0;
  const fill = (): void => {
    while (next < listing.objects.length && ahead.length < concurrency) {
      const o = listing.objects[next++];
      const started = performance.now();
      const body = o.fetch
        ? o.fetch().then(
            (b) => {
              summary.fetchMs += performance.now() - started;
              summary.fetched++;
              summary.fetchedBytes += b.length;
              return b;
            },
            (err: unknown) => (err instanceof Error ? err : new Error(errorMessage(err))),
          )
        : null;
      ahead.push({ name: o.name, size: o.size, body, path: o.path });
    }
  };
  fill();
  while (ahead.length > 0) {
    const o = ahead.shift()!;
    fill();
    if (o.body) {
      const waitStarted = performance.now();
      const body = await o.body;
      summary.fetchWaitMs += performance.now() - waitStarted;
      if (body instanceof Error) await pool.submit({ name: o.name, data: new Uint8Array(0), fetchError: body.message });
      else await pool.submit({ name: o.name, data: body });
    } else await pool.submit({ name: o.name, path: o.path, size: o.size });
    progress.object(o.size);
  }
}

export { REPLAY_EXIT };
