/**
 * A loopback Pub/Sub peer: a gRPC server implementing `google.pubsub.v1.Subscriber`
 * (StreamingPull, Acknowledge, ModifyAckDeadline) from Google's published protos (the copy
 * @google-cloud/pubsub ships), reached as the client library reaches the emulator
 * (`PUBSUB_EMULATOR_HOST`, plaintext). Semantics from the Pub/Sub reference: each delivery
 * leases a message under a fresh ack ID until its ack deadline; an ack with a stale ID does
 * nothing; ModifyAckDeadline 0 is a nack; an expired lease makes the message deliverable
 * again (delivery_attempt + 1). The lease clock is virtual, advanced by the test.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const require = createRequire(import.meta.url);
const PUBSUB_PROTOS = path.join(path.dirname(require.resolve('@google-cloud/pubsub')), '../protos');
const GAX_PROTOS = path.join(path.dirname(require.resolve('google-gax')), '../protos');

interface Lease {
  ackId: string;
  deadline: number;
  stream: PullStream;
}

interface PeerMessage {
  id: string;
  data: Buffer;
  publishTime: number;
  attempts: number;
  lease: Lease | null;
}

interface PullStream {
  call: grpc.ServerDuplexStream<Record<string, unknown>, Record<string, unknown>>;
  subscription: string;
  deadlineSeconds: number;
  maxOutstanding: number;
  closed: boolean;
}

export class PubSubPeer {
  private readonly server = new grpc.Server();
  private readonly subs = new Map<string, PeerMessage[]>();
  private readonly streams = new Set<PullStream>();
  private offsetMs = 0;
  private pumpScheduled = false;
  port = 0;
  /** RPC names as received (StreamingPull once per stream opened). */
  readonly calls: string[] = [];
  /** While set, Acknowledge calls are recorded but never applied nor answered (a crash before the ack lands). */
  holdAcks = false;
  /** Messages acknowledged after more than one delivery. */
  redeliveredAcks = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  createSubscription(path: string): void {
    this.subs.set(path, []);
  }

  publish(subscription: string, data: string | Buffer): string {
    const id = String(Math.floor(Math.random() * 1e15));
    this.list(subscription).push({ id, data: Buffer.from(data), publishTime: this.now(), attempts: 0, lease: null });
    // Coalesced: what is published in one turn goes out in one StreamingPullResponse, as Pub/Sub batches.
    if (!this.pumpScheduled) {
      this.pumpScheduled = true;
      setImmediate(() => {
        this.pumpScheduled = false;
        this.pump();
      });
    }
    return id;
  }

  /** StreamingPull streams open now. */
  get openStreams(): number {
    return this.streams.size;
  }

  /** Messages not yet acknowledged (leased or not). */
  backlog(subscription: string): number {
    return this.list(subscription).length;
  }

  data(subscription: string): string[] {
    return this.list(subscription).map((m) => m.data.toString('utf8'));
  }

  /** Moves the lease clock: leases past their deadline end and the messages are delivered again. */
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
    for (const msgs of this.subs.values()) for (const m of msgs) if (m.lease && m.lease.deadline <= this.now()) m.lease = null;
    this.pump();
  }

  private list(subscription: string): PeerMessage[] {
    const l = this.subs.get(subscription);
    if (!l) throw new Error(`no subscription ${subscription}`);
    return l;
  }

  async start(): Promise<void> {
    const def = protoLoader.loadSync('google/pubsub/v1/pubsub.proto', { includeDirs: [PUBSUB_PROTOS, GAX_PROTOS], keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
    const pkg = grpc.loadPackageDefinition(def) as unknown as { google: { pubsub: { v1: { Subscriber: { service: grpc.ServiceDefinition } } } } };
    const unimplemented = (name: string) => (_call: unknown, cb: grpc.sendUnaryData<unknown>) => {
      this.calls.push(name);
      cb({ code: grpc.status.UNIMPLEMENTED, details: `${name} is not implemented by this peer` } as grpc.ServiceError);
    };
    const impl: grpc.UntypedServiceImplementation = {};
    for (const name of Object.keys(pkg.google.pubsub.v1.Subscriber.service)) impl[name] = unimplemented(name);
    impl.StreamingPull = (call: grpc.ServerDuplexStream<Record<string, unknown>, Record<string, unknown>>) => this.streamingPull(call);
    impl.Acknowledge = (call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      this.calls.push('Acknowledge');
      if (this.holdAcks) return; // never answered
      this.ack(String(call.request.subscription), call.request.ack_ids as string[]);
      cb(null, {});
    };
    impl.ModifyAckDeadline = (call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      this.calls.push('ModifyAckDeadline');
      this.modify(String(call.request.subscription), call.request.ack_ids as string[], Number(call.request.ack_deadline_seconds));
      cb(null, {});
    };
    this.server.addService(pkg.google.pubsub.v1.Subscriber.service, impl);
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
    );
  }

  async stop(): Promise<void> {
    for (const s of this.streams) if (!s.closed) s.call.end();
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
  }

  private streamingPull(call: PullStream['call']): void {
    this.calls.push('StreamingPull');
    let stream: PullStream | null = null;
    call.on('data', (req: Record<string, unknown>) => {
      if (!stream) {
        const subscription = String(req.subscription ?? '');
        if (!this.subs.has(subscription)) {
          call.emit('error', { code: grpc.status.NOT_FOUND, details: `Subscription does not exist (resource=${subscription})` });
          return;
        }
        stream = { call, subscription, deadlineSeconds: Number(req.stream_ack_deadline_seconds) || 10, maxOutstanding: Number(req.max_outstanding_messages) || 1000, closed: false };
        this.streams.add(stream);
      }
      // Acks and deadline changes may also ride on the stream.
      const ackIds = (req.ack_ids as string[] | undefined) ?? [];
      if (ackIds.length > 0 && !this.holdAcks) this.ack(stream.subscription, ackIds);
      const modIds = (req.modify_deadline_ack_ids as string[] | undefined) ?? [];
      const secs = (req.modify_deadline_seconds as number[] | undefined) ?? [];
      modIds.forEach((id, i) => this.modify(stream!.subscription, [id], Number(secs[i])));
      this.pump();
    });
    const close = (): void => {
      if (stream) {
        stream.closed = true;
        this.streams.delete(stream);
      }
    };
    call.on('end', () => {
      close();
      call.end();
    });
    call.on('cancelled', close);
    call.on('error', close);
  }

  private ack(subscription: string, ackIds: string[]): void {
    const msgs = this.list(subscription);
    for (const id of ackIds) {
      const i = msgs.findIndex((m) => m.lease?.ackId === id);
      if (i < 0) continue; // stale or unknown ack ID: ignored, as Pub/Sub does
      if (msgs[i].attempts > 1) this.redeliveredAcks++;
      msgs.splice(i, 1);
    }
    this.pump();
  }

  private modify(subscription: string, ackIds: string[], seconds: number): void {
    for (const m of this.list(subscription)) {
      if (!m.lease || !ackIds.includes(m.lease.ackId)) continue;
      if (seconds === 0) m.lease = null; // nack: deliverable again at once
      else m.lease.deadline = this.now() + seconds * 1000;
    }
    this.pump();
  }

  /** Hands deliverable messages to open streams, round-robin, within each stream's outstanding limit. */
  private pump(): void {
    for (const [subscription, msgs] of this.subs) {
      const streams = [...this.streams].filter((s) => s.subscription === subscription && !s.closed);
      if (streams.length === 0) continue;
      const outstanding = new Map(streams.map((s) => [s, msgs.filter((m) => m.lease?.stream === s).length]));
      const batches = new Map<PullStream, Record<string, unknown>[]>();
      let turn = 0;
      for (const m of msgs) {
        if (m.lease) continue;
        let target: PullStream | null = null;
        for (let k = 0; k < streams.length && !target; k++) {
          const c = streams[(turn + k) % streams.length];
          if (outstanding.get(c)! < c.maxOutstanding) {
            target = c;
            turn = (turn + k + 1) % streams.length;
          }
        }
        if (!target) break;
        m.attempts++;
        m.lease = { ackId: `${m.id}-${randomUUID()}`, deadline: this.now() + target.deadlineSeconds * 1000, stream: target };
        outstanding.set(target, outstanding.get(target)! + 1);
        const batch = batches.get(target) ?? [];
        batch.push({
          ack_id: m.lease.ackId,
          message: { data: m.data, message_id: m.id, publish_time: { seconds: String(Math.floor(m.publishTime / 1000)), nanos: (m.publishTime % 1000) * 1e6 }, attributes: {} },
          delivery_attempt: m.attempts,
        });
        batches.set(target, batch);
      }
      for (const [s, received] of batches) s.call.write({ received_messages: received });
    }
  }
}
