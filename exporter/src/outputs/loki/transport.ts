import Transport from 'winston-transport';
import type { DriftRecord } from '../../model/drift.js';
import type { Metrics } from '../../metrics/registry.js';
import type { Logger } from '../../util/logger.js';
import { errorMessage } from '../../util/errors.js';
import type { LokiConfig } from '../config.js';
import { httpPost, redactUrl } from '../http-post.js';
import { backoffDelay, isRetryableStatus, realClock, retryAfterMs, type Clock } from '../retry.js';
import { encodeJson, encodeProtobuf, labelsString, streamLabels, type LokiEntry } from './encode.js';
import { Spool, type SpooledEntry } from './spool.js';
import { OutageLog, failureCause } from '../outage.js';

export interface LokiTransportOptions {
  config: LokiConfig;
  /** Resolved spool directory (config.spool.dir or <storage.dir>/loki-spool). */
  spoolDir: string;
  log: Logger;
  metrics?: Metrics;
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  random?: () => number;
}

type Attempt = { kind: 'ok' } | { kind: 'rejected'; status: number; reason: string } | { kind: 'retry'; reason: string; cause: string; wait: number | null };

const OUTPUT = 'loki';

/**
 * Winston transport that delivers drift records to Loki without losing any: each record is written to
 * the on-disk spool before log() returns, pushed in batches by one sequential loop (so per-stream order
 * holds), retried with capped, jittered backoff on 429/5xx/network errors, and acknowledged in the spool
 * only after Loki answers 2xx. Each entry keeps the timestamp it was given on first write, so a re-sent
 * entry is identical and Loki deduplicates it (same stream, timestamp and line).
 */
export class LokiTransport extends Transport {
  private readonly cfg: LokiConfig;
  private readonly log_: Logger;
  private readonly metrics?: Metrics;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly spool: Spool;
  private readonly pushUrl: string;
  private readonly headers: Record<string, string>;
  /** Unacknowledged entries in spool order; `at` = when queued (replayed ones: -Infinity, sent at once). */
  private queue: (SpooledEntry & { at: number })[] = [];
  private readonly lastTs = new Map<string, bigint>();
  private wake = new AbortController();
  private readonly stopCtl = new AbortController();
  private idle: (() => void) | null = null;
  /** `untilEmpty`: keep retrying until the deadline (shutdown); otherwise give up at the first failure. */
  private flushWaiters: { resolve: () => void; untilEmpty: boolean }[] = [];
  private readonly loop: Promise<void>;
  private shutDown = false;
  private failureStreak = 0;
  private readonly outage: OutageLog;

  constructor(opts: LokiTransportOptions) {
    super({ level: 'info' });
    this.cfg = opts.config;
    this.log_ = opts.log;
    this.metrics = opts.metrics;
    this.clock = opts.clock ?? realClock;
    this.random = opts.random ?? Math.random;
    const base = this.cfg.url.replace(/\/+$/, '');
    this.pushUrl = base.endsWith('/loki/api/v1/push') ? base : `${base}/loki/api/v1/push`;
    this.headers = authHeaders(this.cfg, opts.env ?? process.env);
    this.outage = new OutageLog('loki', redactUrl(this.pushUrl), this.log_, this.clock);
    this.spool = new Spool(opts.spoolDir, this.cfg.spool.max_bytes, this.cfg.spool.fsync);
    const { entries, corrupt } = this.spool.open();
    if (corrupt > 0) this.log_.error('loki spool: unreadable entries skipped', { count: corrupt, dir: opts.spoolDir });
    for (const e of entries) this.noteTs(e);
    this.queue = entries.map((e) => ({ ...e, at: -Infinity }));
    if (entries.length > 0) this.log_.info('loki spool: replaying undelivered drift records', { count: entries.length, dir: opts.spoolDir });
    this.loop = this.run();
  }

  /** winston entry point: `info.record` is the drift record; it is spooled before the callback runs. */
  override log(info: { record?: DriftRecord }, callback: () => void): void {
    if (info.record) this.enqueue(info.record);
    setImmediate(() => this.emit('logged', info));
    callback();
  }

  enqueue(record: DriftRecord): void {
    if (this.shutDown) {
      this.metrics?.outputSent.inc({ output: OUTPUT, status: 'dropped' });
      this.log_.error('loki: record after close dropped', { drift_id: record.drift_id });
      return;
    }
    const labels = streamLabels(record, this.cfg.labels);
    const entry: LokiEntry = { ts: this.nextTs(labelsString(labels), record.detected_at), labels, line: JSON.stringify(record) };
    const { spooled, droppedSegments } = this.spool.append(entry);
    if (droppedSegments.length > 0) this.dropSegments(droppedSegments);
    this.queue.push({ ...spooled, at: this.clock.now() });
    this.idle?.();
    if (this.queue.length >= this.cfg.batch_size) this.wake.abort();
  }

  queueLength(): number {
    return this.queue.length;
  }

  /**
   * Sends now; resolves when the queue is empty, at the deadline, or (unless `untilEmpty`) when an
   * attempt fails. What is not delivered stays spooled.
   */
  flush(timeoutMs = this.cfg.shutdown_timeout_ms, untilEmpty = false): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = { resolve, untilEmpty };
      this.flushWaiters.push(waiter);
      // A real-time deadline even under a test clock: it bounds how long shutdown may take.
      const deadline = setTimeout(() => this.settle(waiter), timeoutMs);
      deadline.unref();
      const done = waiter.resolve;
      waiter.resolve = () => {
        clearTimeout(deadline);
        done();
      };
      this.idle?.();
      this.wake.abort();
    });
  }

  /** Keeps delivering (with retries) for up to shutdown_timeout_ms, then stops; what is left is on disk for the next start. */
  override close(): Promise<void> {
    if (this.shutDown) return this.loop;
    return this.flush(this.cfg.shutdown_timeout_ms, true).then(async () => {
      this.shutDown = true;
      this.stopCtl.abort();
      this.wake.abort();
      this.idle?.();
      await this.loop;
      this.spool.close();
      if (this.queue.length > 0) this.log_.warn('loki: undelivered drift records stay spooled for the next start', { count: this.queue.length });
    });
  }

  private settle(waiter: { resolve: () => void }): void {
    const i = this.flushWaiters.indexOf(waiter as (typeof this.flushWaiters)[number]);
    if (i >= 0) this.flushWaiters.splice(i, 1);
    waiter.resolve();
  }

  private settleAll(onlyIfEmpty: boolean): void {
    if (onlyIfEmpty && this.queue.length > 0) return;
    for (const w of [...this.flushWaiters]) if (onlyIfEmpty || !w.untilEmpty) this.settle(w);
  }

  /** Nanoseconds, strictly increasing per stream, so Loki (even with ordered writes) accepts every entry. */
  private nextTs(stream: string, detectedAt: string): string {
    const ms = Date.parse(detectedAt);
    let ts = BigInt(Number.isFinite(ms) ? ms : this.clock.now()) * 1_000_000n;
    const last = this.lastTs.get(stream);
    if (last !== undefined && ts <= last) ts = last + 1n;
    this.lastTs.set(stream, ts);
    return ts.toString();
  }

  private noteTs(e: LokiEntry): void {
    const key = labelsString(e.labels);
    const ts = BigInt(e.ts);
    if ((this.lastTs.get(key) ?? -1n) < ts) this.lastTs.set(key, ts);
  }

  private dropSegments(segments: number[]): void {
    const gone = new Set(segments);
    const before = this.queue.length;
    this.queue = this.queue.filter((e) => !gone.has(e.seq));
    const dropped = before - this.queue.length;
    this.metrics?.outputSent.inc({ output: OUTPUT, status: 'dropped' }, dropped);
    this.log_.error('loki spool full: oldest undelivered drift records dropped', {
      dropped, max_bytes: this.cfg.spool.max_bytes, spool: this.spool.dir,
    });
  }

  private async run(): Promise<void> {
    while (!this.stopCtl.signal.aborted) {
      if (this.queue.length === 0) {
        this.settleAll(true);
        await new Promise<void>((resolve) => (this.idle = resolve));
        this.idle = null;
        continue;
      }
      const waited = this.clock.now() - this.queue[0].at;
      if (this.queue.length < this.cfg.batch_size && this.flushWaiters.length === 0 && waited < this.cfg.batch_interval_ms) {
        if (this.wake.signal.aborted) this.wake = new AbortController();
        await this.clock.sleep(this.cfg.batch_interval_ms - waited, this.wake.signal);
        if (this.wake.signal.aborted) this.wake = new AbortController();
        continue;
      }
      if (this.wake.signal.aborted) this.wake = new AbortController();
      const batch = this.queue.slice(0, this.cfg.batch_size);
      await this.deliver(batch);
    }
  }

  /** Delivers one batch, retrying until done or stopped; on 400 with several entries, isolates the bad one. */
  private async deliver(batch: SpooledEntry[]): Promise<void> {
    for (let attempt = 0; !this.stopCtl.signal.aborted; attempt++) {
      const result = await this.attempt(batch);
      if (result.kind === 'ok') {
        this.acknowledge(batch, 'ok');
        this.outage.recovered(batch.length, this.queue.length);
        this.failureStreak = 0;
        this.settleAll(true);
        return;
      }
      if (result.kind === 'rejected') {
        if (batch.length > 1) {
          // Loki refuses a whole push for one bad entry's sake but keeps the valid ones; re-sending
          // them one by one is harmless (identical entries deduplicate) and finds the culprit.
          for (const e of batch) await this.deliver([e]);
          return;
        }
        this.log_.error('loki rejected a drift record (not retried)', { status: result.status, reason: result.reason, line_bytes: batch[0].line.length });
        this.acknowledge(batch, 'rejected');
        return;
      }
      this.failureStreak++;
      this.metrics?.outputSent.inc({ output: OUTPUT, status: 'retry' }, batch.length);
      this.settleAll(false);
      const delay = Math.min(
        this.cfg.retry.max_backoff_ms,
        Math.max(backoffDelay(attempt, this.cfg.retry.initial_backoff_ms, this.cfg.retry.max_backoff_ms, this.random), result.wait ?? 0),
      );
      this.outage.failed(result.cause, result.reason, this.queue.length);
      this.log_.debug('loki push failed; retrying', { url: redactUrl(this.pushUrl), reason: result.reason, attempt: attempt + 1, retry_in_ms: delay, queued: this.queue.length });
      await this.clock.sleep(delay, this.stopCtl.signal);
    }
  }

  private acknowledge(batch: SpooledEntry[], status: 'ok' | 'rejected'): void {
    const sent = new Set<SpooledEntry>(batch);
    this.queue = this.queue.filter((e) => !sent.has(e));
    const last = batch[batch.length - 1];
    // Only move the cursor over a prefix: everything before `last` in the spool is acknowledged too.
    if (this.queue.length === 0 || this.queue[0].seq > last.seq || (this.queue[0].seq === last.seq && this.queue[0].end > last.end)) this.spool.commit(last);
    this.metrics?.outputSent.inc({ output: OUTPUT, status }, batch.length);
  }

  private async attempt(batch: SpooledEntry[]): Promise<Attempt> {
    let encoded;
    try {
      encoded = this.cfg.format === 'json' ? encodeJson(batch, this.cfg.gzip) : encodeProtobuf(batch);
    } catch (err) {
      return { kind: 'rejected', status: 0, reason: `encode failed: ${errorMessage(err)}` };
    }
    try {
      const res = await httpPost(this.pushUrl, { ...this.headers, ...encoded.headers }, encoded.body, this.cfg.request_timeout_ms, this.stopCtl.signal);
      if (res.status >= 200 && res.status < 300) return { kind: 'ok' };
      const reason = `HTTP ${res.status}: ${res.body.trim().slice(0, 500)}`;
      const cause = failureCause(null, res.status);
      if (isRetryableStatus(res.status)) return { kind: 'retry', reason, cause, wait: retryAfterMs(res.headers['retry-after'], Date.now()) };
      if (res.status === 400 || res.status === 413) return { kind: 'rejected', status: res.status, reason };
      // 401/403/404: a credential or URL problem an operator will fix; keep the records and retry.
      return { kind: 'retry', reason, cause, wait: null };
    } catch (err) {
      return { kind: 'retry', reason: errorMessage(err), cause: failureCause(err), wait: null };
    }
  }
}

function authHeaders(cfg: LokiConfig, env: NodeJS.ProcessEnv): Record<string, string> {
  const h: Record<string, string> = { 'user-agent': 'tfdrift' };
  if (cfg.tenant) h['x-scope-orgid'] = cfg.tenant;
  if (cfg.basic_auth.username) {
    const password = cfg.basic_auth.password_env ? (env[cfg.basic_auth.password_env] ?? '') : '';
    h.authorization = `Basic ${Buffer.from(`${cfg.basic_auth.username}:${password}`).toString('base64')}`;
  } else if (cfg.bearer_token_env) {
    const token = env[cfg.bearer_token_env];
    if (token) h.authorization = `Bearer ${token}`;
  }
  return h;
}
