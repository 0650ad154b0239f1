import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/metrics/registry.js';
import { lokiConfigSchema } from '../../src/outputs/config.js';
import { LokiTransport } from '../../src/outputs/loki/transport.js';
import { transportOutput } from '../../src/outputs/transport-output.js';
import { silentLogger } from '../../src/util/logger.js';
import { realClock, type Clock } from '../../src/outputs/retry.js';
import { LokiPeer, until, virtualClock } from './loki-peer.js';
import { makeRecords } from './records.js';

const peers: LokiPeer[] = [];
const transports: LokiTransport[] = [];
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(peers.splice(0).map((p) => p.stop()));
});

async function peer(): Promise<LokiPeer> {
  const p = new LokiPeer();
  await p.start();
  peers.push(p);
  return p;
}

// The request timeout is long unless a test is about timeouts: on a busy machine a 200 ms answer is
// not rare, and a timed-out push is re-sent (a duplicate at the peer), which these tests count.
function setup(p: LokiPeer, over: Record<string, unknown> = {}, clock: Clock = virtualClock(), spoolDir = mkdtempSync(path.join(os.tmpdir(), 'loki-spool-'))) {
  const config = lokiConfigSchema.parse({ enabled: true, url: p.url, batch_size: 10, batch_interval_ms: 50, request_timeout_ms: 10_000, shutdown_timeout_ms: 2000, ...over });
  const metrics = new Metrics({ defaultMetrics: false });
  const transport = new LokiTransport({ config, spoolDir, log: silentLogger(), metrics, clock, env: { LOKI_PW: 's3cret', LOKI_TOKEN: 'tok' }, random: () => 0.5 });
  transports.push(transport);
  const output = transportOutput('loki', transport);
  return { transport, output, metrics, spoolDir, clock };
}

async function sent(metrics: Metrics, status: string): Promise<number> {
  const m = await metrics.outputSent.get();
  return m.values.filter((v) => v.labels.output === 'loki' && v.labels.status === status).reduce((a, v) => a + v.value, 0);
}

/** Waits (real time) until the transport has nothing queued. */
async function drained(t: LokiTransport, limitMs = 10_000): Promise<void> {
  const until = Date.now() + limitMs;
  while (t.queueLength() > 0) {
    if (Date.now() > until) throw new Error(`still ${t.queueLength()} queued`);
    await t.flush(500);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function expectExactlyOnce(p: LokiPeer, ids: string[]): void {
  const got = p.driftIds();
  expect(got.length).toBe(ids.length);
  expect(new Set(got)).toEqual(new Set(ids));
  expect(p.outOfOrder).toBe(0);
}

describe('Loki transport against a Loki-protocol peer', () => {
  it.each([
    ['protobuf', { format: 'protobuf' }],
    ['json', { format: 'json', gzip: false }],
    ['json+gzip', { format: 'json', gzip: true }],
  ] as const)('delivers every record once in %s, with DESIGN.md labels and the record as the line', async (fmt, over) => {
    const p = await peer();
    const { output, transport, metrics } = setup(p, { ...over, tenant: 'team-a', basic_auth: { username: 'u', password_env: 'LOKI_PW' }, labels: { job: 'drift' } });
    const records = makeRecords(25);
    for (const r of records) output.send(r);
    await drained(transport);
    expect(p.formats).toEqual(new Set([fmt]));
    expectExactlyOnce(p, records.map((r) => r.drift_id));
    expect(p.duplicates).toBe(0);
    expect(p.lastHeaders['x-scope-orgid']).toBe('team-a');
    expect(p.lastHeaders.authorization).toBe(`Basic ${Buffer.from('u:s3cret').toString('base64')}`);
    const e = p.entries().find((x) => JSON.parse(x.line).drift_id === records[0].drift_id)!;
    expect(e.labels).toEqual({ job: 'drift', provider: 'aws', account_id: '111111111111', region: 'us-east-1', severity: 'critical', change_type: 'modified' });
    expect(JSON.parse(e.line)).toEqual(records[0]);
    expect(e.ts).toBe(BigInt(Date.parse(records[0].detected_at)) * 1_000_000n);
    expect(await sent(metrics, 'ok')).toBe(25);
  });

  it('sends a bearer token when configured and no basic auth', async () => {
    const p = await peer();
    const { output, transport } = setup(p, { bearer_token_env: 'LOKI_TOKEN' });
    output.send(makeRecords(1)[0]);
    await drained(transport);
    expect(p.lastHeaders.authorization).toBe('Bearer tok');
  });

  it('batches by size (25 records, batch_size 10: 10 + 10 now, 5 on flush) and by interval', async () => {
    const p = await peer();
    const { output, transport } = setup(p, { batch_interval_ms: 600_000 }, realClock);
    for (const r of makeRecords(25)) output.send(r);
    await until(() => transport.queueLength() === 5);
    expect(p.pushes).toBe(2);
    await transport.flush();
    expect(p.pushes).toBe(3);
    const q = await peer();
    const second = setup(q, { batch_size: 100, batch_interval_ms: 20 }, realClock);
    for (const r of makeRecords(5)) second.output.send(r);
    await until(() => q.pushes === 1); // no flush: the interval sends the partial batch
    expect(q.driftIds()).toHaveLength(5);
  });
});

describe('Loki faults: after each, every record emitted is in Loki exactly once', () => {
  it('Loki down for 60 s (virtual clock): records are spooled, retried with backoff, all delivered once it is back', async () => {
    const p = await peer();
    const port = p.port;
    await p.stop();
    // Virtual time runs as fast as the retries: it is held at 60 s until the test has looked at
    // the spool, or Loki could be back (and the spool drained) before the first look.
    let reopen!: () => void;
    const heldAt60s = new Promise<void>((r) => (reopen = r));
    const clock = virtualClock(async (t) => {
      if (t >= 60_000 && !p.server) {
        await heldAt60s;
        await p.start(port);
      }
    });
    const { output, transport, metrics, spoolDir } = setup(p, { retry: { initial_backoff_ms: 500, max_backoff_ms: 30_000 } }, clock);
    const records = makeRecords(40);
    for (const r of records.slice(0, 20)) output.send(r);
    await until(() => clock.t > 5_000);
    // A batch in flight when Loki refused it is counted again once it is back in the spool.
    await until(() => transport.queueLength() === 20);
    expect(transport.queueLength()).toBe(20);
    expect(readdirSync(spoolDir).some((f) => f.endsWith('.ndjson'))).toBe(true);
    for (const r of records.slice(20)) output.send(r);
    reopen();
    await drained(transport);
    expect(clock.t).toBeGreaterThanOrEqual(60_000);
    expectExactlyOnce(p, records.map((r) => r.drift_id));
    expect(await sent(metrics, 'retry')).toBeGreaterThan(0);
    expect(await sent(metrics, 'ok')).toBe(40);
  });

  it('a 429 storm (30 pushes refused, Retry-After honoured) loses nothing and duplicates nothing', async () => {
    const p = await peer();
    p.behave = (n) => (n < 30 ? { status: 429, retryAfter: '1', body: 'Ingestion rate limit exceeded' } : { status: 204 });
    const clock = virtualClock();
    const { output, transport } = setup(p, {}, clock);
    const records = makeRecords(60);
    for (const r of records) output.send(r);
    await drained(transport);
    expectExactlyOnce(p, records.map((r) => r.drift_id));
    expect(p.duplicates).toBe(0);
    expect(clock.t).toBeGreaterThanOrEqual(30_000); // at least Retry-After × 30
  });

  it('500s and connection resets: retried until delivered', async () => {
    const p = await peer();
    p.behave = (n) => (n % 5 === 0 ? { reset: true } : n % 3 !== 2 ? { status: 500, body: 'internal' } : { status: 204 });
    const { output, transport } = setup(p);
    const records = makeRecords(50);
    for (const r of records) output.send(r);
    await drained(transport);
    expectExactlyOnce(p, records.map((r) => r.drift_id));
  });

  it('a slow Loki (answers after the client timeout) and a stalled one: re-sent entries are identical, so stored once', async () => {
    const p = await peer();
    p.behave = (n) => (n === 0 ? { stall: true } : n < 4 ? { status: 204, delayMs: 400 } : { status: 204 });
    const { output, transport } = setup(p, { request_timeout_ms: 100 });
    const records = makeRecords(30);
    for (const r of records) output.send(r);
    await drained(transport);
    expectExactlyOnce(p, records.map((r) => r.drift_id));
    // Loki had them already: the re-sends were byte-identical (same timestamp and line) and deduplicated.
    expect(p.duplicates).toBeGreaterThan(0);
  });

  it('400 is not retried: the bad entry is isolated and counted as rejected, the rest of its batch delivered', async () => {
    const p = await peer();
    const records = makeRecords(30);
    const bad = records[13].drift_id;
    p.refuse = (e) => (e.line.includes(bad) ? `entry with timestamp ${e.ts} ignored, reason: 'entry too far behind'` : null);
    const { output, transport, metrics } = setup(p);
    for (const r of records) output.send(r);
    await drained(transport);
    expect(new Set(p.driftIds())).toEqual(new Set(records.map((r) => r.drift_id).filter((id) => id !== bad)));
    expect(p.driftIds()).toHaveLength(29);
    expect(await sent(metrics, 'rejected')).toBe(1);
    expect(await sent(metrics, 'ok')).toBe(29);
    expect(p.pushes).toBe(3 + 10); // three batches, then the refused batch one entry at a time
  });

  it('stop while Loki is away keeps the records on disk; a restart replays them oldest-first', async () => {
    const p = await peer();
    const port = p.port;
    await p.stop();
    const first = setup(p, { shutdown_timeout_ms: 100, retry: { initial_backoff_ms: 10_000, max_backoff_ms: 10_000 } }, realClock);
    const records = makeRecords(30);
    for (const r of records) first.output.send(r);
    await first.output.flush();
    await first.output.close();
    expect(first.transport.queueLength()).toBe(30);
    await p.start(port);
    const second = setup(p, {}, virtualClock(), first.spoolDir);
    expect(second.transport.queueLength()).toBe(30);
    await drained(second.transport);
    expectExactlyOnce(p, records.map((r) => r.drift_id));
    const third = setup(p, {}, virtualClock(), first.spoolDir);
    expect(third.transport.queueLength()).toBe(0); // acknowledged entries are not replayed again
  });

  it('a full spool drops the oldest records, counts them, and delivers the newest', async () => {
    const p = await peer();
    const port = p.port;
    await p.stop();
    const clock = virtualClock(async (t) => {
      if (t >= 20_000 && !p.server) await p.start(port);
    });
    const { output, transport, metrics } = setup(p, { spool: { max_bytes: 4096 } }, clock);
    const records = makeRecords(20);
    for (const r of records) output.send(r);
    const dropped = await sent(metrics, 'dropped');
    expect(dropped).toBeGreaterThan(0);
    await drained(transport);
    const got = p.driftIds();
    expect(got.length + dropped).toBe(20);
    expect(new Set(got)).toEqual(new Set(records.slice(20 - got.length).map((r) => r.drift_id)));
  });
});

describe('Loki shutdown', () => {
  it('close() keeps retrying through a brief 503 burst within shutdown_timeout_ms instead of giving up at the first failure', async () => {
    const p = await peer();
    p.behave = (n) => (n < 3 ? { status: 503 } : { status: 204 });
    const { output, transport } = setup(p, { batch_interval_ms: 600_000, retry: { initial_backoff_ms: 20, max_backoff_ms: 40 } }, realClock);
    const records = makeRecords(5);
    for (const r of records) output.send(r);
    await output.close();
    expect(transport.queueLength()).toBe(0);
    expectExactlyOnce(p, records.map((r) => r.drift_id));
  });
});
