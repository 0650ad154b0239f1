import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { falcoAlertFromCloudTrail } from '../../src/providers/aws/falco-fields.js';
import { silentLogger } from '../../src/util/logger.js';
import type { Output } from '../../src/outputs/types.js';
import type { DriftRecord } from '../../src/model/drift.js';
import { DEMO_EVENTS, DEMO_STATES } from '../helpers/cli.js';

const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.stop()));
});

function sgRecord(): Record<string, unknown> {
  const file = readdirSync(DEMO_EVENTS).find((f) => f.startsWith('01-'))!;
  return (JSON.parse(readFileSync(path.join(DEMO_EVENTS, file), 'utf8')) as Record<string, unknown>[])[0];
}

async function boot(storage: string, token = '', maxBody = 4 * 1024 * 1024): Promise<{ app: App; records: DriftRecord[] }> {
  const records: DriftRecord[] = [];
  const sink: Output = { name: 'test', send: (r) => void records.push(r), queueLength: () => 0, flush: async () => {}, close: async () => {} };
  const config = parseConfig({
    server: { listen: '127.0.0.1:0', token },
    states: [{ name: 'net', backend: 'local', path: path.join(DEMO_STATES, 'network-prod.tfstate'), provider: 'aws', account_id: '032092706103' }],
    storage: { dir: storage },
    inputs: { falco_http: { max_body_bytes: maxBody } },
  });
  const app = await startApp(config, { log: silentLogger(), outputs: [sink] });
  apps.push(app);
  return { app, records };
}

async function until(pred: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the daemon over HTTP', () => {
  it('POST /falco → drift; GET /api/v1/drifts?status=open lists it, also after a restart', async () => {
    const storage = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-app-'));
    const { app, records } = await boot(storage);
    const res = await fetch(`${app.url}/falco`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(falcoAlertFromCloudTrail(sgRecord())) });
    expect(res.status).toBe(200);
    await until(() => records.length === 1);
    expect(records[0]).toMatchObject({ change_type: 'modified', severity: 'critical', falco: { rule: 'Terraform drift: AWS write', priority: 'Warning', hostname: 'falco-0' } });
    const open = (await (await fetch(`${app.url}/api/v1/drifts?status=open`)).json()) as { drifts: DriftRecord[] };
    expect(open.drifts.map((d) => d.drift_id)).toEqual([records[0].drift_id]);
    expect((await fetch(`${app.url}/api/v1/drifts?status=closed`)).status).toBe(400);
    await app.stop();
    apps.splice(0);

    const again = await boot(storage);
    const reopened = (await (await fetch(`${again.app.url}/api/v1/drifts?status=open`)).json()) as { drifts: DriftRecord[] };
    expect(reopened.drifts.map((d) => d.drift_id)).toEqual([records[0].drift_id]);
    const metrics = await (await fetch(`${again.app.url}/metrics`)).text();
    expect(metrics).toContain('tfdrift_drifts_open{provider="aws",account_id="032092706103",change_type="modified",severity="critical"} 1');
  });

  it('with a token, every endpoint needs it: bearer header or ?token= (for Falco)', async () => {
    const storage = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-app-'));
    const { app, records } = await boot(storage, 's3cret');
    expect((await fetch(`${app.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${app.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${app.url}/metrics`, { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
    const body = JSON.stringify(falcoAlertFromCloudTrail(sgRecord()));
    expect((await fetch(`${app.url}/falco`, { method: 'POST', body })).status).toBe(401);
    expect(records).toHaveLength(0);
    expect((await fetch(`${app.url}/falco?token=s3cret`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status).toBe(200);
    await until(() => records.length === 1);
    expect((await fetch(`${app.url}/nope?token=s3cret`)).status).toBe(404);
    expect((await fetch(`${app.url}/metrics?token=s3cret`, { method: 'DELETE' })).status).toBe(405);
  });

  it('POST /api/v1/state/reload with an unknown name is a clear 404', async () => {
    const storage = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-app-'));
    const { app } = await boot(storage);
    const res = await fetch(`${app.url}/api/v1/state/reload?name=nope`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toContain('nope');
    const ok = await fetch(`${app.url}/api/v1/state/reload`, { method: 'POST' });
    expect(ok.status).toBe(200);
  });

  it('a chunked body over the limit gets a 413 answer, not a connection reset', async () => {
    const { request } = await import('node:http');
    const storage = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-app-'));
    const { app } = await boot(storage, '', 1024);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${app.url}/falco`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 20; i++) req.write('x'.repeat(512));
      req.end();
    });
    expect(status).toBe(413);
  });
});
