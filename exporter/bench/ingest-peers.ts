/**
 * Second-process peers for bench/ingest.bench.ts (run with `node --import tsx`):
 *   grpc-server PORT N   a Falco-like gRPC outputs server on raw HTTP/2 that streams N
 *                        pre-encoded alerts in large writes, as Falco's C++ server can
 *                        (grpc-js's own server manages only a few thousand messages/s)
 *   load URL RATE SECONDS CONNECTIONS   posts unique ~1.5 KB Falco bodies at a fixed rate
 *                        over raw keep-alive sockets; prints {sent, ok, failed} as JSON
 */
import http2 from 'node:http2';
import net from 'node:net';
import { loadFalcoProtos } from '../src/ingest/proto.js';
import { benchAlert, benchRecord } from './ingest-data.js';
import { falcoFieldsFromCloudTrail } from '../src/providers/aws/falco-fields.js';

type Serialize = (v: object) => Buffer;

function frame(msg: Buffer): Buffer {
  const f = Buffer.allocUnsafe(5 + msg.length);
  f.writeUInt8(0, 0);
  f.writeUInt32BE(msg.length, 1);
  msg.copy(f, 5);
  return f;
}

async function grpcServer(port: number, n: number): Promise<void> {
  const def = loadFalcoProtos();
  const ser = (def['falco.outputs.service'] as Record<string, { responseSerialize: Serialize }>).sub.responseSerialize;
  const verSer = (def['falco.version.service'] as Record<string, { responseSerialize: Serialize }>).version.responseSerialize;
  const chunks: Buffer[] = [];
  let batch: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const fields = Object.fromEntries(Object.entries(falcoFieldsFromCloudTrail(benchRecord(`g${i}`))).map(([k, v]) => [k, String(v)]));
    batch.push(frame(ser({ time: { seconds: '1722519461', nanos: 0 }, priority: 4, rule: 'Terraform drift: AWS iam write', output: 'AWS write', output_fields: fields, hostname: 'falco-bench', tags: ['tfdrift'], source: 'aws_cloudtrail' })));
    if (batch.length === 500) {
      chunks.push(Buffer.concat(batch));
      batch = [];
    }
  }
  if (batch.length) chunks.push(Buffer.concat(batch));
  const server = http2.createServer({ settings: { initialWindowSize: 16 * 2 ** 20 } });
  server.on('stream', (stream, headers) => {
    const path = headers[':path'];
    stream.on('error', () => undefined);
    if (path === '/falco.version.service/version') {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(frame(verSer({ version: '0.43.0-bench', major: 0, minor: 43, patch: 0 })));
      stream.resume();
      return;
    }
    if (path !== '/falco.outputs.service/sub') {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12' }, { endStream: true });
      return;
    }
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
    stream.resume(); // the client's periodic requests
    let i = 0;
    const pump = (): void => {
      while (i < chunks.length) if (!stream.write(chunks[i++])) return void stream.once('drain', pump);
    };
    pump();
  });
  server.listen(port, '127.0.0.1', () => process.stdout.write(`READY ${(server.address() as { port: number }).port}\n`));
}

/**
 * Paced load over raw keep-alive sockets (Node's http client would cost more CPU than the
 * exporter on a shared 2-CPU host): one request in flight per connection, as Falco's
 * http_output sends; a request is due every 1/RATE s; late ones go out as soon as a connection
 * frees up (so a saturated exporter shows as an achieved rate below RATE, not as lost requests).
 */
async function load(url: string, rate: number, seconds: number, connections: number): Promise<void> {
  const target = new URL(url);
  const head = `POST ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nContent-Type: application/json\r\n`;
  let sent = 0;
  let ok = 0;
  let failed = 0;
  const total = rate * seconds;
  const started = Date.now();
  const idle: net.Socket[] = [];
  const request = (sock: net.Socket): void => {
    const body = JSON.stringify(benchAlert(`l${sent}`));
    sent++;
    sock.write(`${head}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  };
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));
  const due = (): number => Math.min(total, Math.floor(((Date.now() - started) / 1000) * rate));
  const pump = (): void => {
    while (idle.length > 0 && sent < due()) request(idle.pop()!);
    if (sent >= total && idle.length === connections) finish();
  };
  for (let i = 0; i < connections; i++) {
    const sock = net.connect(Number(target.port), target.hostname);
    sock.setNoDelay(true);
    let buf = '';
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/content-length: *(\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        if (buf.startsWith('HTTP/1.1 200')) ok++;
        else failed++;
        buf = buf.slice(end + 4 + length);
        idle.push(sock);
        pump();
      }
    });
    sock.on('error', () => failed++);
    sock.on('connect', () => {
      idle.push(sock);
      pump();
    });
  }
  const timer = setInterval(pump, 1);
  await done;
  clearInterval(timer);
  process.stdout.write(`${JSON.stringify({ sent, ok, failed, seconds: (Date.now() - started) / 1000 })}\n`);
  process.exit(0);
}

const [mode, a, b, c, d] = process.argv.slice(2);
if (mode === 'grpc-server') await grpcServer(Number(a), Number(b));
else if (mode === 'load') await load(a, Number(b), Number(c), Number(d));
else throw new Error(`unknown mode ${mode}`);
