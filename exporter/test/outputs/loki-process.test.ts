import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LokiPeer, until } from './loki-peer.js';
import { expectedDemoDrifts, replayDemo, startExporter, writeConfig, type ExporterProcess } from './exporter-process.js';

const running: ExporterProcess[] = [];
const peers: LokiPeer[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await Promise.all(peers.splice(0).map((p) => p.stop()));
});

async function exporter(configFile: string): Promise<ExporterProcess> {
  const p = await startExporter(configFile);
  running.push(p);
  return p;
}

function lokiOutputs(url: string, over: Record<string, unknown> = {}) {
  return {
    stdout: { enabled: true, format: 'jsonl' },
    loki: { enabled: true, url, batch_size: 1000, batch_interval_ms: 600_000, request_timeout_ms: 5000, shutdown_timeout_ms: 3000, retry: { initial_backoff_ms: 50, max_backoff_ms: 200 }, ...over },
  };
}

/** Every record printed on stdout (by any run) is in the peer exactly once: same lines, same count, same drift_ids. */
function expectExactlyOnce(peer: LokiPeer, lines: string[]): void {
  expect(lines.length).toBeGreaterThan(0);
  const got = peer.entries().map((e) => e.line);
  expect(got.length).toBe(lines.length);
  expect([...got].sort()).toEqual([...lines].sort());
  const ids = (ls: string[]) => ls.map((l) => (JSON.parse(l) as { drift_id: string }).drift_id).sort();
  expect(ids(got)).toEqual(ids(lines));
  expect(peer.outOfOrder).toBe(0);
}

describe('tfdrift run (child process) delivering to a Loki-protocol peer', () => {
  let expected = 0;
  beforeAll(async () => {
    expected = await expectedDemoDrifts();
    expect(expected).toBeGreaterThan(0);
  }, 120000);

  it('SIGTERM mid-batch: the held batch is flushed before exit', async () => {
    const peer = new LokiPeer();
    await peer.start();
    peers.push(peer);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-sigterm-'));
    const ex = await exporter(writeConfig(dir, lokiOutputs(peer.url), path.join(dir, 'data')));
    await replayDemo(ex.url);
    await until(() => ex.stdoutRecords().length === expected, 60_000);
    expect(peer.pushes).toBe(0); // batch_interval 10 min: everything is still waiting in the batch
    ex.child.kill('SIGTERM');
    expect(await ex.exited).toBe(0);
    expectExactlyOnce(peer, ex.stdoutLines());
    expect(peer.duplicates).toBe(0);
  }, 120000);

  it('SIGTERM while Loki stalls: exits within the shutdown timeout, the restart replays the spool, nothing twice', async () => {
    const peer = new LokiPeer();
    await peer.start();
    peers.push(peer);
    peer.behave = () => ({ stall: true });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-stall-'));
    const config = writeConfig(dir, lokiOutputs(peer.url, { batch_interval_ms: 10, shutdown_timeout_ms: 300, request_timeout_ms: 60_000 }), path.join(dir, 'data'));
    const first = await exporter(config);
    await replayDemo(first.url);
    await until(() => first.stdoutRecords().length === expected && peer.pushes > 0, 60_000); // a push is in flight and unanswered
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    peer.behave = () => ({ status: 204 });
    const second = await exporter(config);
    await until(() => peer.entries().length >= expected, 60_000);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expectExactlyOnce(peer, [...first.stdoutLines(), ...second.stdoutLines()]);
  }, 120000);

  it('kill -9 while Loki is down, then restart: the spool is replayed and every record arrives once', async () => {
    const peer = new LokiPeer();
    await peer.start();
    const port = peer.port;
    await peer.stop();
    peers.push(peer);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-kill9-'));
    const config = writeConfig(dir, lokiOutputs(peer.url, { batch_interval_ms: 10 }), path.join(dir, 'data'));
    const first = await exporter(config);
    await replayDemo(first.url);
    await until(() => first.stdoutRecords().length === expected, 60_000);
    first.child.kill('SIGKILL');
    await first.exited;
    await peer.start(port);
    const second = await exporter(config);
    await until(() => peer.entries().length >= expected, 60_000);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    // Records the restarted process emits itself (the ingest journal re-processes alerts whose
    // processing kill -9 interrupted) are emitted records too: they must arrive once as well.
    expectExactlyOnce(peer, [...first.stdoutLines(), ...second.stdoutLines()]);
  }, 120000);
});
