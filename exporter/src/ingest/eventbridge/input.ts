import {
  ChangeMessageVisibilityCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient, type Message,
} from '@aws-sdk/client-sqs';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { Metrics } from '../../metrics/registry.js';
import { errorMessage } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';
import type { AlertIngest } from '../service.js';
import type { AwsEventBridgeConfig } from './config.js';
import { decodeEventBridgeMessage } from './envelope.js';

export type SqsClientFactory = (queueUrl: string, config: AwsEventBridgeConfig) => Pick<SQSClient, 'send' | 'destroy'>;

/** The region in a queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME), or null. */
export function queueRegion(queueUrl: string): string | null {
  const m = /^https:\/\/sqs[.-]([a-z0-9-]+)\.amazonaws\.com(\.cn)?\//.exec(queueUrl);
  return m ? m[1] : null;
}

export const defaultSqsClientFactory: SqsClientFactory = (queueUrl, config) =>
  new SQSClient({
    region: config.region || queueRegion(queueUrl) || 'us-east-1',
    // A queue URL on another host (VPC endpoint, a local SQS) is its own endpoint.
    ...(config.endpoint || !queueRegion(queueUrl) ? { endpoint: config.endpoint || new URL(queueUrl).origin } : {}),
    // A stalled connection must not hold the loop forever: long polls end after wait_time_seconds.
    requestHandler: { requestTimeout: (config.wait_time_seconds + 30) * 1000, connectionTimeout: 10_000 },
    ...(config.role_arn
      ? { credentials: fromTemporaryCredentials({ params: { RoleArn: config.role_arn, RoleSessionName: 'tfdrift-eventbridge', ...(config.external_id ? { ExternalId: config.external_id } : {}) } }) }
      : {}),
  });

/** Delete batches in flight per poller before it waits (bounds what a stalled endpoint holds). */
const MAX_PENDING_DELETES = 4;

const sleepFor = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

export interface EventBridgeInputDeps {
  ingest: Pick<AlertIngest, 'accept'>;
  metrics: Metrics;
  log: Logger;
  clientFactory?: SqsClientFactory;
  /** Waits between failed receives; tests pass a virtual clock. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * Long-polls each queue; every CloudTrail record goes to the journal, and a message is deleted
 * only after its record is there (the durable path of POST /falco). A crash between the two
 * leaves the message to reappear after its visibility timeout; the journal drain and the
 * ledger drop the repeat by CloudTrail eventID. Messages that are not events stay in the
 * queue, hidden, until its redrive policy moves them to the dead-letter queue.
 */
export class EventBridgeInput {
  private readonly abort = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private readonly up = new Map<string, boolean>();
  readonly stats = { received: 0, journaled: 0, ignored: 0, poison: 0, deleted: 0, deleteFailed: 0, receiveErrors: 0 };

  constructor(private readonly config: AwsEventBridgeConfig, private readonly deps: EventBridgeInputDeps) {
    if (config.queues.length === 0) throw new Error('inputs.aws_eventbridge.queues is empty: name at least one SQS queue URL');
  }

  /** Connected when every queue's last receive succeeded. */
  get connected(): boolean {
    return this.config.queues.every((q) => this.up.get(q) === true);
  }

  start(): void {
    for (const queue of this.config.queues) {
      const client = (this.deps.clientFactory ?? defaultSqsClientFactory)(queue, this.config);
      const loops = Array.from({ length: this.config.pollers_per_queue }, () => this.poll(client, queue));
      this.loops.push(Promise.allSettled(loops).then(() => client.destroy()));
    }
    this.deps.log.info('aws_eventbridge input started', { queues: this.config.queues });
  }

  private async poll(client: Pick<SQSClient, 'send'>, queue: string): Promise<void> {
    const sleep = this.deps.sleep ?? sleepFor;
    const { signal } = this.abort;
    let backoff = this.config.reconnect.initial_ms;
    // Deletes run behind the next receive (the records are journaled already), a few at a time.
    const deletes = new Set<Promise<void>>();
    try {
      while (!signal.aborted) {
        let messages: Message[];
        try {
          const res = await client.send(
            new ReceiveMessageCommand({
              QueueUrl: queue,
              MaxNumberOfMessages: this.config.max_messages,
              WaitTimeSeconds: this.config.wait_time_seconds,
              MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
              ...(this.config.visibility_timeout_seconds > 0 ? { VisibilityTimeout: this.config.visibility_timeout_seconds } : {}),
            }),
            { abortSignal: signal },
          );
          messages = res.Messages ?? [];
        } catch (err) {
          if (signal.aborted) break;
          this.stats.receiveErrors++;
          if (this.up.get(queue) !== false) this.deps.log.warn('aws_eventbridge: receive failed; retrying', { queue, error: errorMessage(err), retry_ms: backoff });
          this.up.set(queue, false);
          await sleep(backoff, signal);
          backoff = Math.min(backoff * 2, this.config.reconnect.max_ms);
          continue;
        }
        if (this.up.get(queue) === false) this.deps.log.info('aws_eventbridge: receiving again', { queue });
        this.up.set(queue, true);
        backoff = this.config.reconnect.initial_ms;
        if (messages.length > 0) await this.handle(client, queue, messages, deletes);
      }
    } finally {
      this.up.set(queue, false);
      await Promise.allSettled(deletes);
    }
  }

  /** Journals the batch's records, then deletes what is journaled or ignored; hides poison. */
  private async handle(client: Pick<SQSClient, 'send'>, queue: string, messages: Message[], deletes: Set<Promise<void>>): Promise<void> {
    const m = this.deps.metrics;
    const receivedAt = process.hrtime.bigint();
    const now = Date.now();
    const payloads: Buffer[] = [];
    const values: unknown[] = [];
    const done: Message[] = [];
    const poison: Message[] = [];
    for (const msg of messages) {
      this.stats.received++;
      const decoded = decodeEventBridgeMessage(msg.Body);
      if (decoded.kind === 'record') {
        payloads.push(Buffer.from(JSON.stringify(decoded.record)));
        values.push(decoded.record);
        done.push(msg);
        const lag = (now - Date.parse(String(decoded.record.eventTime))) / 1000;
        if (Number.isFinite(lag) && lag >= 0) m.inputLag.observe({ input: 'aws_eventbridge' }, lag);
      } else if (decoded.kind === 'ignored') {
        this.stats.ignored++;
        m.eventsSuppressed.inc({ reason: decoded.reason });
        done.push(msg);
      } else {
        this.stats.poison++;
        m.eventsFailed.inc({ reason: 'poison_message' });
        this.deps.log.warn('aws_eventbridge: message is not a CloudTrail event; left to the dead-letter policy', {
          queue, message_id: msg.MessageId, receive_count: msg.Attributes?.ApproximateReceiveCount, problem: decoded.message,
        });
        poison.push(msg);
      }
    }
    if (payloads.length > 0) {
      try {
        await this.deps.ingest.accept(payloads, 'aws_eventbridge', receivedAt, values);
      } catch (err) {
        // Journal full or unwritable: keep the messages in the queue; they return after the visibility timeout.
        m.eventsFailed.inc({ reason: 'journal_unavailable' });
        this.deps.log.error('aws_eventbridge: journal refused the batch; messages stay in the queue', { queue, error: errorMessage(err) });
        return;
      }
      this.stats.journaled += payloads.length;
    }
    while (deletes.size >= MAX_PENDING_DELETES) await Promise.race(deletes);
    const pending = this.delete(client, queue, done).then(async () => {
      for (const msg of poison) await this.hide(client, queue, msg);
    });
    deletes.add(pending);
    void pending.finally(() => deletes.delete(pending));
  }

  private async delete(client: Pick<SQSClient, 'send'>, queue: string, messages: Message[]): Promise<void> {
    if (messages.length === 0) return;
    try {
      const res = await client.send(
        new DeleteMessageBatchCommand({ QueueUrl: queue, Entries: messages.map((msg, i) => ({ Id: String(i), ReceiptHandle: msg.ReceiptHandle })) }),
      );
      this.stats.deleted += res.Successful?.length ?? 0;
      for (const f of res.Failed ?? []) {
        this.stats.deleteFailed++;
        // An expired receipt handle means the message was already handed out again: its repeat is dropped by eventID.
        this.deps.metrics.eventsFailed.inc({ reason: f.Code === 'ReceiptHandleIsInvalid' ? 'sqs_receipt_expired' : 'sqs_delete_failed' });
        this.deps.log.debug('aws_eventbridge: delete failed; the message will be redelivered and deduplicated', { queue, code: f.Code, message: f.Message });
      }
    } catch (err) {
      this.stats.deleteFailed += messages.length;
      this.deps.metrics.eventsFailed.inc({ reason: 'sqs_delete_failed' }, messages.length);
      this.deps.log.warn('aws_eventbridge: delete failed; the messages will be redelivered and deduplicated', { queue, error: errorMessage(err) });
    }
  }

  private async hide(client: Pick<SQSClient, 'send'>, queue: string, msg: Message): Promise<void> {
    try {
      await client.send(new ChangeMessageVisibilityCommand({ QueueUrl: queue, ReceiptHandle: msg.ReceiptHandle, VisibilityTimeout: this.config.poison_visibility_seconds }));
    } catch (err) {
      this.deps.log.debug('aws_eventbridge: could not hide a poison message', { queue, error: errorMessage(err) });
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.loops);
  }
}
