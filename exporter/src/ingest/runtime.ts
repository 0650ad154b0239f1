import path from 'node:path';
import type { Config } from '../config/schema.js';
import type { Metrics } from '../metrics/registry.js';
import type { Pipeline, ProcessOutcome } from '../pipeline.js';
import type { Logger } from '../util/logger.js';
import { FalcoGrpcInput } from './grpc.js';
import { AlertIngest } from './service.js';

/** The ingest room as the app sees it: the journal-backed queue plus the optional gRPC input. */
export interface IngestRuntime {
  alerts: AlertIngest;
  grpc: FalcoGrpcInput | null;
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
  deps: { pipeline: Pick<Pipeline, 'processFalcoAlert'>; metrics: Metrics; log: Logger; onProcessed?: (receivedAt: bigint, outcome: ProcessOutcome | null) => void },
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
    pipeline: deps.pipeline,
    metrics: deps.metrics,
    log: deps.log,
    azureSource: inputs.azure_falco_source,
    dedupKeys: inputs.dedup_keys,
    onProcessed: deps.onProcessed,
  });
  const grpc = inputs.falco_grpc.enabled
    ? new FalcoGrpcInput({ config: inputs.falco_grpc, ingest: alerts, metrics: deps.metrics, log: deps.log })
    : null;
  let inputsStarted = false;
  const startInputs = (): void => {
    if (inputsStarted) return;
    inputsStarted = true;
    grpc?.start();
  };
  return {
    alerts,
    grpc,
    startInputs,
    connected: (httpListening) => [
      ...(inputs.falco_http.enabled ? [{ labels: { input: 'falco_http' }, value: httpListening ? 1 : 0 }] : []),
      ...(grpc ? [{ labels: { input: 'falco_grpc' }, value: grpc.connected ? 1 : 0 }] : []),
    ],
    start() {
      startInputs();
      alerts.start();
    },
    async stop() {
      await grpc?.stop();
      await alerts.close();
    },
  };
}
