import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LokiPeer, until } from './loki-peer.js';
import { postJson, startExporter, writeConfig, type ExporterProcess } from './exporter-process.js';

describe('POST /api/v1/test', () => {
  const cleanup: (() => unknown)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  }, 90000);

  it('sends one synthetic drift through every enabled output (stdout, file, Loki, a webhook)', async () => {
    const peer = new LokiPeer();
    await peer.start();
    cleanup.push(() => peer.stop());
    const hooks: string[] = [];
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        hooks.push(body);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    cleanup.push(() => hook.close());
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-apitest-'));
    const file = path.join(dir, 'drifts.jsonl');
    const ex: ExporterProcess = await startExporter(
      writeConfig(
        dir,
        {
          stdout: { enabled: true, format: 'jsonl' },
          file: { enabled: true, path: file },
          loki: { enabled: true, url: peer.url, batch_interval_ms: 60_000 },
          notifications: [{ type: 'webhook', url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`, min_severity: 'info' }],
        },
        path.join(dir, 'data'),
      ),
    );
    cleanup.push(async () => {
      ex.child.kill('SIGTERM');
      await ex.exited;
    });
    const res = await postJson(`${ex.url}/api/v1/test`, {});
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as { drift_id: string; outputs: { name: string; queued: number }[] };
    expect(body.outputs.map((o) => o.name)).toEqual(['stdout', 'file', 'loki', 'webhook']);
    expect(body.outputs.every((o) => o.queued === 0)).toBe(true); // flushed before answering
    expect(peer.driftIds()).toEqual([body.drift_id]);
    await until(() => hooks.length === 1);
    expect(JSON.parse(hooks[0]).drift_id).toBe(body.drift_id);
    expect(JSON.parse(readFileSync(file, 'utf8').trim()).drift_id).toBe(body.drift_id);
    await until(() => ex.stdoutRecords().length === 1);
    expect(ex.stdoutRecords()[0].drift_id).toBe(body.drift_id);
    const metrics = await (await fetch(`${ex.url}/metrics`)).text();
    expect(metrics).toMatch(/tfdrift_output_sent_total\{output="loki",status="ok"\} 1/);
    expect(metrics).toMatch(/tfdrift_output_queue_length\{output="loki"\} 0/);
    expect(metrics).not.toMatch(/tfdrift_drifts_total\{/); // a test drift is not a drift
  }, 90000);
});
