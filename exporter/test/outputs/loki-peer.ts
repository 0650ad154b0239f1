import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import snappy from 'snappyjs';

/**
 * A Loki push endpoint on loopback for fault tests. Decodes what real Loki accepts (JSON, gzip JSON,
 * snappy protobuf logproto.PushRequest, parsed here from its own .proto text, independent of the
 * exporter's encoder), stores entries the way Loki's read path returns them (identical stream +
 * timestamp + line counted once), and answers as told: 204, 429, 400, 500, slowly, never, or not at all.
 */
const PUSH_PROTO = `
syntax = "proto3";
package logproto;
message Timestamp { int64 seconds = 1; int32 nanos = 2; }
message PushRequest { repeated StreamAdapter streams = 1; }
message StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }
message LabelPairAdapter { string name = 1; string value = 2; }
message EntryAdapter { Timestamp timestamp = 1; string line = 2; repeated LabelPairAdapter structuredMetadata = 3; }
`;
const PushRequest = protobuf.parse(PUSH_PROTO).root.lookupType('logproto.PushRequest');

export interface PeerEntry {
  labels: Record<string, string>;
  ts: bigint;
  line: string;
}

/** What to do with one push: answer (optionally late), hang, or reset the connection. `reject` = entries Loki refuses (400). */
export type Reply =
  | { status: number; delayMs?: number; retryAfter?: string; body?: string }
  | { stall: true }
  | { reset: true };

export function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (const m of text.matchAll(re)) out[m[1]] = m[2].replace(/\\(.)/g, (_s, c: string) => (c === 'n' ? '\n' : c));
  return out;
}

const key = (labels: Record<string, string>): string => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));

export class LokiPeer {
  server: Server | null = null;
  port = 0;
  /** Decides each push's fate; default 204. `n` counts pushes from 0. */
  behave: (n: number, entries: PeerEntry[]) => Reply = () => ({ status: 204 });
  /** Entries Loki would refuse (too old, too long…): the rest of the push is stored and 400 answered. */
  refuse: (e: PeerEntry) => string | null = () => null;
  pushes = 0;
  rawEntries = 0;
  duplicates = 0;
  outOfOrder = 0;
  formats = new Set<string>();
  lastHeaders: IncomingMessage['headers'] = {};
  private readonly stored = new Map<string, PeerEntry>();
  private readonly lastTs = new Map<string, bigint>();
  private readonly sockets = new Set<Socket>();

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  entries(): PeerEntry[] {
    return [...this.stored.values()];
  }

  driftIds(): string[] {
    return this.entries().map((e) => (JSON.parse(e.line) as { drift_id: string }).drift_id);
  }

  async start(port = this.port): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** Down: the port refuses connections and open ones are cut. */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    for (const sock of this.sockets) sock.destroy();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  decode(req: IncomingMessage, body: Buffer): PeerEntry[] {
    const type = req.headers['content-type'] ?? '';
    if (type.startsWith('application/x-protobuf')) {
      this.formats.add('protobuf');
      const msg = PushRequest.toObject(PushRequest.decode(Buffer.from(snappy.uncompress(body))), { longs: String }) as {
        streams?: { labels: string; entries?: { timestamp: { seconds: string; nanos?: number }; line: string }[] }[];
      };
      return (msg.streams ?? []).flatMap((s) =>
        (s.entries ?? []).map((e) => ({ labels: parseLabels(s.labels), ts: BigInt(e.timestamp.seconds) * 1_000_000_000n + BigInt(e.timestamp.nanos ?? 0), line: e.line })),
      );
    }
    if (type.startsWith('application/json')) {
      const gz = req.headers['content-encoding'] === 'gzip';
      this.formats.add(gz ? 'json+gzip' : 'json');
      const doc = JSON.parse((gz ? gunzipSync(body) : body).toString('utf8')) as { streams: { stream: Record<string, string>; values: [string, string][] }[] };
      return doc.streams.flatMap((s) => s.values.map(([ts, line]) => ({ labels: s.stream, ts: BigInt(ts), line })));
    }
    throw new Error(`unsupported content-type ${type}`);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    this.lastHeaders = req.headers;
    if (req.url !== '/loki/api/v1/push') return void res.writeHead(404).end('404 page not found');
    let entries: PeerEntry[];
    try {
      entries = this.decode(req, Buffer.concat(chunks));
    } catch (err) {
      return void res.writeHead(400).end(`error decoding push: ${(err as Error).message}`);
    }
    const n = this.pushes++;
    const reply = this.behave(n, entries);
    if ('reset' in reply) return void req.socket.destroy();
    const accept = 'stall' in reply || (reply.status >= 200 && reply.status < 300);
    const refused: string[] = [];
    if (accept) {
      for (const e of entries) {
        const why = this.refuse(e);
        if (why) refused.push(why);
        else this.store(e);
      }
    }
    if ('stall' in reply) return; // stored, never answered: the client must time out
    const answer = (): void => {
      if (accept && refused.length > 0) return void res.writeHead(400).end(refused.join('\n'));
      const headers: Record<string, string> = reply.retryAfter ? { 'retry-after': reply.retryAfter } : {};
      res.writeHead(reply.status, headers).end(reply.body ?? '');
    };
    if (reply.delayMs) setTimeout(answer, reply.delayMs);
    else answer();
  }

  private store(e: PeerEntry): void {
    this.rawEntries++;
    const stream = key(e.labels);
    const id = `${stream}\u0000${e.ts}\u0000${e.line}`;
    if (this.stored.has(id)) {
      this.duplicates++;
      return;
    }
    const last = this.lastTs.get(stream);
    if (last !== undefined && e.ts < last) this.outOfOrder++;
    else this.lastTs.set(stream, e.ts);
    this.stored.set(id, e);
  }
}

/** A clock whose sleeps pass instantly in virtual time; `onAdvance` lets a test act at a virtual moment. */
export function virtualClock(onAdvance?: (now: number) => void | Promise<void>) {
  const clock = {
    t: 0,
    now: () => clock.t,
    async sleep(ms: number, signal?: AbortSignal): Promise<void> {
      if (signal?.aborted) return;
      clock.t += ms;
      await onAdvance?.(clock.t);
      await new Promise((r) => setImmediate(r));
    },
  };
  return clock;
}

/** Polls (real time) until the condition holds; the limit only stops a broken test from hanging. */
export async function until(cond: () => boolean, limitMs = 15_000, poll?: () => Promise<void>): Promise<void> {
  const end = Date.now() + limitMs;
  for (;;) {
    await poll?.();
    if (cond()) return;
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, poll ? 250 : 5));
  }
}
