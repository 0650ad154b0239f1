import { createHash } from 'node:crypto';
import type { Metrics } from '../metrics/registry.js';
import type { ProcessOutcome } from '../pipeline.js';
import type { ProviderId } from '../model/event.js';
import type { AlertProcessor } from './intake.js';
import { InputError, errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { isRecord } from '../util/paths.js';
import { Journal, type JournalEntry, type JournalOptions } from './journal.js';
import { alertFromResponse, decodeFalcoResponse } from './proto.js';

/** Input names as they appear in metrics, and their one-byte codes in journal frames. */
export const INPUTS = ['falco_http', 'falco_grpc', 'aws_eventbridge', 'gcp_pubsub'] as const;
export type InputName = (typeof INPUTS)[number];
/**
 * What a journal frame holds: JSON alert text, a gRPC `response` as received (protobuf), or a
 * native audit record as JSON text (a CloudTrail record from EventBridge, a GCP LogEntry).
 */
export type PayloadKind = InputName | 'falco_grpc_protobuf';
const INPUT_CODE: Record<PayloadKind, number> = { falco_http: 1, falco_grpc: 2, falco_grpc_protobuf: 3, aws_eventbridge: 4, gcp_pubsub: 5 };
/** Inputs whose frames are native records, and the provider that reads them. */
const NATIVE: Partial<Record<number, { input: InputName; provider: ProviderId }>> = {
  [INPUT_CODE.aws_eventbridge]: { input: 'aws_eventbridge', provider: 'aws' },
  [INPUT_CODE.gcp_pubsub]: { input: 'gcp_pubsub', provider: 'gcp' },
};

export interface AlertIngestOptions {
  /** Journal directory (storage.dir/journal). */
  dir: string;
  journal: JournalOptions;
  /** Turns journaled payloads into pipeline events (ingest/intake.ts). */
  pipeline: AlertProcessor;
  metrics: Metrics;
  log: Logger;
  /** The Falco `source` name that carries Azure activity records; normalised to azure_activitylog. */
  azureSource?: string;
  /** Recently seen alert keys remembered to drop redelivered alerts (0 disables). */
  dedupKeys?: number;
  /** Called after each alert is processed (benchmarks measure receipt → outputs latency here). */
  onProcessed?: (receivedAt: bigint, outcome: ProcessOutcome | null) => void;
}

/** A bounded insertion-ordered set: the oldest key leaves when a new one would exceed the bound. */
class RecentKeys {
  private readonly keys = new Set<string>();
  constructor(private readonly max: number) {}
  /** True when the key was already present. */
  seen(key: string): boolean {
    if (this.keys.has(key)) return true;
    this.keys.add(key);
    if (this.keys.size > this.max) this.keys.delete(this.keys.values().next().value as string);
    return false;
  }
}

/**
 * The identity of an alert across redeliveries: CloudTrail's event ID when present, else a
 * hash of source and fields (gRPC reconnects and HTTP client retries resend identical alerts).
 */
export function alertKey(alert: Record<string, unknown>): string | null {
  if (!('output_fields' in alert)) return null;
  const fields = alert.output_fields;
  if (!isRecord(fields)) return null;
  const id = fields['ct.id'];
  if (typeof id === 'string' && id !== '' && id !== '<NA>') return `ct\u0000${id}`;
  return createHash('sha1').update(JSON.stringify([alert.source ?? null, fields])).digest('base64');
}

/**
 * The identity of a native record across redeliveries: CloudTrail's `eventID` (the same key as
 * a Falco alert's `ct.id`, so one event arriving by both paths counts once), a GCP LogEntry's
 * `insertId` (with its log and timestamp, as Logging deduplicates).
 */
export function recordKey(provider: ProviderId, record: Record<string, unknown>): string | null {
  if (provider === 'aws' && typeof record.eventID === 'string' && record.eventID !== '') return `ct\u0000${record.eventID}`;
  if (provider === 'gcp' && typeof record.insertId === 'string' && record.insertId !== '')
    return `gcp\u0000${String(record.logName ?? '')}\u0000${String(record.timestamp ?? '')}\u0000${record.insertId}`;
  return null;
}

/**
 * Accepted alerts go to the journal first; a drain loop processes them from it in order and
 * commits each offset after processing, so a restart replays exactly the unprocessed tail.
 */
export class AlertIngest {
  readonly journal: Journal;
  private draining = false;
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];
  private readonly dedup: RecentKeys | null;
  private readonly checkpointTimer: NodeJS.Timeout;
  private stopped = false;
  private started = false;
  /** Entries replayed at start-up from an earlier run. */
  readonly replayBacklog: number;

  constructor(private readonly o: AlertIngestOptions) {
    this.journal = new Journal(o.dir, o.journal);
    this.dedup = (o.dedupKeys ?? 100_000) > 0 ? new RecentKeys(o.dedupKeys ?? 100_000) : null;
    this.journal.onAppend = () => this.wake();
    this.checkpointTimer = setInterval(() => this.journal.syncCheckpoint(), 1000);
    this.checkpointTimer.unref();
    if (this.journal.truncatedBytes > 0) {
      o.metrics.eventsFailed.inc({ reason: 'journal_torn_tail' });
      o.log.warn('journal: dropped a torn tail left by a crash', { bytes: this.journal.truncatedBytes });
    }
    this.replayBacklog = this.journal.endOffset - this.journal.committed;
  }

  /** Starts processing (after states are loaded, so replayed alerts meet the real state). */
  start(): void {
    if (this.started) return;
    this.started = true;
    if (this.replayBacklog > 0) this.o.log.info('journal: replaying unprocessed alerts from the previous run', { bytes: this.replayBacklog });
    this.wake();
  }

  /**
   * Durably queues alert payloads (JSON text each); resolves once the fsync policy is met.
   * `values` are the payloads already parsed, so this process does not parse them twice.
   */
  accept(payloads: Buffer[], input: PayloadKind, receivedAt = process.hrtime.bigint(), values?: unknown[]): Promise<void> {
    return this.journal.appendMany(payloads, INPUT_CODE[input], receivedAt, values);
  }

  /** Unprocessed share of the journal's max_bytes, counting `extra` bytes not yet accepted (inputs that can push back use it). */
  backlogFill(extra = 0): number {
    return this.journal.fill(extra);
  }

  private wake(): void {
    if (this.scheduled || this.draining || this.stopped || !this.started) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  /** Processes for up to ~10 ms, then yields to the event loop so receivers keep answering. */
  private drain(): void {
    if (this.stopped) return;
    this.draining = true;
    const deadline = process.hrtime.bigint() + 10_000_000n;
    try {
      while (process.hrtime.bigint() < deadline) {
        const from = this.journal.committed;
        if (from >= this.journal.endOffset) break;
        const { entries, next, skipped } = this.journal.read(from, 256 * 1024);
        if (skipped > 0) {
          this.o.metrics.eventsFailed.inc({ reason: 'journal_corrupt' });
          this.o.log.error('journal: skipped unreadable bytes', { offset: from, bytes: skipped });
        }
        for (const entry of entries) {
          // Persist the checkpoint at once after an entry that emitted records (its replay
          // would repeat them); others are idempotent and persist at the end of the slice.
          const emitted = this.processEntry(entry);
          this.journal.commit(entry.next, emitted);
          if (process.hrtime.bigint() >= deadline) break;
        }
        if (entries.length === 0) this.journal.commit(next);
      }
    } finally {
      this.journal.persistCheckpoint();
      this.draining = false;
    }
    if (this.journal.committed < this.journal.endOffset) this.wake();
    else if (this.idleWaiters.length > 0 && this.journal.backlog === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Processes one journaled alert; true when it emitted (or may have emitted) records. */
  private processEntry(entry: JournalEntry): boolean {
    const native = NATIVE[entry.input];
    const input: InputName = native?.input ?? (entry.input === INPUT_CODE.falco_http ? 'falco_http' : 'falco_grpc');
    // Receipt times from an earlier process are meaningless on this clock; count from now.
    const receivedAt = entry.offset >= this.journal.startOffset ? entry.receivedAt : process.hrtime.bigint();
    let alert: unknown = entry.value;
    if (alert === undefined && entry.input === INPUT_CODE.falco_grpc_protobuf) {
      try {
        alert = alertFromResponse(decodeFalcoResponse(entry.payload));
      } catch (err) {
        this.o.metrics.eventsFailed.inc({ reason: err instanceof InputError ? err.reason : 'bad_grpc_message' });
        this.o.log.debug('falco gRPC: undecodable message', { offset: entry.offset, error: errorMessage(err) });
        this.o.onProcessed?.(receivedAt, null);
        return false;
      }
    }
    try {
      if (alert === undefined) alert = JSON.parse(entry.payload.toString('utf8'));
    } catch (err) {
      this.o.metrics.eventsFailed.inc({ reason: 'journal_corrupt' });
      this.o.log.error('journal: entry is not JSON', { offset: entry.offset, error: errorMessage(err) });
      this.o.onProcessed?.(receivedAt, null);
      return false;
    }
    if (isRecord(alert)) {
      const azure = this.o.azureSource;
      if (!native && azure && azure !== 'azure_activitylog' && alert.source === azure) alert.source = 'azure_activitylog';
      const key = this.dedup ? (native ? recordKey(native.provider, alert) : alertKey(alert)) : null;
      if (key !== null && this.dedup!.seen(key)) {
        this.o.metrics.eventsSuppressed.inc({ reason: 'duplicate_alert' });
        this.o.onProcessed?.(receivedAt, null);
        return false;
      }
    }
    let outcome: ProcessOutcome | null = null;
    try {
      if (!native) outcome = this.o.pipeline.processFalcoAlert(alert, input, receivedAt);
      else if (this.o.pipeline.processRecord) outcome = this.o.pipeline.processRecord(native.provider, alert, input, receivedAt);
      else throw new Error(`no record processor for ${input}`);
    } catch (err) {
      // The pipeline reports bad input as outcomes; a throw is a bug, and must not stop the journal.
      this.o.metrics.eventsFailed.inc({ reason: 'internal_error' });
      this.o.log.error('processing an alert threw', { offset: entry.offset, error: errorMessage(err) });
    }
    this.o.onProcessed?.(receivedAt, outcome);
    if (outcome?.status === 'held') {
      // Held for settle_seconds: the checkpoint must not pass it until it has been evaluated.
      const offset = entry.offset;
      this.journal.pin(offset);
      void outcome.settled.then(() => this.journal.unpin(offset));
    }
    return outcome === null || outcome.status === 'drift';
  }

  /** Resolves when every accepted alert has been processed. */
  idle(): Promise<void> {
    if (this.journal.backlog === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.wake();
    });
  }

  async close(opts: { drain?: boolean } = {}): Promise<void> {
    if (opts.drain !== false && this.started) {
      // Wait for queued appends to land, then process them.
      while (this.journal.backlog > 0) await this.idle();
    }
    this.stopped = true;
    clearInterval(this.checkpointTimer);
    await this.journal.close();
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
