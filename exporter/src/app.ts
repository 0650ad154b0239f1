import path from 'node:path';
import type { Config } from './config/schema.js';
import { Metrics } from './metrics/registry.js';
import { createOutputs } from './outputs/registry.js';
import { sendTestDrift } from './outputs/synthetic.js';
import type { Output } from './outputs/types.js';
import { Pipeline } from './pipeline.js';
import { allProviders } from './providers/registry.js';
import { StateStore } from './state/store.js';
import { DriftLedger } from './detect/ledger.js';
import { HttpServer, sendJson } from './server/http.js';
import { falcoHttpRoute } from './ingest/http.js';
import { createIngestRuntime, type IngestRuntime } from './ingest/runtime.js';
import { wireAzureInputs } from './ingest/azure/wire.js';
import { wireArchiveBackfill, type ArchiveBackfillWiring } from './ingest/backfill/wire.js';
import type { Logger } from './util/logger.js';
import { VERSION } from './version.js';

export interface App {
  config: Config;
  metrics: Metrics;
  states: StateStore;
  pipeline: Pipeline;
  outputs: Output[];
  server: HttpServer;
  ingest: IngestRuntime;
  /** The archive backfill after downtime (inputs.aws_archive_backfill), when enabled. */
  backfill: ArchiveBackfillWiring | null;
  url: string;
  stop(): Promise<void>;
}

export interface AppOptions {
  log: Logger;
  outputs?: Output[];
}

/** Builds and starts the daemon from a validated config. */
export async function startApp(config: Config, opts: AppOptions): Promise<App> {
  const { log } = opts;
  const metrics = new Metrics();
  const states = new StateStore(config.states, metrics, log);
  const outputs = opts.outputs ?? (await createOutputs({ config, metrics, log }));
  metrics.sources.outputQueueLength = () => outputs.map((o) => ({ labels: { output: o.name }, value: o.queueLength() }));
  const pipeline = new Pipeline({
    providers: allProviders(), states, outputs, metrics, log,
    ledger: new DriftLedger(config.detection.dedup_window_seconds * 1000, path.join(config.storage.dir, 'open-drifts.json')),
    detection: config.detection,
    exporterName: config.server.name,
  });
  const server = new HttpServer(config.server, log);
  let listening = false;
  const backfill = wireArchiveBackfill(config, { metrics, log });
  const ingest = createIngestRuntime(config, { pipeline: backfill ? backfill.observing(pipeline) : pipeline, metrics, log });
  metrics.sources.inputConnected = () => [...ingest.connected(listening), ...azure.connected(listening)];

  server.route('GET', '/metrics', async (_req, res) => {
    const text = await metrics.registry.metrics();
    res.writeHead(200, { 'content-type': metrics.registry.contentType });
    res.end(text);
  });
  server.route('GET', '/healthz', (_req, res) => sendJson(res, 200, { status: 'ok', version: VERSION }));
  server.route('GET', '/readyz', (_req, res) => {
    const statuses = states.statuses();
    const ready = listening && states.ready();
    // A stale source still serves its last good state, so it does not make the exporter unready; it is named here.
    const stale = statuses.filter((s) => s.stale).map((s) => s.name);
    sendJson(res, ready ? 200 : 503, {
      status: ready ? 'ready' : 'not_ready',
      stale_states: stale,
      states: statuses.map((s) => ({
        name: s.name, location: s.location, ok: s.ok, stale: s.stale, error: s.lastError, resources: s.resources,
        last_success: s.lastSuccess === null ? null : new Date(s.lastSuccess).toISOString(),
      })),
    });
  });
  server.route('POST', '/api/v1/state/reload', async (_req, res, { url }) => {
    const name = url.searchParams.get('name') ?? undefined;
    try {
      const result = await states.reload(name);
      sendJson(res, result.errors.length ? 502 : 200, result);
    } catch (err) {
      sendJson(res, 404, { error: (err as Error).message });
    }
  });
  server.route('GET', '/api/v1/drifts', (_req, res, { url }) => {
    const status = url.searchParams.get('status') ?? 'open';
    if (status !== 'open') return sendJson(res, 400, { error: 'status must be "open"' });
    sendJson(res, 200, { drifts: pipeline.ledger.list() });
  });
  // A synthetic drift through every enabled output (not counted in tfdrift_drifts_total, not in the ledger).
  server.route('POST', '/api/v1/test', async (_req, res) => sendJson(res, 200, await sendTestDrift(outputs, config.server.name || undefined)));
  if (config.inputs.falco_http.enabled)
    server.route('POST', config.inputs.falco_http.path, falcoHttpRoute(ingest.alerts, metrics, config.inputs.falco_http.max_body_bytes, log));
  // Azure: POST /azure for Event Hubs forwarders and the direct Event Hubs consumer, when enabled.
  const azure = wireAzureInputs(config, { server, pipeline, metrics, log });

  await states.reload();
  states.startPolling();
  ingest.start();
  azure.start();
  const { url } = await server.start();
  listening = true;
  backfill?.start(ingest.alerts);
  log.info('tfdrift listening', { url, version: VERSION, states: states.statuses().map((s) => `${s.name}: ${s.resources} resources`) });
  return {
    config, metrics, states, pipeline, outputs, server, ingest, backfill, url,
    async stop() {
      listening = false;
      states.stop();
      await backfill?.stop();
      await server.stop();
      await ingest.stop();
      backfill?.close();
      await azure.stop();
      await pipeline.flush();
      await Promise.all(outputs.map((o) => o.close()));
    },
  };
}
