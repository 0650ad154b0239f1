import { PubSub, type Message, type Subscription } from '@google-cloud/pubsub';
import type { Metrics } from '../../metrics/registry.js';
import { errorMessage } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';
import type { AlertIngest } from '../service.js';
import type { GcpPubSubConfig } from './config.js';
import { decodeLogEntryMessage } from './entry.js';

export type PubSubFactory = (projectId: string) => Pick<PubSub, 'subscription' | 'close'>;

/** Application Default Credentials; PUBSUB_EMULATOR_HOST points the client at an emulator. */
export const defaultPubSubFactory: PubSubFactory = (projectId) => new PubSub({ projectId });

interface Stream {
  path: string;
  client: Pick<PubSub, 'subscription' | 'close'>;
  subscription: Subscription;
  healthy: boolean;
  reopen: NodeJS.Timeout | null;
}

/**
 * Streaming pull from each subscription, with flow control. Each LogEntry goes to the journal,
 * and the message is acknowledged only once it is there (the durable path of POST /falco): a
 * crash before the ack leaves it to be redelivered after its ack deadline, and the journal
 * drain and the ledger drop the repeat by insertId. Data that is not a LogEntry is nacked,
 * so the subscription's dead-letter policy takes it after its delivery attempts.
 */
export class PubSubInput {
  private readonly streams: Stream[] = [];
  private stopped = false;
  readonly stats = { received: 0, journaled: 0, acked: 0, poison: 0, errors: 0 };

  constructor(
    private readonly config: GcpPubSubConfig,
    private readonly deps: { ingest: Pick<AlertIngest, 'accept'>; metrics: Metrics; log: Logger; factory?: PubSubFactory; reopenMs?: number },
  ) {
    if (config.subscriptions.length === 0) throw new Error('inputs.gcp_pubsub.subscriptions is empty: name at least one projects/P/subscriptions/S');
  }

  get connected(): boolean {
    return this.streams.length > 0 && this.streams.every((s) => s.healthy && s.subscription.isOpen);
  }

  start(): void {
    for (const path of this.config.subscriptions) {
      const project = path.split('/')[1];
      const client = (this.deps.factory ?? defaultPubSubFactory)(project);
      const subscription = client.subscription(path, {
        flowControl: { maxMessages: this.config.max_messages, allowExcessMessages: false },
        streamingOptions: { maxStreams: this.config.max_streams },
      });
      const stream: Stream = { path, client, subscription, healthy: true, reopen: null };
      subscription.on('message', (msg: Message) => {
        stream.healthy = true;
        void this.onMessage(path, msg);
      });
      subscription.on('debug', (msg: { message?: string }) => {
        // The library retries ended streams itself; this only tells the connected gauge.
        if (/has ended with status/.test(String(msg?.message))) stream.healthy = false;
      });
      subscription.on('error', (err: unknown) => this.onError(stream, err));
      this.streams.push(stream);
    }
    this.deps.log.info('gcp_pubsub input started', { subscriptions: this.config.subscriptions });
  }

  private onError(stream: Stream, err: unknown): void {
    this.stats.errors++;
    stream.healthy = false;
    this.deps.log.warn('gcp_pubsub: stream failed; reopening', { subscription: stream.path, error: errorMessage(err) });
    if (this.stopped || stream.reopen) return;
    // A non-retryable status closes the subscriber; open it again after a pause.
    stream.reopen = setTimeout(() => {
      stream.reopen = null;
      if (!this.stopped && !stream.subscription.isOpen) stream.subscription.open();
    }, this.deps.reopenMs ?? 5000);
    stream.reopen.unref();
  }

  private async onMessage(path: string, msg: Message): Promise<void> {
    const m = this.deps.metrics;
    const receivedAt = process.hrtime.bigint();
    this.stats.received++;
    const decoded = decodeLogEntryMessage(msg.data);
    if (decoded.kind === 'poison') {
      this.stats.poison++;
      m.eventsFailed.inc({ reason: 'poison_message' });
      this.deps.log.warn('gcp_pubsub: message is not a LogEntry; nacked, left to the dead-letter policy', {
        subscription: path, message_id: msg.id, delivery_attempt: msg.deliveryAttempt, problem: decoded.message,
      });
      msg.nack();
      return;
    }
    const lag = (Date.now() - Date.parse(String(decoded.record.timestamp))) / 1000;
    if (Number.isFinite(lag) && lag >= 0) m.inputLag.observe({ input: 'gcp_pubsub' }, lag);
    try {
      await this.deps.ingest.accept([Buffer.from(msg.data)], 'gcp_pubsub', receivedAt, [decoded.record]);
    } catch (err) {
      m.eventsFailed.inc({ reason: 'journal_unavailable' });
      this.deps.log.error('gcp_pubsub: journal refused a message; nacked for redelivery', { subscription: path, error: errorMessage(err) });
      msg.nack();
      return;
    }
    this.stats.journaled++;
    msg.ack();
    this.stats.acked++;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const s of this.streams) if (s.reopen) clearTimeout(s.reopen);
    await Promise.allSettled(this.streams.map(async (s) => {
      await s.subscription.close();
      await s.client.close();
    }));
  }
}
