import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { fleetConfigSchema, ownedAccounts, ownsAccount } from '../../src/fleet/config.js';
import { stateSource } from '../../src/state/config.js';
import { silentLogger } from '../../src/util/logger.js';
import { collectingOutput, counter, DEMO_DIR, demoAlerts, ingestConfig, post, tempDir } from './helpers.js';

const apps: App[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.stop();
});

describe('fleet ownership', () => {
  it('owns the accounts its states name, or the explicit list; not a shard owns everything', () => {
    const states = [stateSource({ name: 'a', backend: 'local', path: 'a.tfstate', provider: 'aws', account_id: '111122223333' }), stateSource({ name: 'g', backend: 'local', path: 'g.tfstate', provider: 'gcp', project_id: 'proj-1' }), stateSource({ name: 'z', backend: 'local', path: 'z.tfstate', provider: 'azure', subscription_id: 'ABCD-EF' })];
    expect(ownedAccounts(fleetConfigSchema.parse({}), states)).toBeNull();
    const derived = ownedAccounts(fleetConfigSchema.parse({ shard: true }), states);
    expect(ownsAccount(derived, 'aws', '111122223333')).toBe(true);
    expect(ownsAccount(derived, 'aws', '444455556666')).toBe(false);
    expect(ownsAccount(derived, 'gcp', 'proj-1')).toBe(true);
    expect(ownsAccount(derived, 'aws', 'proj-1')).toBe(false);
    expect(ownsAccount(derived, 'azure', 'abcd-ef')).toBe(true); // subscription GUIDs in either case
    expect(ownsAccount(derived, 'aws', null)).toBe(true); // cannot be routed: kept
    const explicit = ownedAccounts(fleetConfigSchema.parse({ shard: true, owned_accounts: ['444455556666'] }), states);
    expect(ownsAccount(explicit, 'aws', '444455556666')).toBe(true);
    expect(ownsAccount(explicit, 'aws', '111122223333')).toBe(false);
  });

  it('a state bound to no account would make every other account\'s writes unmanaged; a shard skips them as not_owned instead', async () => {
    const raw = YAML.parse(readFileSync(path.join(DEMO_DIR, 'config.yaml'), 'utf8')) as { states: Record<string, unknown>[] };
    const iam = raw.states.find((s) => s.name === 'iam-prod')!;
    // No account_id: the state speaks for every account (a common single-account setup).
    const states = [{ ...iam, account_id: undefined, path: path.join(DEMO_DIR, String(iam.path)) }];
    const body = demoAlerts().map((a) => JSON.stringify(a)).join('\n');
    const run = async (fleet: Record<string, unknown>) => {
      const out = collectingOutput();
      const app = await startApp(ingestConfig(tempDir(), { states, fleet }), { log: silentLogger(), outputs: [out] });
      apps.push(app);
      expect((await post(`${app.url}/falco`, body, { 'content-type': 'application/x-ndjson' })).status).toBe(200);
      await app.ingest.alerts.idle();
      return { app, records: out.records };
    };
    const single = await run({});
    const foreign = single.records.filter((r) => r.account_id !== iam.account_id && r.change_type === 'unmanaged');
    expect(foreign.length).toBeGreaterThan(0); // the noise a shard must not produce
    const shard = await run({ shard: true, owned_accounts: [String(iam.account_id)] });
    expect(shard.records.filter((r) => r.account_id !== iam.account_id)).toEqual([]);
    expect(shard.records.map((r) => r.drift_id).sort()).toEqual(single.records.filter((r) => r.account_id === iam.account_id).map((r) => r.drift_id).sort());
    expect(await counter(shard.app.metrics, 'tfdrift_events_skipped_total', { reason: 'not_owned' })).toBeGreaterThan(0);
  });
});
