import type { DriftRecord } from '../../src/types/drift';
import { handleLokiRequest, PeerResponse } from './loki';
import { handlePrometheusRequest } from './prometheus';

/**
 * The slice of Grafana's HTTP API the plugin uses: the datasource proxy (forwarded to the Loki and
 * Prometheus peers), the datasource list and the plugin settings endpoint. Shared by the jest fake
 * backend (in process) and the browser harness server (forwarding over HTTP to the peers).
 */
export type Upstream = (
  kind: 'loki' | 'prometheus',
  path: string,
  params: Record<string, string>,
) => Promise<PeerResponse>;

export const DATASOURCES = [
  { uid: 'loki', name: 'Loki', type: 'loki' },
  { uid: 'prometheus', name: 'Prometheus', type: 'prometheus' },
];

export interface GrafanaApiState {
  records: DriftRecord[];
  upstream?: Upstream;
  /** Bodies POSTed to /api/plugins/<id>/settings, newest last. */
  savedSettings: unknown[];
  /** Every request seen, for assertions on the queries the pages sent. */
  requests: Array<{ method: string; path: string; params: Record<string, string> }>;
}

export function inProcessUpstream(records: DriftRecord[]): Upstream {
  return async (kind, path, params) =>
    kind === 'loki'
      ? handleLokiRequest(path, params, records)
      : handlePrometheusRequest(path, params, records);
}

export async function handleGrafanaApi(
  method: string,
  path: string,
  params: Record<string, string>,
  body: unknown,
  state: GrafanaApiState,
): Promise<PeerResponse> {
  state.requests.push({ method, path, params });
  const proxy = /^\/api\/datasources\/proxy\/uid\/([^/]+)(\/.*)$/.exec(path);
  if (proxy) {
    const ds = DATASOURCES.find((d) => d.uid === decodeURIComponent(proxy[1]));
    if (!ds) {
      return { status: 404, body: { message: 'Data source not found' } };
    }
    const upstream = state.upstream ?? inProcessUpstream(state.records);
    return upstream(ds.type as 'loki' | 'prometheus', proxy[2], params);
  }
  if (method === 'GET' && path === '/api/datasources') {
    return {
      status: 200,
      body: DATASOURCES.map((d, i) => ({ id: i + 1, ...d, access: 'proxy', url: `http://${d.type}` })),
    };
  }
  const settings = /^\/api\/plugins\/([^/]+)\/settings$/.exec(path);
  if (settings && method === 'POST') {
    state.savedSettings.push(body);
    return { status: 200, body: { message: 'Plugin settings updated' } };
  }
  return { status: 404, body: { message: 'Not found' } };
}
