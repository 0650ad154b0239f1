/**
 * Second-process peers for bench/ingest.bench.ts (run with `node --import tsx`):
 *   grpc-server PORT N   a Falco-like gRPC outputs server on raw HTTP/2 that streams N
 *                        pre-encoded alerts in large writes, as Falco's C++ server can
 *                        (grpc-js's own server manages only a few thousand messages/s)
 *   load URL RATE SECONDS CONNECTIONS   posts unique ~1.5 KB Falco bodies at a fixed rate
 *                        over keep-alive connections; prints {sent, ok, failed} as JSON
 */
import http2 from 'node:http2';
import { Agent, request } from 'node:http';
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

async function load(url: string, rate: number, seconds: number, connections: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(url);
  let sent = 0;
  let ok = 0;
  let failed = 0;
  let inflight = 0;
  const total = rate * seconds;
  const started = Date.now();
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * rate));
      while (sent < due && inflight < connections * 4) {
        const body = JSON.stringify(benchAlert(`l${sent}`));
        sent++;
        inflight++;
        const req = request(target, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
          res.resume();
          res.on('end', () => {
            inflight--;
            if (res.statusCode === 200) ok++;
            else failed++;
          });
        });
        req.on('error', () => {
          inflight--;
          failed++;
        });
        req.end(body);
      }
      if (sent >= total && inflight === 0) return resolve();
      setImmediate(tick);
    };
    tick();
  });
  process.stdout.write(`${JSON.stringify({ sent, ok, failed, seconds: (Date.now() - started) / 1000 })}\n`);
  agent.destroy();
}

const [mode, a, b, c, d] = process.argv.slice(2);
if (mode === 'grpc-server') await grpcServer(Number(a), Number(b));
else if (mode === 'load') await load(a, Number(b), Number(c), Number(d));
else throw new Error(`unknown mode ${mode}`);
