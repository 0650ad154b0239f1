import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/util/logger.js';
import type { Output } from '../../src/outputs/types.js';
import { awsState } from './helpers.js';

// The daemon's side of state reloads: the CI hook after `terraform apply`, /readyz and /metrics on a failed load.
const TOKEN = 'ci-reload-token';
let dir: string;
let app: App;
const role = (name: string, serial: number) => awsState([{ type: 'aws_iam_role', name: 'r', attributes: { id: name, name, arn: `arn:aws:iam::111111111111:role/${name}` } }], { serial, lineage: 'l' });

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-reload-'));
  writeFileSync(path.join(dir, 'a.tfstate'), role('deploy', 1));
  writeFileSync(path.join(dir, 'b.tfstate'), role('audit', 1));
  const sink: Output = { name: 'test', send: () => undefined, queueLength: () => 0, flush: async () => {}, close: async () => {} };
  const config = parseConfig({
    server: { listen: '127.0.0.1:0', token: TOKEN },
    states: [
      { name: 'a', backend: 'local', path: path.join(dir, 'a.tfstate'), provider: 'aws', account_id: '111111111111', reload_interval_seconds: 0, watch: false },
      { name: 'b', backend: 'local', path: path.join(dir, 'b.tfstate'), provider: 'aws', account_id: '111111111111', reload_interval_seconds: 0, watch: false },
    ],
    storage: { dir: path.join(dir, 'storage') },
  });
  app = await startApp(config, { log: silentLogger(), outputs: [sink] });
});
afterAll(async () => {
  await app?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const call = (method: string, p: string, token: string | null = TOKEN) =>
  fetch(`${app.url}${p}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('POST /api/v1/state/reload, /readyz and /metrics', () => {
  it('needs the token, reloads only the named source, and 404s an unknown name', async () => {
    expect((await call('POST', '/api/v1/state/reload', null)).status).toBe(401);
    writeFileSync(path.join(dir, 'a.tfstate'), role('deploy-v2', 2));
    writeFileSync(path.join(dir, 'b.tfstate'), role('audit-v2', 2));
    const res = await call('POST', '/api/v1/state/reload?name=a');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ changed: ['a'], errors: [] });
    expect(app.states.index.find('aws', '111111111111', ['aws_iam_role'], { field: 'name', value: 'deploy-v2' })).toHaveLength(1);
    expect(app.states.index.find('aws', '111111111111', ['aws_iam_role'], { field: 'name', value: 'audit-v2' })).toHaveLength(0);
    expect(await (await call('POST', '/api/v1/state/reload')).json()).toEqual({ changed: ['b'], errors: [] });
    const unknown = await call('POST', '/api/v1/state/reload?name=nope');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'no state source named "nope"' });
  });

  it('a failed load keeps the last good state and is reported stale by /readyz and /metrics', async () => {
    writeFileSync(path.join(dir, 'a.tfstate'), '{"version": 3, "modules": []}');
    const res = await call('POST', '/api/v1/state/reload?name=a');
    expect(res.status).toBe(502);
    const body = (await res.json()) as { errors: { name: string; error: string }[] };
    expect(body.errors[0]).toMatchObject({ name: 'a', error: expect.stringMatching(/format version 3; tfdrift reads state format version 4/) });
    expect(app.states.index.find('aws', '111111111111', ['aws_iam_role'], { field: 'name', value: 'deploy-v2' })).toHaveLength(1);
    const ready = await call('GET', '/readyz');
    expect(ready.status).toBe(200);
    const r = (await ready.json()) as { stale_states: string[]; states: { name: string; stale: boolean; error: string | null; last_success: string | null }[] };
    expect(r.stale_states).toEqual(['a']);
    expect(r.states.find((s) => s.name === 'a')).toMatchObject({ stale: true, error: expect.stringContaining('format version 3'), last_success: expect.stringMatching(/^20\d\d-/) });
    const metrics = await (await call('GET', '/metrics')).text();
    expect(metrics).toMatch(/^tfdrift_state_stale\{state="a"\} 1$/m);
    expect(metrics).toMatch(/^tfdrift_state_stale\{state="b"\} 0$/m);
    expect(metrics).toMatch(/^tfdrift_state_load_errors_total\{state="a"\} 1$/m);
    expect(metrics).toMatch(/^tfdrift_state_resources\{state="a",provider="aws"\} 1$/m);
    expect(metrics).toMatch(/^tfdrift_state_load_duration_seconds_count\{state="b"\} 2$/m);
  });
});
