import fs from 'fs';
import http from 'http';
import path from 'path';
import type { AddressInfo } from 'net';
import type { DriftRecord } from '../../src/types/drift';
import { GrafanaApiState, handleGrafanaApi } from '../peers/grafanaApi';
import { handleLokiRequest, PeerResponse } from '../peers/loki';
import { handlePrometheusRequest } from '../peers/prometheus';

/** Loopback HTTP servers for the browser test: a Loki peer, a Prometheus peer and the harness (Grafana API slice). */
export interface Running {
  url: string;
  close: () => Promise<void>;
}

function listen(handler: http.RequestListener): Promise<Running> {
  const server = http.createServer(handler);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk) => (data += chunk));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, answer: PeerResponse): void {
  const isText = typeof answer.body === 'string';
  res.writeHead(answer.status, { 'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json' });
  res.end(isText ? (answer.body as string) : JSON.stringify(answer.body));
}

/** Query parameters from the URL and, for POST form bodies (Prometheus allows both), from the body. */
async function paramsOf(req: http.IncomingMessage, url: URL): Promise<Record<string, string>> {
  const params = Object.fromEntries(url.searchParams);
  if (
    req.method === 'POST' &&
    (req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')
  ) {
    Object.assign(params, Object.fromEntries(new URLSearchParams(await readBody(req))));
  }
  return params;
}

export interface LokiPeerOptions {
  /** Answer every request with this status (e.g. 502 from a proxy in front of a Loki that is down). */
  failWith?: number;
}

export function startLokiPeer(records: DriftRecord[], options: LokiPeerOptions = {}): Promise<Running> {
  return listen(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://loki');
    if (options.failWith) {
      send(res, { status: options.failWith, body: `${options.failWith} Bad Gateway` });
      return;
    }
    send(res, handleLokiRequest(url.pathname, await paramsOf(req, url), records));
  });
}

export function startPrometheusPeer(records: DriftRecord[]): Promise<Running> {
  return listen(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://prometheus');
    send(res, handlePrometheusRequest(url.pathname, await paramsOf(req, url), records));
  });
}

const ICONS_DIR = path.join(
  path.dirname(require.resolve('@grafana/ui/package.json')),
  'dist/public/img/icons',
);

const STATIC_TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.html': 'text/html',
  '.map': 'application/json',
};

/** Serves the bundled harness and answers /api/* like Grafana, proxying datasource calls to the peers over HTTP. */
export function startHarnessServer(
  bundleDir: string,
  state: GrafanaApiState,
  /** `grafana`: a Grafana API peer answering what the slice does not (alerting provisioning). */
  peers: { loki: string; prometheus: string; grafana?: string },
): Promise<Running> {
  state.upstream = async (kind, apiPath, params) => {
    const target = new URL(apiPath, kind === 'loki' ? peers.loki : peers.prometheus);
    Object.entries(params).forEach(([k, v]) => target.searchParams.set(k, v));
    let response: Response;
    try {
      response = await fetch(target);
    } catch {
      // Grafana's datasource proxy answers 502 when it cannot reach the data source.
      return { status: 502, body: { message: 'Bad Gateway' } };
    }
    const text = await response.text();
    const isJson = (response.headers.get('content-type') ?? '').includes('json');
    return { status: response.status, body: isJson ? JSON.parse(text) : text };
  };
  return listen(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://grafana');
    if (url.pathname.startsWith('/api/')) {
      const raw = await readBody(req);
      const body = raw ? JSON.parse(raw) : undefined;
      const params = Object.fromEntries(url.searchParams);
      const answer = await handleGrafanaApi(req.method ?? 'GET', url.pathname, params, body, state);
      if (answer.status === 404 && peers.grafana) {
        // Alerting provisioning API (the Alert rules page): forwarded to the Grafana API peer.
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) {
          if (
            typeof v === 'string' &&
            (k.startsWith('x-') || k === 'content-type' || k === 'authorization')
          ) {
            headers[k] = v;
          }
        }
        const forwarded = await fetch(new URL(url.pathname + url.search, peers.grafana), {
          method: req.method,
          headers,
          body: raw || undefined,
        });
        res.writeHead(forwarded.status, {
          'content-type': forwarded.headers.get('content-type') ?? 'application/json',
        });
        res.end(await forwarded.text());
        return;
      }
      send(res, answer);
      return;
    }
    // Grafana serves @grafana/ui's icons under public/build/img/icons/ (the harness sets that public path).
    const icon = /^\/public\/build\/img\/icons\/([a-z]+)\/([a-z0-9-]+)\.svg$/.exec(url.pathname);
    if (icon) {
      const file = path.join(ICONS_DIR, icon[1], `${icon[2]}.svg`);
      if (!fs.existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'image/svg+xml' });
      fs.createReadStream(file).pipe(res);
      return;
    }
    // Static files by name; every other path is an app URL (/a/<plugin id>/…): the harness page.
    const named = path.basename(url.pathname);
    // Files only: other harness bundles live in subfolders of the build dir named like app routes.
    const exists =
      named !== '' && fs.statSync(path.join(bundleDir, named), { throwIfNoEntry: false })?.isFile() === true;
    if (!exists && path.extname(named) !== '') {
      res.writeHead(404).end(); // fonts and images the harness does not ship
      return;
    }
    const file = exists ? named : 'index.html';
    const full = path.join(bundleDir, file);
    res.writeHead(200, { 'content-type': STATIC_TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(full).pipe(res);
  });
}

/** A whole stack for one browser session: Loki and Prometheus peers and the harness in front of them. */
export interface PluginStack {
  url: string;
  state: GrafanaApiState;
  close: () => Promise<void>;
}

export async function startPluginStack(
  bundleDir: string,
  records: DriftRecord[],
  options: { loki?: LokiPeerOptions; grafana?: string } = {},
): Promise<PluginStack> {
  const state: GrafanaApiState = { records, savedSettings: [], requests: [] };
  const [loki, prometheus] = await Promise.all([
    startLokiPeer(records, options.loki),
    startPrometheusPeer(records),
  ]);
  const harness = await startHarnessServer(bundleDir, state, {
    loki: loki.url,
    prometheus: prometheus.url,
    grafana: options.grafana,
  });
  return {
    url: harness.url,
    state,
    close: async () => {
      await Promise.all([harness.close(), loki.close(), prometheus.close()]);
    },
  };
}
