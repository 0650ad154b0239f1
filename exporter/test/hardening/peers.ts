import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import winston from 'winston';
import Transport from 'winston-transport';

/**
 * A loopback HTTP proxy in front of a real peer (s3rver, an HTTP state server, a GCS JSON-API
 * server) that, while `hang` is on, accepts each connection, reads the request and never answers:
 * the failure mode of issue 16 (an endpoint that accepts and goes silent). `held` counts requests
 * left without an answer; `forwarded` those passed through.
 */
export interface GatedProxy {
  url: string;
  hang: boolean;
  held: number;
  forwarded: number;
  close(): Promise<void>;
}

export async function gatedProxy(target: string): Promise<GatedProxy> {
  const t = new URL(target);
  const sockets = new Set<net.Socket>();
  const state = { hang: true, held: 0, forwarded: 0 };
  const server = http.createServer((req, res) => {
    if (state.hang) {
      state.held++;
      req.resume(); // read it all, answer nothing
      return;
    }
    state.forwarded++;
    const up = http.request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.keepAliveTimeout = 0;
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  }) as GatedProxy;
}

/** Terraform's HTTP state backend protocol: GET → 200 with the state (ETag), 404 when there is none. */
export async function httpStatePeer(states: Map<string, string>): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const body = states.get(new URL(req.url ?? '/', 'http://x').pathname);
    if (req.method !== 'GET' || body === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json', etag: `"${body.length}"` }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

/** The GCS JSON API's object GET (`alt=media`, `x-goog-generation`), as the gcs backend calls it. */
export async function gcsPeer(bucket: string, objects: Map<string, string>): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/storage\/v1\/b\/([^/]+)\/o\/(.+)$/.exec(url.pathname);
    const body = m && m[1] === bucket ? objects.get(decodeURIComponent(m[2])) : undefined;
    if (!req.headers.authorization?.startsWith('Bearer ')) return void res.writeHead(401).end('{"error":{"code":401}}');
    if (body === undefined || url.searchParams.get('alt') !== 'media') return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":404,"message":"No such object"}}');
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-goog-generation': String(body.length) }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

export interface LogLine {
  level: string;
  message: string;
  meta: Record<string, unknown>;
}

/** A winston logger that keeps every line (for "logged once, with the cause" checks). */
export function capturingLogger(): { log: winston.Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const sink = new (class extends Transport {
    override log(info: Record<string, unknown>, next: () => void): void {
      const { level, message, ...meta } = info;
      lines.push({ level: String(level), message: String(message), meta });
      next();
    }
  })();
  return { log: winston.createLogger({ level: 'debug', transports: [sink] }), lines };
}

/** Polls `probe` until it returns a value (not undefined), or throws after `ms`. Waits on events, not on fixed sleeps. */
export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, ms = 60_000, what = 'condition'): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
