import type { Config } from '../../config/schema.js';
import type { Metrics } from '../../metrics/registry.js';
import type { Pipeline } from '../../pipeline.js';
import type { HttpServer } from '../../server/http.js';
import type { Logger } from '../../util/logger.js';
import { AzureEventHubsInput, type ConsumerClientFactory } from './eventhubs.js';
import { azureHttpRoute } from './http.js';

export interface AzureInputs {
  start(): void;
  stop(): Promise<void>;
  connected(httpListening: boolean): { labels: { input: string }; value: number }[];
  eventHubs: AzureEventHubsInput | null;
}

/** The daemon's Azure inputs: POST /azure for forwarders and the Event Hubs consumer, as configured. */
export function wireAzureInputs(
  config: Config,
  deps: { server: HttpServer; pipeline: Pipeline; metrics: Metrics; log: Logger; clientFactory?: ConsumerClientFactory },
): AzureInputs {
  const provider = deps.pipeline.provider('azure');
  const { azure_http: http, azure_event_hubs: hubs } = config.inputs;
  if (!provider) return { start() {}, stop: async () => {}, connected: () => [], eventHubs: null };
  if (http.enabled) deps.server.route('POST', http.path, azureHttpRoute(deps.pipeline, provider, deps.metrics, http.max_body_bytes));
  const eventHubs = hubs.enabled
    ? new AzureEventHubsInput(hubs, { pipeline: deps.pipeline, provider, metrics: deps.metrics, log: deps.log, storageDir: config.storage.dir, clientFactory: deps.clientFactory })
    : null;
  return {
    eventHubs,
    start: () => eventHubs?.start(),
    stop: async () => eventHubs?.stop(),
    connected: (listening) => [
      ...(http.enabled ? [{ labels: { input: 'azure_http' }, value: listening ? 1 : 0 }] : []),
      ...(eventHubs ? [{ labels: { input: 'azure_event_hubs' }, value: eventHubs.isConnected() ? 1 : 0 }] : []),
    ],
  };
}
