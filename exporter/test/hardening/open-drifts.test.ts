import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { DriftLedger } from '../../src/detect/ledger.js';
import { Metrics } from '../../src/metrics/registry.js';
import type { DriftRecord } from '../../src/model/drift.js';
import { DEMO_DIR, collectingOutput, counter, demoAlerts, ingestConfig, syntheticRoleRecords } from '../ingest/helpers.js';
import { FileCheckpointStore } from '../../src/ingest/azure/checkpoints.js';
import { lokiConfigSchema } from '../../src/outputs/config.js';
import { LokiTransport } from '../../src/outputs/loki/transport.js';
import { makeRecords } from '../outputs/records.js';
import { capturingLogger } from './peers.js';

// Issue 16 item 2 (open drifts unbounded) at suite size: the bound, oldest-last-seen eviction, the
// metric, one log line per burst, files that follow the open set, and a restart. `npm run bench`
// pushes 1,000,000 distinct drifts through the same path and reports RSS. Also item 6's
// state_removed resolution, the account-binding warning and event-lag buckets.
const dirs: string[] = [];
const apps: App[] = [];
afterAll(async () => {
  for (const a of apps) await a.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tmp = (): string => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-open-'));
  dirs.push(d);
  return d;
};
const DEMO_STATES = [
  { name: 'network-prod', file: 'network-prod', account_id: '032092706103', region: 'us-northeast-1r' },
  { name: 'iam-prod', file: 'iam-prod', account_id: '751203476945' },
  { name: 'audit-logging', file: 'audit-logging', account_id: '143434273843', region: 'apiso-centralnorth-2r' },
];

async function boot(storage: string, over: { states?: Record<string, unknown>[]; detection?: Record<string, unknown> } = {}) {
  const out = collectingOutput();
  const { log, lines } = capturingLogger();
  const app = await startApp(
    parseConfig({
      server: { listen: '127.0.0.1:0' },
      states: over.states ?? [],
      detection: over.detection ?? {},
      outputs: { stdout: { enabled: false } },
      storage: { dir: storage },
    }),
    { log, outputs: [out] },
  );
  apps.push(app);
  await app.statesSettled;
  return { app, out, lines };
}

function feed(app: App, records: Record<string, unknown>[]): void {
  const aws = app.pipeline.provider('aws')!;
  for (const r of records) app.pipeline.processRecord(aws, r, 'test');
}

describe('detection.max_open_drifts', () => {
  it('keeps the most recently seen drifts, counts and logs evictions once per burst, and keeps the files sized by the open set', async () => {
    const storage = tmp();
    // The demo's states: the synthetic roles are unmanaged in an account that has a state.
    const demoStates = ingestConfig(storage).states;
    const { app, out, lines } = await boot(storage, { states: demoStates, detection: { max_open_drifts: 500 } });
    const first = syntheticRoleRecords(500, 'a');
    feed(app, first);
    expect(app.pipeline.ledger.size).toBe(500);
    // The oldest drift is seen again: it moves to the back of the eviction order and survives.
    feed(app, [{ ...first[0], eventID: '00000000-0000-4000-8000-a-repeat-000' }]);
    feed(app, syntheticRoleRecords(300, 'b')); // evicts a-1 … a-300, the ones seen longest ago
    expect(app.pipeline.ledger.size).toBe(500);
    const idOf = (i: number, tag: string) => out.records.find((r) => r.resource_id?.includes(`tfdrift-test-role-${tag}-${i}/`) || r.resource_id?.endsWith(`tfdrift-test-role-${tag}-${i}`))?.drift_id as string;
    let kept = new Set(app.pipeline.ledger.list().map((r) => r.drift_id));
    expect([idOf(0, 'a'), idOf(1, 'a'), idOf(300, 'a'), idOf(301, 'a'), idOf(0, 'b'), idOf(299, 'b')].map((id) => kept.has(id))).toEqual([true, false, false, true, true, true]);
    feed(app, syntheticRoleRecords(2700, 'c'));
    kept = new Set(app.pipeline.ledger.list().map((r) => r.drift_id));
    expect(kept.has(idOf(2199, 'c'))).toBe(false);
    expect(kept.has(idOf(2200, 'c'))).toBe(true);
    expect(out.records.filter((r) => r.event_type === 'terraform_drift_detected')).toHaveLength(3500);
    expect(out.records.filter((r) => r.event_type === 'terraform_drift_resolved')).toHaveLength(0); // evictions are not resolutions
    expect(await counter(app.metrics, 'tfdrift_drifts_evicted_total', { change_type: 'unmanaged' })).toBe(3000);
    expect(lines.filter((l) => l.message.startsWith('open drifts reached detection.max_open_drifts'))).toHaveLength(1);
    const metrics = await app.metrics.registry.metrics();
    expect(metrics).toMatch(/^tfdrift_drifts_open\{provider="aws",account_id="[0-9]+",change_type="unmanaged",severity="[a-z]+"\} 500$/m);

    // Files: snapshot plus journal stay within a small multiple of what 500 open drifts take.
    app.pipeline.ledger.save();
    const perDrift = statSync(path.join(storage, 'open-drifts.json')).size / 500;
    feed(app, syntheticRoleRecords(5000, 'c'));
    const onDisk = statSync(path.join(storage, 'open-drifts.json')).size + statSync(path.join(storage, 'open-drifts.json.journal')).size;
    expect(onDisk).toBeLessThan(perDrift * 500 * 3 + (1 << 20) + perDrift * 10);

    // Restart with a lower bound: what was persisted is the last 500, cut to the newest 100.
    await app.stop();
    apps.splice(apps.indexOf(app), 1);
    const survivors = app.pipeline.ledger.entries().slice(-100).map((d) => d.record.drift_id);
    const reopened = new DriftLedger(3_600_000, path.join(storage, 'open-drifts.json'), { maxOpen: 100, metrics: new Metrics({ defaultMetrics: false }) });
    expect(reopened.size).toBe(100);
    expect(reopened.list().map((r) => r.drift_id)).toEqual(survivors);
    expect(reopened.evicted).toBe(400);
  });
});

describe('state_removed', () => {
  it('closes drifts of a state source dropped from the config as state_removed, and keeps those of a source that failed to load open', async () => {
    const statesDir = tmp();
    for (const s of DEMO_STATES) copyFileSync(path.join(DEMO_DIR, 'states', `${s.file}.tfstate`), path.join(statesDir, `${s.file}.tfstate`));
    const sources = DEMO_STATES.map((s) => ({ name: s.name, backend: 'local', path: path.join(statesDir, `${s.file}.tfstate`), provider: 'aws', account_id: s.account_id, ...(s.region ? { region: s.region } : {}), reload_interval_seconds: 0, watch: false }));
    const storage = tmp();
    const first = await boot(storage, { states: sources });
    for (const a of demoAlerts()) first.app.ingest.processor.processFalcoAlert(a, 'test');
    const modified = (name: string) => first.out.records.find((r) => r.change_type === 'modified' && r.state_source?.endsWith(`/${name}.tfstate`)) as DriftRecord;
    const network = modified('network-prod');
    const iam = modified('iam-prod');
    const audit = modified('audit-logging');
    expect([network, iam, audit].every(Boolean)).toBe(true);
    await first.app.stop();
    apps.splice(apps.indexOf(first.app), 1);

    // network-prod leaves the config; audit-logging's file is broken at start (a half-written upload).
    const auditFile = path.join(statesDir, 'audit-logging.tfstate');
    const good = readFileSync(auditFile);
    writeFileSync(auditFile, '{"version": 4, "resources": [');
    const second = await boot(storage, { states: sources.filter((s) => s.name !== 'network-prod') });
    writeFileSync(auditFile, good);
    expect(second.app.states.statuses().find((s) => s.name === 'audit-logging')?.health).toBe('never_loaded');
    const resolved = second.out.records.filter((r) => r.event_type === 'terraform_drift_resolved');
    expect(resolved.find((r) => r.drift_id === network.drift_id)?.resolution).toBe('state_removed');
    expect(resolved.some((r) => r.drift_id === iam.drift_id)).toBe(false);
    expect(resolved.some((r) => r.drift_id === audit.drift_id)).toBe(false);
    expect(second.app.pipeline.ledger.get(audit.drift_id)).toBeDefined();
    expect(second.app.pipeline.ledger.get(network.drift_id)).toBeUndefined();
    expect(second.app.pipeline.ledger.get(iam.drift_id)).toBeDefined();
  });
});

describe('account binding', () => {
  it('warns when a bound state names another account, and looks its resources up under the binding', async () => {
    const { app, lines } = await boot(tmp(), {
      states: [{ name: 'iam', backend: 'local', path: path.join(DEMO_DIR, 'states', 'iam-prod.tfstate'), provider: 'aws', account_id: '111111111111', reload_interval_seconds: 0, watch: false }],
    });
    const warn = lines.filter((l) => l.message.startsWith('state resources name another account'));
    expect(warn).toHaveLength(1);
    expect(warn[0].meta).toMatchObject({ state: 'iam', bound_to: '111111111111', named: { '751203476945': expect.any(Number) } });
    const roles = app.states.index.stats().resources;
    expect(roles).toBeGreaterThan(0);
    expect(app.states.index.coversAccount('aws', '751203476945')).toBe(false);
    expect(app.states.index.coversAccount('aws', '111111111111')).toBe(true);
  });
});

describe('event lag buckets', () => {
  it('reach days: a two-day-old event lands in the 2-day bucket, not only in +Inf', async () => {
    const dir = tmp();
    const { app } = await boot(dir, { states: ingestConfig(dir).states });
    const twoDaysAgo = new Date(Date.now() - 1.5 * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
    feed(app, syntheticRoleRecords(1, 'lag').map((r) => ({ ...r, eventTime: twoDaysAgo })));
    const text = await app.metrics.registry.metrics();
    expect(text).toMatch(/^tfdrift_event_lag_seconds_bucket\{le="86400"\} 0$/m);
    expect(text).toMatch(/^tfdrift_event_lag_seconds_bucket\{le="172800"\} 1$/m);
    expect(text).toMatch(/^tfdrift_event_lag_seconds_bucket\{le="604800"\} 1$/m);
  });
});

describe('files under storage.dir', () => {
  it('are 0600 and directories 0700, whatever the umask, including a directory an older version left open', async () => {
    const storage = tmp();
    mkdirSync(path.join(storage, 'data'), { mode: 0o755 });
    const previous = process.umask(0o022);
    try {
      const { app } = await boot(path.join(storage, 'data'), { states: ingestConfig(storage).states });
      await fetch(`${app.url}/falco`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(demoAlerts()[0]) });
      await app.ingest.alerts.idle();
      feed(app, syntheticRoleRecords(3, 'modes'));
      app.pipeline.ledger.save();
      feed(app, syntheticRoleRecords(1, 'modes2')); // leaves a journal line too
      // The Loki spool and the Event Hubs checkpoints live under storage.dir as well.
      const loki = new LokiTransport({
        config: lokiConfigSchema.parse({ enabled: true, url: 'http://127.0.0.1:9', shutdown_timeout_ms: 50, request_timeout_ms: 50 }),
        spoolDir: path.join(storage, 'data', 'loki-spool'), log: capturingLogger().log, random: () => 0.5,
      });
      loki.enqueue(makeRecords(1)[0]);
      await loki.close();
      await new FileCheckpointStore(path.join(storage, 'data', 'eventhubs')).updateCheckpoint({
        fullyQualifiedNamespace: 'ns', eventHubName: 'hub', consumerGroup: '$Default', partitionId: '0', sequenceNumber: 1, offset: '1',
      } as never);
    } finally {
      process.umask(previous);
    }
    const { readdirSync } = await import('node:fs');
    const walk = (d: string): { p: string; dir: boolean }[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(d, e.name);
        return e.isDirectory() ? [{ p, dir: true }, ...walk(p)] : [{ p, dir: false }];
      });
    const entries = [{ p: path.join(storage, 'data'), dir: true }, ...walk(path.join(storage, 'data'))];
    const names = entries.map((e) => path.relative(storage, e.p));
    expect(names).toEqual(expect.arrayContaining(['data/journal', 'data/open-drifts.json', 'data/open-drifts.json.journal', 'data/loki-spool', 'data/eventhubs']));
    expect(names.some((n) => /^data\/loki-spool\/.+/.test(n)) && names.some((n) => /^data\/eventhubs\/.+/.test(n))).toBe(true);
    expect(names.some((n) => /^data\/journal\/.+/.test(n))).toBe(true);
    for (const e of entries) expect([path.relative(storage, e.p), (statSync(e.p).mode & 0o777).toString(8)]).toEqual([path.relative(storage, e.p), e.dir ? '700' : '600']);
  });
});
