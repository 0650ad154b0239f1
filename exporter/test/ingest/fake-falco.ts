import * as grpc from '@grpc/grpc-js';
import type * as protoLoader from '@grpc/proto-loader';
import { loadFalcoProtos } from '../../src/ingest/proto.js';
import type { FalcoResponse } from '../../src/ingest/proto.js';

/**
 * A Falco gRPC outputs server for tests, built from the project's proto/ files. Like Falco it
 * keeps a queue and answers each `sub` request with what is queued; a raw Buffer in the queue
 * is sent as-is (malformed protobuf for fuzzing). It can cut streams mid-way and, to model
 * at-least-once delivery across reconnects, resend the last few messages of a cut stream.
 */
export class FakeFalco {
  readonly queue: (FalcoResponse | Buffer)[] = [];
  private server: grpc.Server | null = null;
  private readonly calls = new Set<grpc.ServerDuplexStream<unknown, unknown>>();
  /** Messages written per stream before it is cut (Infinity: never). */
  cutAfter = Infinity;
  /** Messages of a cut stream resent at the head of the queue for the next subscriber. */
  redeliver = 0;
  streams = 0;
  sent = 0;
  versionCalls = 0;
  private readonly def: protoLoader.PackageDefinition;

  constructor() {
    const def = loadFalcoProtos();
    const service = { ...(def['falco.outputs.service'] as protoLoader.ServiceDefinition) };
    for (const name of ['sub', 'get'] as const) {
      const serialize = service[name].responseSerialize;
      service[name] = { ...service[name], responseSerialize: (v: unknown) => (Buffer.isBuffer(v) ? v : serialize(v as object)) };
    }
    this.def = { ...def, 'falco.outputs.service': service };
  }

  async start(address: string, creds = grpc.ServerCredentials.createInsecure()): Promise<string> {
    const server = new grpc.Server();
    const pkg = grpc.loadPackageDefinition(this.def) as unknown as {
      falco: { outputs: { service: { service: grpc.ServiceDefinition } }; version: { service: { service: grpc.ServiceDefinition } } };
    };
    server.addService(pkg.falco.outputs.service.service, {
      sub: (call: grpc.ServerDuplexStream<unknown, unknown>) => {
        this.streams++;
        this.calls.add(call);
        let written = 0;
        const history: (FalcoResponse | Buffer)[] = [];
        const flush = (): void => {
          while (this.queue.length > 0 && this.calls.has(call)) {
            if (written >= this.cutAfter) {
              this.calls.delete(call);
              this.queue.unshift(...history.slice(-this.redeliver).slice(0, this.redeliver));
              // Ends the stream with UNAVAILABLE after what was written, as a Falco restart would.
              call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'cut mid-stream' });
              return;
            }
            const msg = this.queue.shift()!;
            history.push(msg);
            if (history.length > 100) history.shift();
            written++;
            this.sent++;
            call.write(msg);
          }
        };
        call.on('data', flush);
        call.on('error', () => this.calls.delete(call));
        call.on('end', () => {
          this.calls.delete(call);
          call.end();
        });
      },
      get: (call: grpc.ServerWritableStream<unknown, unknown>) => {
        while (this.queue.length > 0) {
          this.sent++;
          call.write(this.queue.shift()!);
        }
        call.end();
      },
    });
    server.addService(pkg.falco.version.service.service, {
      version: (_call: unknown, cb: grpc.sendUnaryData<unknown>) => {
        this.versionCalls++;
        cb(null, { version: '0.43.0', major: 0, minor: 43, patch: 0, prerelease: '', build: '' });
      },
    });
    const port = await new Promise<number>((resolve, reject) => server.bindAsync(address, creds, (err, p) => (err ? reject(err) : resolve(p))));
    this.server = server;
    return address.startsWith('unix:') ? address : `${address.replace(/:\d+$/, '')}:${port}`;
  }

  /** Drops the server and every connection, as a Falco restart would. */
  async kill(): Promise<void> {
    for (const c of this.calls) c.emit('error', { code: grpc.status.UNAVAILABLE, details: 'server going away' });
    this.calls.clear();
    this.server?.forceShutdown();
    this.server = null;
  }

  get activeStreams(): number {
    return this.calls.size;
  }
}

export async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
