import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/util/errors.js';
import { counter } from '../ingest/helpers.js';
import { capturingLogger, eventually, gatedProxy } from './peers.js';

// Issue 16 item 5 (slow bodies never cut off), the connection cap, and issue 20's "never silent":
// a rejected credential is counted and logged (rate-limited, never the token).
const TOKEN = 'limits-test-token-0123456789';
let dir: string;
let app: App;
const { log, lines } = capturingLogger();

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-limits-'));
  const config = parseConfig({
    server: { listen: '127.0.0.1:0', token: TOKEN, limits: { request_seconds: 2, headers_seconds: 1, max_connections: 400 } },
    states: [],
    outputs: { stdout: { enabled: false } },
    storage: { dir: path.join(dir, 'storage') },
  });
  app = await startApp(config, { log });
  await app.statesSettled;
});
afterAll(async () => {
  await app?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Slow {
  connected: boolean;
  closedAt: number | null;
  reply: string;
}

/** A client that sends headers promising 1000 bytes of body, then one byte every 300 ms (never idle, never done). */
function slowBody(port: number): Slow {
  const s: Slow = { connected: false, closedAt: null, reply: '' };
  const socket = net.connect(port, '127.0.0.1', () => {
    s.connected = true;
    socket.write(`POST /falco?token=${TOKEN} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{`);
    const drip = setInterval(() => socket.writable && socket.write(' '), 300);
    socket.on('close', () => clearInterval(drip));
  });
  socket.on('data', (d: Buffer) => (s.reply += d.toString()));
  socket.on('error', () => undefined);
  socket.on('close', () => (s.closedAt = performance.now()));
  return s;
}

describe('server limits', () => {
  it('cuts off 200 slow-body connections at request_seconds with 408 while /healthz keeps answering', async () => {
    const port = Number(new URL(app.url).port);
    const started = performance.now();
    const slow = Array.from({ length: 200 }, () => slowBody(port));
    await eventually(() => (slow.every((s) => s.connected) ? true : undefined), 60_000, 'all slow connections open');
    // /healthz answers while the slow connections are all still open.
    const t = performance.now();
    const health = await fetch(`${app.url}/healthz`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const healthMs = performance.now() - t;
    expect(health.status).toBe(200);
    expect(slow.filter((s) => s.closedAt === null).length).toBeGreaterThanOrEqual(190);
    await eventually(() => (slow.every((s) => s.closedAt !== null) ? true : undefined), 120_000, 'all slow connections closed');
    expect(slow.every((s) => s.reply.startsWith('HTTP/1.1 408'))).toBe(true);
    expect(await counter(app.metrics, 'tfdrift_http_requests_rejected_total', { reason: 'request_timeout' })).toBe(200);
    const lastCut = Math.max(...slow.map((s) => (s.closedAt as number) - started));
    console.log(`closing figure: 200 slow-body connections cut, the last ${Math.round(lastCut)} ms after opening (request_seconds 2); /healthz answered in ${Math.round(healthMs)} ms meanwhile`);
    // Logged once for the burst, not 200 times.
    expect(lines.filter((l) => l.meta.reason === 'request_timeout')).toHaveLength(1);
  }, 150_000);

  it('counts and logs a wrong or missing credential, rate-limited, without the token', async () => {
    for (let i = 0; i < 50; i++) expect((await fetch(`${app.url}/falco?token=wrong-${i}`, { method: 'POST', body: '{}' })).status).toBe(401);
    expect((await fetch(`${app.url}/metrics`)).status).toBe(401);
    expect(await counter(app.metrics, 'tfdrift_http_requests_rejected_total', { reason: 'invalid_credential' })).toBe(50);
    expect(await counter(app.metrics, 'tfdrift_http_requests_rejected_total', { reason: 'missing_credential' })).toBe(1);
    const logged = lines.filter((l) => String(l.message).startsWith('request rejected'));
    expect(logged.map((l) => l.meta.reason)).toEqual(['invalid_credential', 'missing_credential']);
    expect(logged[0].meta).toMatchObject({ last_path: '/falco', count: 1 });
    expect(JSON.stringify(lines)).not.toMatch(/wrong-\d|limits-test-token/);
    const metrics = await (await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    expect(metrics).toMatch(/^tfdrift_http_requests_rejected_total\{reason="invalid_credential"\} 50$/m);
    // Series alert rules use exist from the start, at 0.
    expect(metrics).toMatch(/^tfdrift_events_suppressed_total\{reason="no_state_for_account"\} 0$/m);
    expect(metrics).toMatch(/^tfdrift_events_unmapped_total\{provider="gcp"\} 0$/m);
    expect(metrics).toMatch(/^tfdrift_events_failed_total\{reason="journal_full"\} 0$/m);
    expect(metrics).toMatch(/^tfdrift_drifts_evicted_total\{change_type="unmanaged"\} 0$/m);
  }, 150_000);

  it('closes connections beyond max_connections at once and counts them', async () => {
    const small = await startApp(
      parseConfig({ server: { listen: '127.0.0.1:0', limits: { max_connections: 3 } }, states: [], outputs: { stdout: { enabled: false } }, storage: { dir: path.join(dir, 'small') } }),
      { log: capturingLogger().log },
    );
    const port = Number(new URL(small.url).port);
    const open = await Promise.all(Array.from({ length: 3 }, () => new Promise<net.Socket>((r) => { const s = net.connect(port, '127.0.0.1', () => r(s)); })));
    const extra = net.connect(port, '127.0.0.1');
    extra.on('error', () => undefined);
    await new Promise<void>((r) => extra.on('close', () => r()));
    expect(await counter(small.metrics, 'tfdrift_http_requests_rejected_total', { reason: 'connection_limit' })).toBe(1);
    for (const s of open) s.destroy();
    await small.stop();
  }, 150_000);
});

describe('fail fast', () => {
  it('refuses 0.0.0.0 without a credential before touching storage or any state backend', async () => {
    const peer = await gatedProxy('http://127.0.0.1:1');
    const storage = path.join(dir, 'never-created');
    const config = parseConfig({
      server: { listen: '0.0.0.0:0' },
      states: [{ name: 'remote', backend: 'http', url: `${peer.url}/state`, provider: 'aws' }],
      storage: { dir: storage },
    });
    await expect(startApp(config, { log: capturingLogger().log })).rejects.toThrow(ConfigError);
    await expect(startApp(config, { log: capturingLogger().log })).rejects.toThrow(/beyond loopback, so server.token/);
    expect(existsSync(storage)).toBe(false);
    expect(peer.held + peer.forwarded).toBe(0);
    await peer.close();
  }, 150_000);
});
