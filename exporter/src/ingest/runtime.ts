import path from 'node:path';
import type { Config } from '../config/schema.js';
import type { Metrics } from '../metrics/registry.js';
import type { ProcessOutcome } from '../pipeline.js';
import type { AlertProcessor } from './intake.js';
import type { Logger } from '../util/logger.js';
import { FalcoGrpcInput } from './grpc.js';
import { AlertIngest } from './service.js';
import { EventBridgeInput, type SqsClientFactory } from './eventbridge/input.js';
import { PubSubInput, type PubSubFactory } from './pubsub/input.js';

/** The ingest room as the app sees it: the journal-backed queue plus the optional gRPC input. */
export interface IngestRuntime {
  alerts: AlertIngest;
  /** What journaled payloads are handed to (benchmarks and crash tests wrap its methods). */
  processor: AlertProcessor;
  grpc: FalcoGrpcInput | null;
  eventBridge: EventBridgeInput | null;
  pubSub: PubSubInput | null;
  /** tfdrift_input_connected samples. */
  connected(httpListening: boolean): { labels: { input: string }; value: number }[];
  /** Connects to Falco gRPC: alerts are journaled (acknowledged) but not processed yet. */
  startInputs(): void;
  /** Begins processing the journal (once states have had their first load); starts inputs if not yet. */
  start(): void;
  stop(): Promise<void>;
}

export function createIngestRuntime(
  config: Config,
  deps: { processor: AlertProcessor; metrics: Metrics; log: Logger; onProcessed?: (receivedAt: bigint, outcome: ProcessOutcome | null) => void;
    /** Test seams: SQS / Pub/Sub clients and the reconnect clock. */
    sqsClientFactory?: SqsClientFactory; pubSubFactory?: PubSubFactory; sleep?: (ms: number, signal: AbortSignal) => Promise<void> },
): IngestRuntime {
  const inputs = config.inputs;
  const alerts = new AlertIngest({
    dir: path.join(config.storage.dir, 'journal'),
    journal: {
      fsync: inputs.journal.fsync,
      fsyncIntervalMs: inputs.journal.fsync_interval_ms,
      segmentBytes: inputs.journal.segment_bytes,
      maxBytes: inputs.journal.max_bytes,
    },
    pipeline: deps.processor,
    metrics: deps.metrics,
    log: deps.log,
    azureSource: inputs.azure_falco_source,
    dedupKeys: inputs.dedup_keys,
    onProcessed: deps.onProcessed,
  });
  const grpc = inputs.falco_grpc.enabled
    ? new FalcoGrpcInput({ config: inputs.falco_grpc, ingest: alerts, metrics: deps.metrics, log: deps.log })
    : null;
  const eventBridge = inputs.aws_eventbridge.enabled
    ? new EventBridgeInput(inputs.aws_eventbridge, { ingest: alerts, metrics: deps.metrics, log: deps.log, clientFactory: deps.sqsClientFactory, sleep: deps.sleep })
    : null;
  const pubSub = inputs.gcp_pubsub.enabled
    ? new PubSubInput(inputs.gcp_pubsub, { ingest: alerts, metrics: deps.metrics, log: deps.log, factory: deps.pubSubFactory })
    : null;
  let inputsStarted = false;
  // Inputs only journal (and ack/delete after the append): they may run before states have loaded.
  const startInputs = (): void => {
    if (inputsStarted) return;
    inputsStarted = true;
    grpc?.start();
    eventBridge?.start();
    pubSub?.start();
  };
  return {
    alerts,
    eventBridge,
    pubSub,
    processor: deps.processor,
    grpc,
    startInputs,
    connected: (httpListening) => [
      ...(inputs.falco_http.enabled ? [{ labels: { input: 'falco_http' }, value: httpListening ? 1 : 0 }] : []),
      ...(grpc ? [{ labels: { input: 'falco_grpc' }, value: grpc.connected ? 1 : 0 }] : []),
      ...(eventBridge ? [{ labels: { input: 'aws_eventbridge' }, value: eventBridge.connected ? 1 : 0 }] : []),
      ...(pubSub ? [{ labels: { input: 'gcp_pubsub' }, value: pubSub.connected ? 1 : 0 }] : []),
    ],
    start() {
      startInputs();
      alerts.start();
    },
    async stop() {
      await grpc?.stop();
      await eventBridge?.stop();
      await pubSub?.stop();
      await alerts.close();
    },
  };
}
