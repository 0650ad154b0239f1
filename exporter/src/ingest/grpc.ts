import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import type { Metrics } from '../metrics/registry.js';
import { ConfigError, errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import type { InputsConfig } from './config.js';
import { FRAME_HEADER_BYTES, JournalFullError } from './journal.js';
import { falcoClientConstructors } from './proto.js';
import type { AlertIngest } from './service.js';

export type GrpcInputConfig = InputsConfig['falco_grpc'];

export interface GrpcInputOptions {
  config: GrpcInputConfig;
  ingest: Pick<AlertIngest, 'accept' | 'backlogFill'>;
  metrics: Metrics;
  log: Logger;
  /** Test hook: jitter source. */
  random?: () => number;
}

/** Capped exponential backoff with jitter in [delay/2, delay], so reconnecting clients spread out. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const capped = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(capped / 2 + (random() * capped) / 2);
}

/** Channel credentials: a unix socket needs none; TCP uses mutual TLS when configured. */
export function grpcCredentials(c: GrpcInputConfig): grpc.ChannelCredentials {
  if (c.address.startsWith('unix:') || !c.tls.enabled) return grpc.credentials.createInsecure();
  const read = (what: string, file: string): Buffer => {
    if (!file) throw new ConfigError([`inputs.falco_grpc.tls.${what} is required when tls.enabled is true`]);
    try {
      return readFileSync(file);
    } catch (err) {
      throw new ConfigError([`inputs.falco_grpc.tls.${what}: cannot read ${file} (${errorMessage(err)})`]);
    }
  };
  return grpc.credentials.createSsl(read('ca', c.tls.ca), read('key', c.tls.key), read('cert', c.tls.cert));
}

/** Alerts awaiting their journal append: pause the stream above HIGH_WATER, resume at LOW_WATER. */
const HIGH_WATER = 20_000;
const LOW_WATER = 2_000;
/**
 * Journal backlog (share of max_bytes) at which the stream is paused, and resumed. HTTP/2 flow
 * control then holds alerts in Falco's queue instead of the journal overflowing and refusing them.
 */
const PAUSE_FILL = 0.5;
const RESUME_FILL = 0.25;

/**
 * Subscribes to Falco's gRPC outputs (Falco 0.37–0.43) and journals each alert, reconnecting
 * with capped exponential backoff and jitter whenever the stream or the connection ends.
 */
export class FalcoGrpcInput {
  connected = false;
  falcoVersion: string | null = null;
  /** Successful connections so far (tests and logs). */
  connections = 0;
  private stopped = false;
  private call: grpc.ClientDuplexStream<unknown, unknown> | grpc.ClientReadableStream<unknown> | null = null;
  private outputs: (grpc.Client & Record<string, (...a: unknown[]) => unknown>) | null = null;
  private version: (grpc.Client & Record<string, (...a: unknown[]) => unknown>) | null = null;
  private wakeSleep: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private inflight = 0;
  private paused = false;
  private flowTimer: NodeJS.Timeout | null = null;
  /** Alerts received in the current event-loop turn, journaled together (the receipt time is the first one's). */
  private batch: { payloads: Buffer[]; bytes: number; receivedAt: bigint } | null = null;

  constructor(private readonly o: GrpcInputOptions) {}

  start(): void {
    const { Outputs, Version } = falcoClientConstructors();
    const creds = grpcCredentials(this.o.config);
    const options: grpc.ChannelOptions = {
      'grpc.max_receive_message_length': 64 * 2 ** 20,
      // A 64 KiB HTTP/2 window stalls a busy Falco on window updates; alerts are small and many.
      'grpc-node.flow_control_window': 16 * 2 ** 20,
      'grpc.keepalive_time_ms': 30_000,
      'grpc.initial_reconnect_backoff_ms': this.o.config.reconnect.initial_ms,
      'grpc.max_reconnect_backoff_ms': this.o.config.reconnect.max_ms,
      ...(this.o.config.tls.server_name ? { 'grpc.ssl_target_name_override': this.o.config.tls.server_name } : {}),
    };
    this.outputs = new Outputs(this.o.config.address, creds, options) as FalcoGrpcInput['outputs'];
    this.version = new Version(this.o.config.address, creds, options) as FalcoGrpcInput['version'];
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    const { initial_ms, max_ms } = this.o.config.reconnect;
    let attempt = 0;
    while (!this.stopped) {
      let received = 0;
      try {
        received = await this.session();
      } catch (err) {
        this.o.log.warn('falco gRPC: session failed', { address: this.o.config.address, error: errorMessage(err) });
      }
      this.connected = false;
      if (this.stopped) break;
      attempt = received > 0 ? 0 : attempt + 1;
      const delay = backoffDelay(attempt, initial_ms, max_ms, this.o.random);
      this.o.log.info('falco gRPC: reconnecting', { address: this.o.config.address, in_ms: delay });
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        this.wakeSleep = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wakeSleep = null;
    }
  }

  private waitForReady(client: grpc.Client, ms: number): Promise<void> {
    return new Promise((resolve, reject) => client.waitForReady(Date.now() + ms, (err) => (err ? reject(err) : resolve())));
  }

  /** One connection: version, then the stream until it ends. Resolves with the alerts received. */
  private async session(): Promise<number> {
    const outputs = this.outputs!;
    await this.waitForReady(outputs, 5000);
    await this.logVersion();
    if (this.stopped) return 0;
    this.connections++;
    this.connected = true;
    let received = 0;
    const onData = (msg: unknown): void => {
      received++;
      this.handle(msg);
    };
    if (this.o.config.method === 'get') {
      while (!this.stopped) {
        await this.stream(outputs.get({}) as grpc.ClientReadableStream<unknown>, onData);
        await new Promise((r) => setTimeout(r, this.o.config.poll_interval_ms));
      }
      return received;
    }
    const call = outputs.sub() as grpc.ClientDuplexStream<unknown, unknown>;
    const poll = setInterval(() => call.write({}), this.o.config.poll_interval_ms);
    call.write({});
    try {
      await this.stream(call, onData);
    } finally {
      clearInterval(poll);
    }
    return received;
  }

  private stream(call: grpc.ClientReadableStream<unknown> | grpc.ClientDuplexStream<unknown, unknown>, onData: (m: unknown) => void): Promise<void> {
    this.call = call;
    if (this.paused) call.pause(); // a new stream while the journal is still too far behind
    return new Promise<void>((resolve, reject) => {
      call.on('data', onData);
      call.on('error', (err: grpc.ServiceError) => {
        if (this.stopped && err.code === grpc.status.CANCELLED) resolve();
        else reject(new Error(`stream ended: ${err.details || err.message}`));
      });
      call.on('end', () => resolve());
    }).finally(() => {
      this.call = null;
    });
  }

  private async logVersion(): Promise<void> {
    const client = this.version!;
    try {
      const v = await new Promise<{ version?: string }>((resolve, reject) =>
        (client.version as (req: unknown, opts: grpc.CallOptions, cb: (e: Error | null, r: { version?: string }) => void) => void)(
          {}, { deadline: Date.now() + 5000 }, (err, res) => (err ? reject(err) : resolve(res))),
      );
      this.falcoVersion = v.version || null;
      this.o.log.info('falco gRPC: connected', { address: this.o.config.address, falco_version: this.falcoVersion });
    } catch (err) {
      this.o.log.info('falco gRPC: connected (version unavailable)', { address: this.o.config.address, error: errorMessage(err) });
    }
  }

  /** A response as received (protobuf bytes): journaled untouched, decoded when processed. */
  private handle(msg: unknown): void {
    if (!Buffer.isBuffer(msg)) {
      this.o.metrics.eventsFailed.inc({ reason: 'bad_grpc_message' });
      return;
    }
    const batch = (this.batch ??= { payloads: [], bytes: 0, receivedAt: process.hrtime.bigint() });
    batch.payloads.push(msg);
    batch.bytes += msg.length + FRAME_HEADER_BYTES;
    this.inflight++;
    if (!this.paused && (this.inflight >= HIGH_WATER || this.o.ingest.backlogFill(batch.bytes) >= PAUSE_FILL)) this.updateFlow(batch.bytes);
    if (batch.payloads.length === 1) setImmediate(() => this.flushBatch());
  }

  /** Pauses the stream while appends or the journal backlog are too far behind; resumes after. */
  private updateFlow(pendingBytes = 0): void {
    const fill = this.o.ingest.backlogFill(pendingBytes);
    if (!this.paused && (this.inflight >= HIGH_WATER || fill >= PAUSE_FILL)) {
      this.paused = true;
      this.call?.pause();
      if (fill >= PAUSE_FILL) this.o.log.warn('falco gRPC: journal backlog high, pausing the stream (Falco queues meanwhile)', { fill: Number(fill.toFixed(2)) });
      // While paused nothing else calls back here: poll the backlog.
      this.flowTimer = setInterval(() => this.updateFlow(), 100);
      this.flowTimer.unref();
    } else if (this.paused && this.inflight <= LOW_WATER && fill <= RESUME_FILL) {
      this.paused = false;
      if (this.flowTimer) clearInterval(this.flowTimer);
      this.flowTimer = null;
      this.call?.resume();
    }
  }

  /** Alerts that arrived in one turn of the event loop go to the journal as one append. */
  private flushBatch(): void {
    const batch = this.batch;
    this.batch = null;
    if (!batch) return;
    const m = this.o.metrics;
    const n = batch.payloads.length;
    this.o.ingest
      .accept(batch.payloads, 'falco_grpc_protobuf', batch.receivedAt)
      .catch((err: unknown) => {
        m.eventsFailed.inc({ reason: err instanceof JournalFullError ? 'journal_full' : 'journal_error' }, n);
        this.o.log.error('falco gRPC: journal append failed', { alerts: n, error: errorMessage(err) });
      })
      .finally(() => {
        this.inflight -= n;
        this.updateFlow();
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.connected = false;
    this.call?.cancel();
    if (this.flowTimer) clearInterval(this.flowTimer);
    this.flushBatch();
    this.wakeSleep?.();
    this.outputs?.close();
    this.version?.close();
    // A connect attempt in progress ends on its own deadline; it checks `stopped` and exits.
    await Promise.race([this.loop?.catch(() => undefined), new Promise((r) => setTimeout(r, 200).unref())]);
  }
}
