import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import type { Counter } from 'prom-client';
import type { ServerConfig } from './config.js';
import { isAuthorised, isLoopbackHost, splitListen } from './auth.js';
import { ConfigError, errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { Rejections } from './rejections.js';

export interface RouteContext {
  url: URL;
}
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, ctx: RouteContext) => void | Promise<void>;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Refuses to start an unauthenticated server beyond loopback. */
export function checkServerSecurity(config: ServerConfig): void {
  const { host } = splitListen(config.listen);
  const mtls = config.tls.enabled && config.tls.client_ca !== '';
  if (!isLoopbackHost(host) && config.token === '' && !mtls)
    throw new ConfigError([
      `server.listen: "${config.listen}" is beyond loopback, so server.token (TFDRIFT_SERVER_TOKEN) or mutual TLS (server.tls.client_ca) is required`,
    ]);
  if (config.tls.enabled && (config.tls.cert === '' || config.tls.key === ''))
    throw new ConfigError(['server.tls: cert and key are required when tls.enabled is true']);
}

/** The exporter's one HTTP(S) server; rooms contribute routes. */
export class HttpServer {
  private readonly routes = new Map<string, RouteHandler>();
  private server: Server | null = null;
  private readonly requireAuth: boolean;
  private readonly rejections: Rejections;

  constructor(
    private readonly config: ServerConfig,
    private readonly log: Logger,
    /** tfdrift_http_requests_rejected_total{reason}, when metrics are kept. */
    rejected: Counter<'reason'> | null = null,
  ) {
    checkServerSecurity(config);
    this.requireAuth = !isLoopbackHost(splitListen(config.listen).host) || config.token !== '';
    this.rejections = new Rejections(rejected, log);
  }

  route(method: string, path: string, handler: RouteHandler): void {
    this.routes.set(`${method} ${path}`, handler);
  }

  /** The handler a room registered, for the app to wrap (e.g. gate it until states have loaded). */
  handler(method: string, path: string): RouteHandler | undefined {
    return this.routes.get(`${method} ${path}`);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const handler = this.routes.get(`${req.method} ${url.pathname}`);
    if (!handler) {
      const allowed = [...this.routes.keys()].filter((k) => k.endsWith(` ${url.pathname}`)).map((k) => k.split(' ')[0]);
      if (allowed.length > 0) {
        res.setHeader('allow', allowed.join(', '));
        return sendJson(res, 405, { error: `method ${req.method} not allowed on ${url.pathname}` });
      }
      return sendJson(res, 404, { error: `no endpoint ${url.pathname}` });
    }
    if (this.requireAuth && !isAuthorised(req, url, this.config.token)) {
      const offered = req.headers.authorization !== undefined || url.searchParams.has('token');
      this.rejections.record(offered ? 'invalid_credential' : 'missing_credential', req.socket.remoteAddress, url.pathname);
      req.resume();
      res.setHeader('www-authenticate', 'Bearer realm="tfdrift"');
      return sendJson(res, 401, { error: 'credential required: Authorization: Bearer <token>, ?token=<token>, or a client certificate' });
    }
    await handler(req, res, { url });
  }

  async start(): Promise<{ host: string; port: number; url: string }> {
    const { host, port } = splitListen(this.config.listen);
    const listener = (req: IncomingMessage, res: ServerResponse): void => {
      this.handle(req, res).catch((err: unknown) => {
        this.log.error('request failed', { path: req.url, error: errorMessage(err) });
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
        else res.destroy();
      });
    };
    const tls = this.config.tls;
    const limits = this.config.limits;
    const timeouts = {
      requestTimeout: limits.request_seconds * 1000,
      headersTimeout: limits.headers_seconds * 1000,
      keepAliveTimeout: limits.keep_alive_seconds * 1000,
      // How often Node checks the two timeouts above (its default, 30 s, would let a slow body run far past them).
      connectionsCheckingInterval: Math.max(100, Math.min(1000, (limits.headers_seconds * 1000) / 4)),
    };
    this.server = tls.enabled
      ? createHttpsServer(
          {
            ...timeouts,
            cert: readFileSync(tls.cert),
            key: readFileSync(tls.key),
            ...(tls.client_ca ? { ca: readFileSync(tls.client_ca), requestCert: true, rejectUnauthorized: false } : {}),
          },
          listener,
        )
      : createHttpServer(timeouts, listener);
    this.server.maxConnections = limits.max_connections;
    this.server.on('drop', (data?: { remoteAddress?: string }) => this.rejections.record('connection_limit', data?.remoteAddress, ''));
    this.server.on('clientError', (err: Error & { code?: string }, socket: Socket) => this.onClientError(err, socket));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    const addr = this.server.address() as AddressInfo;
    const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    return { host: addr.address, port: addr.port, url: `${tls.enabled ? 'https' : 'http'}://${shownHost}:${addr.port}` };
  }

  /** Node's timeouts and parse errors arrive here; answer as Node would, and count them. */
  private onClientError(err: Error & { code?: string }, socket: Socket): void {
    // Node reports the headers and the whole-request timeout alike, as ERR_HTTP_REQUEST_TIMEOUT.
    const reason = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'request_timeout' : err.code === 'ECONNRESET' ? null : 'bad_request';
    if (reason !== null) {
      this.rejections.record(reason, socket.remoteAddress, '');
      if (socket.writable && socket.bytesWritten === 0) {
        const status = reason === 'bad_request' ? '400 Bad Request' : '408 Request Timeout';
        socket.write(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      }
    }
    socket.destroy();
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = null;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeIdleConnections?.();
    });
  }
}

/** Reads a request body up to `limit` bytes; rejects with status 413 beyond it. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(Object.assign(new Error(`body of ${declared} bytes exceeds the ${limit}-byte limit`), { status: 413 }));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return; // discard the rest so the client still reads our 413
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        req.socket.setTimeout(10_000, () => req.destroy()); // a client streaming forever is cut off
        reject(Object.assign(new Error(`body exceeds the ${limit}-byte limit`), { status: 413 }));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
