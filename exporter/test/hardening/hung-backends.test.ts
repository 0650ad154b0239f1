import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { DEMO_DIR, collectingOutput, demoAlerts, post } from '../ingest/helpers.js';
import { capturingLogger, eventually, gatedProxy, gcsPeer, httpStatePeer, type GatedProxy } from './peers.js';

// Issue 16 item 1: state backends that accept the connection and never answer (an S3-protocol endpoint,
// Terraform's HTTP backend, the GCS JSON API), at start and at reload. The listener and the journal
// come up first; alerts posted meanwhile are acknowledged and produce drift once the states load.
const TOKEN = 'hung-backend-test-token';
const BUCKET = 'tf-state';
const demoState = (name: string) => readFileSync(path.join(DEMO_DIR, 'states', `${name}.tfstate`), 'utf8');

let dir: string;
let s3rver: S3rver;
let s3: GatedProxy;
let httpGate: GatedProxy;
let gcsGate: GatedProxy;
let stuck: GatedProxy;
const closers: (() => Promise<void>)[] = [];
const out = collectingOutput();
const { log, lines } = capturingLogger();
let app: App;
let startedAt = 0;
let healthzAfterMs = 0;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-hung-'));
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  process.env.TFDRIFT_TEST_GCS_TOKEN = 'gcs-test-token';
  s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: path.join(dir, 's3'), configureBuckets: [{ name: BUCKET }] });
  const { port } = await s3rver.run();
  const client = new S3Client({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, forcePathStyle: true });
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'network-prod.tfstate', Body: demoState('network-prod') }));
  s3 = await gatedProxy(`http://127.0.0.1:${port}`);
  const httpPeer = await httpStatePeer(new Map([['/state/iam-prod', demoState('iam-prod')]]));
  httpGate = await gatedProxy(httpPeer.url);
  const gcs = await gcsPeer('tf-gcs', new Map([['audit/default.tfstate', demoState('audit-logging')]]));
  gcsGate = await gatedProxy(gcs.url);
  stuck = await gatedProxy(httpPeer.url); // never released: a source that never loads
  closers.push(() => s3.close(), () => httpGate.close(), () => gcsGate.close(), () => stuck.close(), () => httpPeer.close(), () => gcs.close(), () => s3rver.close());

  const common = { timeout_seconds: 1, retries: 6, reload_interval_seconds: 0 };
  const config = parseConfig({
    server: { listen: '127.0.0.1:0', token: TOKEN },
    inputs: { azure_http: { enabled: true } },
    states: [
      { name: 'network-prod', backend: 's3', bucket: BUCKET, key: 'network-prod.tfstate', endpoint: s3.url, force_path_style: true, region: 'us-east-1', provider: 'aws', account_id: '032092706103', ...common },
      { name: 'iam-prod', backend: 'http', url: `${httpGate.url}/state/iam-prod`, provider: 'aws', account_id: '751203476945', ...common },
      { name: 'audit-logging', backend: 'gcs', bucket: 'tf-gcs', key: 'audit/default.tfstate', endpoint: gcsGate.url, token_env: 'TFDRIFT_TEST_GCS_TOKEN', provider: 'aws', account_id: '143434273843', ...common },
      { name: 'stuck', backend: 'http', url: `${stuck.url}/state/iam-prod`, provider: 'aws', account_id: '999999999999', timeout_seconds: 1, retries: 0, reload_interval_seconds: 0 },
    ],
    outputs: { stdout: { enabled: false } },
    storage: { dir: path.join(dir, 'storage') },
  });
  startedAt = performance.now();
  app = await startApp(config, { log, outputs: [out] });
});
afterAll(async () => {
  await app?.stop();
  for (const c of closers) await c();
  rmSync(dir, { recursive: true, force: true });
});

const call = (method: string, p: string) => fetch(`${app.url}${p}`, { method, headers: { authorization: `Bearer ${TOKEN}` } });
type Ready = { status: string; loading_states: string[]; never_loaded_states: string[]; stale_states: string[]; states: { name: string; health: string; error: string | null }[] };

describe('hung state backends (S3, HTTP, GCS) at start', () => {
  it('/healthz answers while every backend holds its request unanswered, and /readyz is ready with the states loading', async () => {
    const health = await eventually(async () => {
      const res = await fetch(`${app.url}/healthz`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: AbortSignal.timeout(5000) }).catch(() => null);
      return res?.status === 200 ? res : undefined;
    }, 60_000, '/healthz');
    healthzAfterMs = performance.now() - startedAt;
    expect(health.status).toBe(200);
    // The proof that nothing waited for the backends: they have answered nothing yet.
    await eventually(() => (s3.held > 0 && httpGate.held > 0 && gcsGate.held > 0 ? true : undefined), 60_000, 'requests held by all three peers');
    expect(s3.forwarded + httpGate.forwarded + gcsGate.forwarded).toBe(0);
    const ready = await call('GET', '/readyz');
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as Ready;
    expect(body.status).toBe('ready');
    expect(body.loading_states).toEqual(expect.arrayContaining(['audit-logging', 'iam-prod', 'network-prod']));
    // `stuck` has no retries: on a slow machine its one attempt may already have timed out.
    expect([...body.loading_states, ...body.never_loaded_states].sort()).toEqual(['audit-logging', 'iam-prod', 'network-prod', 'stuck']);
    // Azure forwarders read the status and retry: until the states have loaded they are asked to.
    const azure = await fetch(`${app.url}/azure`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '{"records":[]}' });
    expect(azure.status).toBe(503);
    expect(azure.headers.get('retry-after')).toBe('5');
    console.log(`closing figure: /healthz answered ${Math.round(healthzAfterMs)} ms after start with all backends hung`);
  }, 150_000);

  it('acknowledges alerts posted meanwhile, and turns them into drift against the states once they load', async () => {
    for (const alert of demoAlerts()) {
      const res = await post(`${app.url}/falco?token=${TOKEN}`, JSON.stringify(alert));
      expect(res.status).toBe(200);
    }
    expect(out.records).toEqual([]); // journaled, waiting for the states
    s3.hang = false;
    httpGate.hang = false;
    gcsGate.hang = false;
    await app.statesSettled;
    await app.ingest.alerts.idle();
    const fromState = (prefix: string) => out.records.filter((r) => r.change_type === 'modified' && r.state_source?.startsWith(prefix));
    expect(fromState('s3://tf-state/network-prod.tfstate')).toHaveLength(1);
    expect(fromState(`${httpGate.url}/state/iam-prod`)).toHaveLength(1);
    expect(fromState('gs://tf-gcs/audit/default.tfstate')).toHaveLength(1);
    const statuses = Object.fromEntries(app.states.statuses().map((s) => [s.name, s.health]));
    expect(statuses).toEqual({ 'network-prod': 'ok', 'iam-prod': 'ok', 'audit-logging': 'ok', stuck: 'never_loaded' });
  }, 150_000);

  it('reports the never-loaded state in /readyz (still 200), in metrics and in the log, with the real cause', async () => {
    const ready = await call('GET', '/readyz');
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as Ready;
    expect(body.never_loaded_states).toEqual(['stuck']);
    expect(body.states.find((s) => s.name === 'stuck')?.error).toMatch(/timed out after 1 s/);
    const metrics = await (await call('GET', '/metrics')).text();
    expect(metrics).toMatch(/^tfdrift_state_health\{state="stuck",health="never_loaded"\} 1$/m);
    expect(metrics).toMatch(/^tfdrift_state_health\{state="network-prod",health="ok"\} 1$/m);
    expect(metrics).toMatch(/^tfdrift_events_suppressed_total\{reason="no_state_for_account"\} \d+$/m);
    const never = lines.filter((l) => l.message.startsWith('state never loaded'));
    expect(never.map((l) => l.meta.state)).toEqual(['stuck']);
    expect(String(never[0].meta.error)).toMatch(/timed out after 1 s/);
  }, 150_000);
});

describe('hung state backends at reload', () => {
  it('POST /api/v1/state/reload answers 202 with what it started instead of waiting on a hung backend; the last good state is kept', async () => {
    s3.hang = true;
    httpGate.hang = true;
    gcsGate.hang = true;
    const heldBefore = s3.held;
    const res = await call('POST', '/api/v1/state/reload?wait=0.5');
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: 'started', started: ['network-prod', 'iam-prod', 'audit-logging', 'stuck'], wait_seconds: 0.5 });
    expect(s3.held).toBeGreaterThan(heldBefore);
    // Every attempt times out; the states go stale and keep serving their last good load.
    await eventually(() => (app.states.staleSources().length === 3 ? true : undefined), 120_000, 'three stale sources');
    expect(app.states.index.resourceCount).toBeGreaterThan(0);
    const body = (await (await call('GET', '/readyz')).json()) as Ready;
    expect(body.stale_states.sort()).toEqual(['audit-logging', 'iam-prod', 'network-prod']);
    s3.hang = false;
    httpGate.hang = false;
    gcsGate.hang = false;
    const quick = await call('POST', '/api/v1/state/reload?name=network-prod&wait=30');
    expect(quick.status).toBe(200);
    expect(app.states.statuses().find((s) => s.name === 'network-prod')?.health).toBe('ok');
  }, 150_000);
});
