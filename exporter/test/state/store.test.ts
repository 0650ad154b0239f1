import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/metrics/registry.js';
import { StateStore } from '../../src/state/store.js';
import { stateSource, type StateSourceConfig } from '../../src/state/config.js';
import type { StateBackend } from '../../src/state/backends/types.js';
import type { StateIndex } from '../../src/state/index.js';
import { silentLogger } from '../../src/util/logger.js';
import { awsState } from './helpers.js';

const sg = (id: string, serial: number, lineage = 'lin') => awsState([{ type: 'aws_security_group', name: 'web', attributes: { id, name: 'web' } }], { serial, lineage });

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function local(file: string, over: Partial<StateSourceConfig> = {}): StateSourceConfig {
  return stateSource({ name: 'prod', backend: 'local', provider: 'aws', account_id: '111111111111', path: file, reload_interval_seconds: 0, ...over });
}

async function metricValue(metrics: Metrics, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const m = (await metrics.registry.getMetricsAsJSON()).find((x) => x.name === name);
  return m?.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))?.value;
}

describe('StateStore', () => {
  it('loads, swaps the index on change, and skips unchanged reloads', async () => {
    const file = path.join(dir, 'prod.tfstate');
    writeFileSync(file, sg('sg-1', 1));
    const store = new StateStore([local(file)], null, silentLogger());
    const events: { changed: string[]; index: StateIndex }[] = [];
    store.on('reloaded', (e: { changed: string[]; index: StateIndex }) => events.push(e));
    expect(await store.reload()).toEqual({ changed: ['prod'], errors: [] });
    const first = store.index;
    expect(first.find('aws', '111111111111', ['aws_security_group'], { field: 'id', value: 'sg-1' })).toHaveLength(1);
    expect(await store.reload()).toEqual({ changed: [], errors: [] });
    expect(store.index).toBe(first);
    // Rewritten with the same serial and lineage (e.g. touched): not a new state.
    writeFileSync(file, `${sg('sg-1', 1)}\n`);
    expect((await store.reload()).changed).toEqual([]);
    writeFileSync(file, sg('sg-2', 2));
    expect((await store.reload('prod')).changed).toEqual(['prod']);
    expect(store.index).not.toBe(first);
    expect(store.index.find('aws', '111111111111', ['aws_security_group'], { field: 'id', value: 'sg-2' })).toHaveLength(1);
    expect(first.find('aws', '111111111111', ['aws_security_group'], { field: 'id', value: 'sg-1' })).toHaveLength(1); // old index untouched
    expect(events.map((e) => e.changed)).toEqual([['prod'], ['prod']]);
    expect(events[1].index).toBe(store.index);
  });

  it('keeps the last good state on a failed load, marks it stale in status and metrics, and recovers', async () => {
    const file = path.join(dir, 'prod.tfstate');
    writeFileSync(file, sg('sg-1', 1));
    const metrics = new Metrics({ defaultMetrics: false });
    const store = new StateStore([local(file)], metrics, silentLogger());
    await store.reload();
    writeFileSync(file, '{"version": 4, "resources": [tru');
    const failed = await store.reload();
    expect(failed.changed).toEqual([]);
    expect(failed.errors).toEqual([{ name: 'prod', error: expect.stringMatching(/prod\.tfstate: not JSON/) }]);
    expect(store.index.find('aws', '111111111111', ['aws_security_group'], { field: 'id', value: 'sg-1' })).toHaveLength(1);
    expect(store.statuses()[0]).toMatchObject({ ok: false, stale: true, resources: 1, lastError: expect.stringContaining('not JSON') });
    expect(store.ready()).toBe(true);
    expect(store.staleSources()).toEqual(['prod']);
    expect(await metricValue(metrics, 'tfdrift_state_stale', { state: 'prod' })).toBe(1);
    expect(await metricValue(metrics, 'tfdrift_state_load_errors_total', { state: 'prod' })).toBe(1);
    expect(await metricValue(metrics, 'tfdrift_state_resources', { state: 'prod', provider: 'aws' })).toBe(1);
    writeFileSync(file, sg('sg-3', 3));
    expect((await store.reload()).changed).toEqual(['prod']);
    expect(store.statuses()[0]).toMatchObject({ ok: true, stale: false, lastError: null });
    expect(await metricValue(metrics, 'tfdrift_state_stale', { state: 'prod' })).toBe(0);
    expect(await metricValue(metrics, 'tfdrift_state_last_success_timestamp_seconds', { state: 'prod' })).toBeGreaterThan(1.7e9);
  });

  it('is not ready while a source has never loaded', async () => {
    const store = new StateStore([local(path.join(dir, 'missing.tfstate'))], null, silentLogger());
    const r = await store.reload();
    expect(r.errors[0].error).toMatch(/cannot read state file/);
    expect(store.ready()).toBe(false);
    expect(store.statuses()[0]).toMatchObject({ ok: false, stale: false });
  });

  it('holds many states from one glob and notices added and removed files', async () => {
    writeFileSync(path.join(dir, 'a.tfstate'), sg('sg-a', 1, 'a'));
    writeFileSync(path.join(dir, 'b.tfstate'), sg('sg-b', 1, 'b'));
    const store = new StateStore([local(path.join(dir, '*.tfstate'))], null, silentLogger());
    await store.reload();
    expect(store.statuses()[0]).toMatchObject({ objects: 2, resources: 2 });
    expect(store.index.find('aws', '111111111111', ['aws_security_group'], { field: 'id', value: 'sg-b' })[0].source.location).toBe(path.join(dir, 'b.tfstate'));
    rmSync(path.join(dir, 'b.tfstate'));
    expect((await store.reload()).changed).toEqual(['prod']);
    expect(store.statuses()[0]).toMatchObject({ objects: 1, resources: 1 });
  });

  it('coalesces concurrent reloads of one source into one fetch at a time', async () => {
    let fetches = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    let serial = 0;
    const backend: StateBackend = {
      kind: 'fake',
      describe: () => 'fake://state',
      async fetch() {
        fetches++;
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 20));
        inFlight--;
        serial++;
        return [{ text: sg(`sg-${serial}`, serial), location: 'fake://state', version: String(serial) }];
      },
    };
    const store = new StateStore([local('unused')], null, silentLogger(), () => backend);
    await Promise.all([store.reload(), store.reload()]);
    expect(fetches).toBe(1); // requested together: one load
    const running = store.reload();
    await new Promise((r) => setTimeout(r, 5)); // now a fetch is in flight
    await Promise.all([running, store.reload(), store.reload(), store.reload('prod')]);
    expect(maxInFlight).toBe(1);
    // The running load may have read the old content, so one more runs after it; the three later triggers share it.
    expect(fetches).toBe(3);
  });

  it('reloads a watched file when it is written', async () => {
    const file = path.join(dir, 'prod.tfstate');
    writeFileSync(file, sg('sg-1', 1));
    const store = new StateStore([local(file)], null, silentLogger());
    await store.reload();
    store.startPolling();
    try {
      const reloaded = new Promise<{ changed: string[] }>((resolve) => store.once('reloaded', resolve));
      writeFileSync(file, sg('sg-9', 9));
      expect((await reloaded).changed).toEqual(['prod']);
      expect(store.index.find('aws', '111111111111', ['aws_security_group'], { field: 'id', value: 'sg-9' })).toHaveLength(1);
    } finally {
      store.stop();
    }
  });

  it('rejects configs that miss their backend keys, and duplicate names', async () => {
    const { statesConfigSchema } = await import('../../src/state/config.js');
    const bad = statesConfigSchema.safeParse([
      { name: 'a', backend: 's3', provider: 'aws', bucket: 'b' },
      { name: 'a', backend: 'remote', provider: 'aws' },
      { name: 'c', backend: 'http', provider: 'aws', password_env: 'not a name' },
    ]);
    expect(bad.success).toBe(false);
    const msgs = bad.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(msgs).toEqual(expect.arrayContaining([
      '0.key: required for backend "s3"',
      '1.organization: required for backend "remote" unless workspace_id is set',
      '1.name: duplicate state name "a"',
      '2.url: required for backend "http"',
      '2.password_env: an environment variable name',
    ]));
  });
});
