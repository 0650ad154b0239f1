import path from 'node:path';
import {
  EventHubConsumerClient, earliestEventPosition, latestEventPosition,
  type CheckpointStore, type PartitionContext, type ReceivedEventData, type SubscribeOptions, type SubscriptionEventHandlers,
} from '@azure/event-hubs';
import type { Pipeline } from '../../pipeline.js';
import type { Metrics } from '../../metrics/registry.js';
import type { ProviderAdapter } from '../../providers/types.js';
import { errorMessage } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';
import type { AzureEventHubsConfig } from './config.js';
import { FileCheckpointStore } from './checkpoints.js';
import { decodeActivityPayload } from './decode.js';
import { lazyAzureCredential } from './credential.js';

/** The part of EventHubConsumerClient the input uses; tests inject a fake. */
export interface ConsumerClientLike {
  subscribe(handlers: SubscriptionEventHandlers, options?: SubscribeOptions): { close(): Promise<void> };
  close(): Promise<void>;
  getPartitionIds?(): Promise<string[]>;
}

export type ConsumerClientFactory = (config: AzureEventHubsConfig, store: CheckpointStore) => ConsumerClientLike;

export const defaultClientFactory: ConsumerClientFactory = (config, store) => {
  if (config.connection_string === '' && config.fully_qualified_namespace !== '') {
    // Azure AD: DefaultAzureCredential (managed identity, workload identity, service principal, az login).
    return new EventHubConsumerClient(config.consumer_group, config.fully_qualified_namespace, config.event_hub_name, lazyAzureCredential(), store, clientOptions(config));
  }
  if (config.connection_string === '') throw new Error('inputs.azure_event_hubs: set connection_string (TFDRIFT_INPUTS_AZURE_EVENT_HUBS_CONNECTION_STRING) or fully_qualified_namespace (Azure AD)');
  return config.event_hub_name === ''
    ? new EventHubConsumerClient(config.consumer_group, config.connection_string, store, clientOptions(config))
    : new EventHubConsumerClient(config.consumer_group, config.connection_string, config.event_hub_name, store, clientOptions(config));
};

const clientOptions = (config: AzureEventHubsConfig): { retryOptions: { retryDelayInMs: number } } => ({ retryOptions: { retryDelayInMs: config.retry_delay_seconds * 1000 } });

/** The SDK gives up with an AggregateError (empty message) of every attempt's error: name the last one. */
function clientError(err: unknown): string {
  const errors = (err as { errors?: unknown[] }).errors;
  if (Array.isArray(errors) && errors.length > 0) return `${clientError(errors[errors.length - 1])} (after ${errors.length} attempts)`;
  const code = (err as { code?: string }).code;
  return `${code ? `${code}: ` : ''}${errorMessage(err)}`;
}

/** Records in one Event Hubs event: the body diagnostic settings wrote (`{"records":[...]}`). */
export function recordsOfEvent(event: Pick<ReceivedEventData, 'body'>): { records: unknown[]; errors: string[] } {
  const { records, errors } = decodeActivityPayload(event.body);
  return { records, errors: errors.map((e) => e.reason) };
}

/**
 * Reads Azure activity records straight from the Event Hub diagnostic settings export to.
 * Each batch is processed, then checkpointed at its last event: at-least-once (a crash
 * between the two replays the batch; the ledger and the Azure correlation dedup fold the
 * repeats), never losing an event to an early checkpoint.
 */
export class AzureEventHubsInput {
  private client: ConsumerClientLike | null = null;
  private subscription: { close(): Promise<void> } | null = null;
  private connected = false;
  readonly stats = { events: 0, records: 0, drifts: 0, failed: 0, checkpoints: 0, errors: 0 };

  constructor(
    private readonly config: AzureEventHubsConfig,
    private readonly deps: {
      pipeline: Pipeline;
      provider: ProviderAdapter;
      metrics: Metrics;
      log: Logger;
      storageDir: string;
      clientFactory?: ConsumerClientFactory;
      checkpointStore?: CheckpointStore;
    },
  ) {}

  isConnected(): boolean {
    return this.connected;
  }

  start(): void {
    const store = this.deps.checkpointStore ?? new FileCheckpointStore(this.config.checkpoint_dir || path.join(this.deps.storageDir, 'eventhubs'));
    this.client = (this.deps.clientFactory ?? defaultClientFactory)(this.config, store);
    this.subscription = this.client.subscribe(
      {
        processInitialize: async () => {
          this.connected = true;
        },
        processEvents: (events, context) => this.processBatch(events, context),
        processError: async (err, context) => {
          this.stats.errors++;
          this.deps.log.warn('event hubs error', { partition: context.partitionId, error: clientError(err) });
        },
        processClose: async () => {
          this.connected = false;
        },
      },
      {
        startPosition: this.config.start_position === 'earliest' ? earliestEventPosition : latestEventPosition,
        maxBatchSize: this.config.max_batch_size,
        maxWaitTimeInSeconds: this.config.max_wait_seconds,
      },
    );
    this.deps.log.info('event hubs input started', { hub: this.config.event_hub_name || '(from connection string)', consumer_group: this.config.consumer_group });
    // The subscription's own loop reports a refused credential only after the SDK's default
    // retries (minutes); this probe, with the configured retry delay, reports it at once.
    this.client.getPartitionIds?.().then(
      (ids) => this.deps.log.info('event hubs connected', { partitions: ids.length }),
      (err: unknown) => {
        this.stats.errors++;
        this.deps.log.warn('event hubs error', { partition: '', error: clientError(err) });
      },
    );
  }

  /** One batch of one partition: every record through the pipeline, then the checkpoint. */
  async processBatch(events: ReceivedEventData[], context: PartitionContext): Promise<void> {
    if (events.length === 0) return; // an empty batch after maxWaitTimeInSeconds
    for (const event of events) {
      this.stats.events++;
      const { records, errors } = recordsOfEvent(event);
      for (const reason of errors) {
        this.stats.failed++;
        this.deps.metrics.eventsFailed.inc({ reason });
      }
      for (const record of records) {
        this.stats.records++;
        if (!this.deps.provider.recognises(record)) {
          this.stats.failed++;
          this.deps.metrics.eventsFailed.inc({ reason: 'not_an_activity_record' });
          continue;
        }
        const outcome = this.deps.pipeline.processRecord(this.deps.provider, record, 'azure_event_hubs');
        if (outcome.status === 'drift') this.stats.drifts += outcome.records.length;
        else if (outcome.status === 'failed') this.stats.failed++;
      }
    }
    await this.deps.pipeline.flush();
    await context.updateCheckpoint(events[events.length - 1]);
    this.stats.checkpoints++;
  }

  async stop(): Promise<void> {
    this.connected = false;
    await this.subscription?.close();
    await this.client?.close();
    this.subscription = null;
    this.client = null;
  }
}
