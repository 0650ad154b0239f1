import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StateSourceInfo } from '../../src/state/model.js';

export const AWS = 'provider["registry.terraform.io/hashicorp/aws"]';

export function source(over: Partial<StateSourceInfo> = {}): StateSourceInfo {
  return { name: 'test', location: 'test.tfstate', provider: 'aws', accountId: null, region: null, ...over };
}

export interface ResSpec {
  type: string;
  name: string;
  module?: string;
  provider?: string;
  mode?: 'managed' | 'data';
  instances: Record<string, unknown>[];
}

/** A Terraform v4 state document with these resources (instances are full instance objects). */
export function stateText(resources: ResSpec[], extra: { serial?: number; lineage?: string; version?: number } = {}): string {
  return JSON.stringify({
    version: extra.version ?? 4, terraform_version: '1.9.8', serial: extra.serial ?? 1, lineage: extra.lineage ?? 'lin-1', outputs: {},
    resources: resources.map((r) => ({ mode: r.mode ?? 'managed', type: r.type, name: r.name, ...(r.module ? { module: r.module } : {}), provider: r.provider ?? AWS, instances: r.instances })),
  });
}

/** One managed AWS resource per (type, name, attributes). */
export function awsState(items: { type: string; name: string; attributes: Record<string, unknown> }[], extra: { serial?: number; lineage?: string } = {}): string {
  return stateText(items.map((i) => ({ type: i.type, name: i.name, instances: [{ schema_version: 0, attributes: i.attributes, sensitive_attributes: [] }] })), extra);
}

export interface PeerLog {
  requests: { method: string; url: string; status: number; bytes: number; headers: http.IncomingHttpHeaders }[];
  /** Response body bytes sent for GETs of state content (not listings). */
  count(filter: (r: PeerLog['requests'][number]) => boolean): number;
}

/** A node:http server; every request and the bytes of its response body are logged. */
export async function startServer(handler: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void): Promise<{ url: string; log: PeerLog; close(): Promise<void> }> {
  const log: PeerLog = { requests: [], count: (f) => log.requests.filter(f).length };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', status: 0, bytes: 0, headers: req.headers };
      log.requests.push(entry);
      const write = res.write.bind(res);
      const end = res.end.bind(res);
      res.write = ((chunk: unknown, ...rest: unknown[]) => {
        if (chunk) entry.bytes += Buffer.byteLength(chunk as string);
        return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof res.write;
      res.end = ((chunk?: unknown, ...rest: unknown[]) => {
        if (chunk && typeof chunk !== 'function') entry.bytes += Buffer.byteLength(chunk as string);
        entry.status = res.statusCode;
        return (end as (...a: unknown[]) => http.ServerResponse)(chunk, ...rest);
      }) as typeof res.end;
      handler(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, log, close: () => new Promise((r) => server.close(() => r())) };
}

/** A counting reverse proxy in front of a real peer (s3rver, Azurite): what the exporter actually asked for. */
export async function countingProxy(target: string): Promise<{ url: string; log: PeerLog; close(): Promise<void> }> {
  const t = new URL(target);
  const log: PeerLog = { requests: [], count: (f) => log.requests.filter(f).length };
  const server = http.createServer((req, res) => {
    const entry = { method: req.method ?? '', url: req.url ?? '', status: 0, bytes: 0, headers: req.headers };
    log.requests.push(entry);
    const up = http.request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      entry.status = upRes.statusCode ?? 0;
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.on('data', (d: Buffer) => (entry.bytes += d.length));
      upRes.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, log, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}
