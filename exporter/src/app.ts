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
import { HttpServer, checkServerSecurity, sendJson } from './server/http.js';
import { ensurePrivateDir } from './util/private-fs.js';
import { errorMessage } from './util/errors.js';
import { falcoHttpRoute } from './ingest/http.js';
import { createIngestRuntime, type IngestRuntime } from './ingest/runtime.js';
import { wireAzureInputs } from './ingest/azure/wire.js';
import { alertProcessor } from './ingest/intake.js';
import { ownedAccounts } from './fleet/config.js';
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
  /** Resolves once every state source has had its first load (loaded or not) and alerts are being processed. */
  statesSettled: Promise<void>;
  stop(): Promise<void>;
}

/** How long POST /api/v1/state/reload waits for the result before answering 202 (query `wait` overrides, up to 60 s). */
const RELOAD_WAIT_SECONDS = 5;

export interface AppOptions {
  log: Logger;
  outputs?: Output[];
  /** Test seams of the queue inputs (SQS / Pub/Sub clients, reconnect clock). */
  ingest?: Pick<Parameters<typeof createIngestRuntime>[1], 'sqsClientFactory' | 'pubSubFactory' | 'sleep'>;
}

/** Builds and starts the daemon from a validated config. */
export async function startApp(config: Config, opts: AppOptions): Promise<App> {
  const { log } = opts;
  // Configuration that cannot work fails here, before anything is loaded, opened or listened on.
  checkServerSecurity(config.server);
  ensurePrivateDir(config.storage.dir);
  const metrics = new Metrics();
  const states = new StateStore(config.states, metrics, log);
  const outputs = opts.outputs ?? (await createOutputs({ config, metrics, log }));
  metrics.sources.outputQueueLength = () => outputs.map((o) => ({ labels: { output: o.name }, value: o.queueLength() }));
  const pipeline = new Pipeline({
    providers: allProviders(), states, outputs, metrics, log,
    ledger: new DriftLedger(config.detection.dedup_window_seconds * 1000, path.join(config.storage.dir, 'open-drifts.json'), {
      maxOpen: config.detection.max_open_drifts, metrics, log,
    }),
    detection: config.detection,
    exporterName: config.server.name,
    ownedAccounts: ownedAccounts(config.fleet, config.states),
  });
  const server = new HttpServer(config.server, log, metrics.httpRejected);
  let listening = false;
  const backfill = wireArchiveBackfill(config, { metrics, log });
  const processor = alertProcessor(pipeline, metrics);
  // The backfill notes every alert the drain processes (per account/region), whichever input it came from.
  const ingest = createIngestRuntime(config, { processor: backfill ? backfill.observing(processor) : processor, metrics, log, ...opts.ingest });
  metrics.sources.inputConnected = () => [...ingest.connected(listening), ...azure.connected(listening)];

  server.route('GET', '/metrics', async (_req, res) => {
    const text = await metrics.registry.metrics();
    res.writeHead(200, { 'content-type': metrics.registry.contentType });
    res.end(text);
  });
  server.route('GET', '/healthz', (_req, res) => sendJson(res, 200, { status: 'ok', version: VERSION }));
  // Ready = alerts are accepted and journaled. State health is reported, never a reason to leave the Service:
  // Falco ignores HTTP statuses, so an unready exporter would only lose alerts it could have kept.
  server.route('GET', '/readyz', (_req, res) => {
    const statuses = states.statuses();
    const journalFull = ingest.alerts.backlogFill() >= 1;
    const ready = listening && !journalFull;
    const named = (h: string): string[] => statuses.filter((s) => s.health === h).map((s) => s.name);
    sendJson(res, ready ? 200 : 503, {
      status: ready ? 'ready' : 'not_ready',
      ...(journalFull ? { reason: 'journal full: alerts cannot be accepted until processing catches up' } : {}),
      loading_states: named('loading'),
      never_loaded_states: named('never_loaded'),
      stale_states: named('stale'),
      states: statuses.map((s) => ({
        name: s.name, location: s.location, health: s.health, loading: s.loading, ok: s.ok, stale: s.stale, error: s.lastError, resources: s.resources,
        last_success: s.lastSuccess === null ? null : new Date(s.lastSuccess).toISOString(),
      })),
    });
  });
  // Answers with the result when the load is quick, else 202 with what was started (a hung backend must not hold the caller).
  server.route('POST', '/api/v1/state/reload', async (_req, res, { url }) => {
    const name = url.searchParams.get('name') ?? undefined;
    const known = states.statuses().map((s) => s.name);
    if (name !== undefined && !known.includes(name)) return sendJson(res, 404, { error: `no state source named "${name}"` });
    const waitParam = Number(url.searchParams.get('wait') ?? RELOAD_WAIT_SECONDS);
    const waitMs = Math.min(60, Number.isFinite(waitParam) && waitParam >= 0 ? waitParam : RELOAD_WAIT_SECONDS) * 1000;
    const work = states.reload(name);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), waitMs)));
    try {
      const result = await Promise.race([work, late]);
      if (result === null) {
        work.catch((err: unknown) => log.error('state reload failed', { error: errorMessage(err) }));
        return sendJson(res, 202, { status: 'started', started: name === undefined ? known : [name], wait_seconds: waitMs / 1000 });
      }
      sendJson(res, result.errors.length ? 502 : 200, result);
    } catch (err) {
      sendJson(res, 500, { error: errorMessage(err) });
    } finally {
      clearTimeout(timer);
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
  let settled = false;
  // POST /azure processes before answering (forwarders read the status and retry), so until every state
  // source has had its first load it answers 503 with Retry-After instead of judging against no state.
  const azurePath = config.inputs.azure_http.path;
  const azureRoute = config.inputs.azure_http.enabled ? server.handler('POST', azurePath) : undefined;
  if (azureRoute)
    server.route('POST', azurePath, (req, res, ctx) => {
      if (settled) return azureRoute(req, res, ctx);
      req.resume();
      res.setHeader('retry-after', '5');
      sendJson(res, 503, { error: 'state sources are still loading; retry shortly', loading_states: states.loadingSources() });
    });

  // Listener and journal first: alerts are acknowledged and kept from the first second, whatever the backends do.
  ingest.startInputs();
  const { url } = await server.start();
  listening = true;
  log.info('tfdrift listening; state sources load in the background', { url, version: VERSION, states: states.statuses().map((s) => s.name) });
  // Alerts wait in the journal until every source has had its first load (with retries), so they meet the real state.
  const statesSettled = states.reload().then(() => states.settled()).then(() => {
    if (!listening) return;
    settled = true;
    states.startPolling();
    ingest.start();
    azure.start();
    // The archive is read into the journal once alerts are being processed; live alerts interleave with it.
    backfill?.start(ingest.alerts);
    log.info('state sources settled; processing alerts', { states: states.statuses().map((s) => `${s.name}: ${s.health}, ${s.resources} resources`) });
  });
  return {
    config, metrics, states, pipeline, outputs, server, ingest, backfill, url, statesSettled,
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
