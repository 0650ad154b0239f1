import { mkdtempSync } from 'node:fs';
import { Agent, request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApp, type App } from '../src/app.js';
import { demoConfig } from '../src/cli/commands/demo.js';
import type { DriftRecord } from '../src/model/drift.js';
import type { Output } from '../src/outputs/types.js';
import { silentLogger } from '../src/util/logger.js';
import { PubSubPeer } from '../test/ingest/pubsub-peer.js';
import { SqsPeer, eventBridgeEvent } from '../test/ingest/sqs-peer.js';
import type { Bench, BenchRow } from './harness.js';
import { nowMicros, pace, stampedAlert, stampedLogEntry, stampedRecord } from './queue-peers.js';

/**
 * Queue inputs: message visible in the peer → drift record handed to outputs, at paced rates,
 * next to POST /falco carrying the same events (as the Falco plugin would post them) in the
 * same run. Peers and load share the exporter's process (their CPU counts against every path
 * alike); each event ID carries the wall-clock µs at which it became visible / was sent.
 * Journal fsync always (the default), detection on, every event a new drift.
 */
const EXPORTER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const RATES = (process.env.BENCH_QUEUE_RATES ?? '1000,5000').split(',').map(Number);
const POLLERS = Number(process.env.BENCH_SQS_POLLERS ?? 8);

function timingOutput(): Output & { latencies: number[] } {
  const latencies: number[] = [];
  return {
    name: 'timing', latencies,
    send(r: DriftRecord) {
      const stamp = Number(/-(\d{13,})$/.exec(r.event.id ?? '')?.[1] ?? /-(\d{13,})$/.exec(r.resource_id ?? '')?.[1]);
      if (Number.isFinite(stamp)) latencies.push((nowMicros() - stamp) / 1000);
    },
    queueLength: () => 0, flush: async () => {}, close: async () => {},
  };
}

async function startBenchApp(inputs: Record<string, unknown>): Promise<{ app: App; out: ReturnType<typeof timingOutput> }> {
  const config = demoConfig('127.0.0.1:0', 'jsonl', {});
  config.outputs.stdout.enabled = false;
  config.storage.dir = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-bench-q-'));
  // A GCP state for the benchmark project, so each firewall insert there is an unmanaged drift.
  config.states.push({ ...config.states[0], name: 'bench-gcp', provider: 'gcp', account_id: undefined, project_id: 'bench-project', region: undefined, path: path.join(EXPORTER, 'test/fixtures/gcp/states/firewall.tfstate') });
  for (const [k, v] of Object.entries(inputs)) Object.assign((config.inputs as unknown as Record<string, object>)[k], v);
  const out = timingOutput();
  const app = await startApp(config, { log: silentLogger(), outputs: [out] });
  return { app, out };
}

const pct = (sorted: number[], p: number): number => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);
const until = async (cond: () => boolean, ms: number): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
};

type Kind = 'sqs' | 'pubsub' | 'http-aws' | 'http-gcp';

/** One paced run: peer and app up and connected, pace the events, wait until every record is out. */
async function run(kind: Kind, rate: number): Promise<{ p50: number; p99: number; n: number }> {
  const expected = rate * SECONDS;
  let app: App;
  let out: ReturnType<typeof timingOutput>;
  let send: (seq: number) => void;
  let stop = async (): Promise<void> => {};
  if (kind === 'sqs') {
    const peer = new SqsPeer();
    await peer.start();
    const url = peer.createQueue('bench');
    process.env.AWS_ACCESS_KEY_ID ??= 'AKIDTFDRIFTBENCH';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'tfdrift-bench';
    ({ app, out } = await startBenchApp({ aws_eventbridge: { enabled: true, queues: [url], pollers_per_queue: POLLERS } }));
    await until(() => peer.calls.includes('ReceiveMessage'), 30_000);
    send = (seq) => void peer.send('bench', eventBridgeEvent(stampedRecord(seq)));
    stop = () => peer.stop();
  } else if (kind === 'pubsub') {
    const peer = new PubSubPeer();
    await peer.start();
    const sub = 'projects/bench/subscriptions/bench';
    peer.createSubscription(sub);
    process.env.PUBSUB_EMULATOR_HOST = peer.host;
    ({ app, out } = await startBenchApp({ gcp_pubsub: { enabled: true, subscriptions: [sub] } }));
    await until(() => peer.openStreams > 0, 30_000);
    send = (seq) => void peer.publish(sub, JSON.stringify(stampedLogEntry(seq)));
    stop = () => peer.stop();
  } else {
    ({ app, out } = await startBenchApp({}));
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    const target = new URL(`${app.url}/falco`);
    send = (seq) => {
      const body = JSON.stringify(stampedAlert(kind === 'http-gcp' ? 'gcp' : 'aws', seq));
      const req = request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => res.resume());
      req.on('error', () => undefined);
      req.end(body);
    };
    stop = async () => agent.destroy();
  }
  await pace(rate, SECONDS, send);
  await until(() => out.latencies.length >= expected, 120_000);
  await app.stop();
  await stop();
  const sorted = [...out.latencies].sort((a, b) => a - b);
  return { p50: pct(sorted, 50), p99: pct(sorted, 99), n: sorted.length };
}

const bench: Bench = {
  name: 'queue inputs: visible in the peer → drift record at the outputs, next to POST /falco on the same events',
  async run() {
    const rows: BenchRow[] = [];
    for (const rate of RATES) {
      for (const [queue, falco, what, label] of [
        ['sqs', 'http-aws', 'CloudTrail', `EventBridge/SQS, ${POLLERS} pollers`],
        ['pubsub', 'http-gcp', 'GCP LogEntry', 'Pub/Sub streaming pull'],
      ] as const) {
        process.stderr.write(`queue bench: ${queue} and ${falco} at ${rate}/s\n`);
        const viaFalco = await run(falco, rate);
        const viaQueue = await run(queue, rate);
        const at = `${rate.toLocaleString('en-US')}/s × ${SECONDS} s, ${what}`;
        const out = (r: { n: number }): string => (r.n >= rate * SECONDS ? 'every record out' : `${r.n} of ${rate * SECONDS} records out`);
        rows.push({ name: `POST /falco p50, ${at}`, value: viaFalco.p50, unit: 'ms', note: `floor (sent → outputs); ${out(viaFalco)}` });
        rows.push({ name: `POST /falco p99, ${at}`, value: viaFalco.p99, unit: 'ms', note: 'floor' });
        rows.push({ name: `${label} p50, ${at}`, value: viaQueue.p50, unit: 'ms', note: `${(viaQueue.p50 / viaFalco.p50).toFixed(1)} × POST /falco; ${out(viaQueue)}` });
        rows.push({ name: `${label} p99, ${at}`, value: viaQueue.p99, unit: 'ms', note: `${(viaQueue.p99 / viaFalco.p99).toFixed(1)} × POST /falco; target < 1,000 ms` });
      }
    }
    return rows;
  },
};
export default bench;
