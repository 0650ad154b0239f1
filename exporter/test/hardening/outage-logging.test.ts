import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/metrics/registry.js';
import { lokiConfigSchema, notifierConfigSchema } from '../../src/outputs/config.js';
import { LokiTransport } from '../../src/outputs/loki/transport.js';
import { notifierOutput } from '../../src/outputs/notify/notifier.js';
import { failureCause } from '../../src/outputs/outage.js';
import { LokiPeer, until, virtualClock } from '../outputs/loki-peer.js';
import { makeRecords } from '../outputs/records.js';
import { capturingLogger } from './peers.js';

// Issue 16 item 6: during a 62 s Loki outage one log line was written, with Loki's shutdown message as
// the reason. Now: one line when the outage starts, naming its cause as an operator acts on it, and one
// at recovery with the duration, the causes seen, and what was delivered. Real sockets; virtual time
// for the backoff sleeps, so "62 s" passes in milliseconds.
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

describe('Loki outage logging', () => {
  it('logs once at the start (first cause: the HTTP status) and once at recovery (duration, causes, delivered)', async () => {
    const peer = new LokiPeer();
    await peer.start();
    const port = peer.port;
    // The first push meets Loki shutting down (503 with its message), then the port refuses connections.
    peer.behave = (n) => (n === 0 ? { status: 503, body: 'Ingester is shutting down' } : { status: 204 });
    let restarted = false;
    const clock = virtualClock(async (now) => {
      if (now >= 62_000 && !restarted) {
        restarted = true;
        await peer.start(port);
      }
    });
    const { log, lines } = capturingLogger();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-outage-'));
    const config = lokiConfigSchema.parse({ enabled: true, url: peer.url, batch_size: 5, batch_interval_ms: 10, request_timeout_ms: 500, retry: { initial_backoff_ms: 1000, max_backoff_ms: 5000 } });
    const transport = new LokiTransport({ config, spoolDir: dir, log, metrics: new Metrics({ defaultMetrics: false }), clock, random: () => 0.5 });
    cleanup.push(() => transport.close(), () => peer.stop(), () => rmSync(dir, { recursive: true, force: true }));
    const records = makeRecords(12);
    transport.enqueue(records[0]);
    await until(() => peer.pushes >= 1);
    await peer.stop();
    for (const r of records.slice(1)) transport.enqueue(r);
    await until(() => peer.entries().length === records.length, 30_000);

    const outage = lines.filter((l) => l.message.startsWith('loki unreachable'));
    const recovery = lines.filter((l) => l.message.startsWith('loki reachable again'));
    expect(outage).toHaveLength(1);
    expect(outage[0].meta).toMatchObject({ cause: 'HTTP 503', detail: expect.stringContaining('Ingester is shutting down') });
    expect(recovery).toHaveLength(1);
    const m = recovery[0].meta as { outage_seconds: number; causes: Record<string, number>; delivered: number; still_queued: number; failed_attempts: number };
    expect(m.outage_seconds).toBeGreaterThanOrEqual(62);
    expect(m.causes['HTTP 503']).toBe(1);
    expect(m.causes['connection refused']).toBeGreaterThan(5);
    expect(m.failed_attempts).toBe(Object.values(m.causes).reduce((a, b) => a + b, 0));
    expect(m.delivered + m.still_queued).toBe(records.length);
    expect(lines.filter((l) => l.level === 'warn' || l.level === 'error')).toHaveLength(2);
  });
});

describe('notification outage logging', () => {
  it('a webhook refusing connections: one line with the cause, give-ups tallied, one line at recovery', async () => {
    // A real webhook receiver on a port that first refuses (not listening), then answers.
    const received: string[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(body);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((r) => server.close(() => r()));
    const clock = virtualClock();
    const { log, lines } = capturingLogger();
    const out = notifierOutput(
      notifierConfigSchema.parse({ type: 'webhook', url: `http://127.0.0.1:${port}/hook/secret-path`, min_severity: 'info', retry: { max_attempts: 3, initial_backoff_ms: 100, max_backoff_ms: 100 }, rate_limit: { per_minute: 1000, burst: 1000 } }),
      { log, clock, random: () => 0.5 },
    );
    cleanup.push(() => out.close());
    const records = makeRecords(6);
    for (const r of records.slice(0, 3)) out.send(r);
    await out.flush();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
    for (const r of records.slice(3)) out.send(r);
    await out.flush();
    expect(received).toHaveLength(3);
    const outage = lines.filter((l) => l.message.startsWith('notification webhook unreachable'));
    const recovery = lines.filter((l) => l.message.startsWith('notification webhook reachable again'));
    expect(outage).toHaveLength(1);
    expect(outage[0].meta).toMatchObject({ cause: 'connection refused', url: `http://127.0.0.1:${port}/…` });
    expect(recovery).toHaveLength(1);
    expect(recovery[0].meta).toMatchObject({ causes: { 'connection refused': 9 }, given_up: 3, delivered: 1 });
    expect(JSON.stringify(lines)).not.toContain('secret-path');
  });

  it('names causes as operators act on them', () => {
    expect(failureCause(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toBe('connection refused');
    expect(failureCause(new Error('request timed out after 200 ms'))).toBe('timeout');
    expect(failureCause(Object.assign(new Error('getaddrinfo ENOTFOUND loki'), { code: 'ENOTFOUND' }))).toBe('DNS lookup failed');
    expect(failureCause(new Error('socket hang up'))).toBe('connection reset');
    expect(failureCause(null, 502)).toBe('HTTP 502');
  });
});
