/** apply / diff / delete against the local Grafana peer on loopback. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  applyAlerting,
  buildAlerting,
  deleteAlerting,
  formatChanges,
  GrafanaApiError,
  GrafanaClient,
  planAlerting,
  type AlertRulesOptions,
} from '../src/index.js';
import { goldenOptions } from './fixtures.js';
import { GrafanaPeer } from '../src/testing/grafana-peer.js';

const TOKEN = 'glsa_test_token';
let peer: GrafanaPeer;
let client: GrafanaClient;

beforeEach(async () => {
  peer = new GrafanaPeer({ token: TOKEN, readOnlyToken: 'viewer' });
  await peer.start();
  client = new GrafanaClient({ baseUrl: peer.url, token: TOKEN });
});
afterEach(() => peer.stop());

async function caught(promise: Promise<unknown>): Promise<GrafanaApiError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(GrafanaApiError);
    return err as GrafanaApiError;
  }
  throw new Error('expected a GrafanaApiError');
}

describe('apply', () => {
  it('first apply creates folder, mute timing, rules and policy route, all with X-Disable-Provenance', async () => {
    const built = buildAlerting(goldenOptions('small'));
    const result = await applyAlerting(client, built);
    expect(result.applied.map((c) => `${c.kind}:${c.action}`)).toEqual([
      'folder:create',
      ...built.group.rules.map(() => 'rule:create'),
      'mute-timing:create',
      'policy:create',
    ]);
    expect(peer.folders.get('tfdrift')).toEqual({ uid: 'tfdrift', title: 'TFDrift' });
    expect(peer.rules.size).toBe(9);
    for (const stored of peer.rules.values()) {
      expect(stored.provenance).toBe('');
    }
    expect(peer.muteTimings.get('tfdrift-maintenance')?.mt.time_intervals).toHaveLength(6);
    const route = peer.policyTree.routes[0];
    expect(route).toMatchObject({ receiver: 'platform-slack', object_matchers: [['tfdrift_job', '=', 'tfdrift']], mute_time_intervals: ['tfdrift-maintenance'] });
    const provisioningWrites = peer.writes().filter((w) => w.path.startsWith('/api/v1/provisioning'));
    expect(provisioningWrites.length).toBe(3);
    for (const w of provisioningWrites) {
      expect(w.headers['x-disable-provenance']).toBe('true');
      expect(w.headers.authorization).toBe(`Bearer ${TOKEN}`);
    }
  });

  it('is idempotent: a second apply plans no change and writes nothing', async () => {
    const built = buildAlerting(goldenOptions('large'));
    await applyAlerting(client, built);
    const writes = peer.writes().length;
    const second = await applyAlerting(client, buildAlerting(goldenOptions('large')));
    expect(second.plan.hasChanges).toBe(false);
    expect(second.applied).toEqual([]);
    expect(peer.writes().length).toBe(writes);
  });

  it('is idempotent against a Grafana that spells fields the old way (folderUid, 5m0s, legacy matchers)', async () => {
    await peer.stop();
    peer = new GrafanaPeer({ legacyShapes: true });
    await peer.start();
    client = new GrafanaClient({ baseUrl: peer.url });
    const options: AlertRulesOptions = { ...goldenOptions('small'), tuning: { drift_rate: { for: '5m' } } };
    await applyAlerting(client, buildAlerting(options));
    const again = await planAlerting(client, buildAlerting(options));
    expect(formatChanges(again.changes)).toBe('');
    expect(again.hasChanges).toBe(false);
  });

  it('a changed threshold updates the same rule in place, and the dry-run diff names the field', async () => {
    await applyAlerting(client, buildAlerting(goldenOptions('small')));
    const before = new Set(peer.rules.keys());
    const edited = buildAlerting({ ...goldenOptions('small'), tuning: { critical: { threshold: 4 } } });
    const dry = await applyAlerting(client, edited, { dryRun: true });
    const changed = dry.plan.changes.filter((c) => c.action !== 'unchanged');
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({ kind: 'rule', action: 'update', id: edited.allRuleUids.critical });
    expect(changed[0].fields.map((f) => f.path)).toContain('data[2].model.conditions[0].evaluator.params[0]');
    expect(formatChanges(dry.plan.changes)).toContain('data[2].model.conditions[0].evaluator.params[0]: 0 → 4');
    expect(peer.rules.get(edited.allRuleUids.critical)!.rule.data[2].model.conditions[0].evaluator.params[0]).toBe(0);

    await applyAlerting(client, edited);
    expect(new Set(peer.rules.keys())).toEqual(before);
    expect(peer.rules.get(edited.allRuleUids.critical)!.rule.data[2].model.conditions[0].evaluator.params[0]).toBe(4);
    expect((await planAlerting(client, edited)).hasChanges).toBe(false);
  });

  it('dry-run on an empty Grafana lists creations and writes nothing', async () => {
    const result = await applyAlerting(client, buildAlerting(goldenOptions('small')), { dryRun: true });
    expect(result.plan.changes.filter((c) => c.action === 'create')).toHaveLength(12);
    expect(peer.writes()).toEqual([]);
  });

  it('disabling a rule deletes it; removing all windows detaches and then deletes the mute timing', async () => {
    await applyAlerting(client, buildAlerting(goldenOptions('small')));
    const next = buildAlerting({ ...goldenOptions('small'), maintenanceWindows: [], tuning: { drift_rate: { enabled: false } } });
    const result = await applyAlerting(client, next);
    expect(result.applied.map((c) => `${c.kind}:${c.action}`).sort()).toEqual(['mute-timing:delete', 'policy:update', 'rule:delete']);
    expect(peer.rules.has(next.allRuleUids.drift_rate)).toBe(false);
    expect(peer.muteTimings.size).toBe(0);
    expect(peer.policyTree.routes[0].mute_time_intervals).toEqual([]);
    expect((await planAlerting(client, next)).hasChanges).toBe(false);
  });

  it('keeps rules a user added to the group by hand and the rest of the policy tree', async () => {
    await applyAlerting(client, buildAlerting(goldenOptions('small')));
    const own = peer.rules.get(buildAlerting(goldenOptions('small')).allRuleUids.critical)!.rule;
    peer.seedRule({ ...structuredClone(own), uid: 'hand-made', title: 'Hand made', labels: { team: 'sec' } }, '');
    peer.policyTree.routes.push({ receiver: 'grafana-default-email', object_matchers: [['team', '=', 'sec']] });
    await applyAlerting(client, buildAlerting({ ...goldenOptions('small'), tuning: { high: { threshold: 5 } }, contactPoint: 'grafana-default-email' }));
    expect(peer.rules.has('hand-made')).toBe(true);
    expect(peer.policyTree.routes).toHaveLength(2);
    expect(peer.policyTree.routes[0].receiver).toBe('grafana-default-email');
    expect(peer.policyTree.routes[1].object_matchers).toEqual([['team', '=', 'sec']]);
  });
});

describe('errors', () => {
  it('409: a file-provisioned rule in the group stops apply before any write, naming the rule', async () => {
    peer.folders.set('tfdrift', { uid: 'tfdrift', title: 'TFDrift' });
    const built = buildAlerting(goldenOptions('small'));
    peer.seedRule({ ...structuredClone(built.group.rules[0]), title: 'From a YAML file' }, 'file');
    const plan = await planAlerting(client, built);
    expect(plan.conflicts).toEqual([{ uid: built.allRuleUids.critical, title: 'From a YAML file', provenance: 'file' }]);
    const writes = peer.writes().length;
    const err = await caught(applyAlerting(client, built));
    expect(err.kind).toBe('provenance-conflict');
    expect(err.message).toContain('"From a YAML file"');
    expect(err.message).toContain('provenance file');
    expect(peer.writes().length).toBe(writes);
  });

  it('409 from Grafana itself (rule UID provisioned from a file elsewhere) becomes a clear provenance error', async () => {
    const built = buildAlerting(goldenOptions('small'));
    peer.folders.set('other', { uid: 'other', title: 'Other' });
    peer.seedRule({ ...structuredClone(built.group.rules[1]), folderUID: 'other', ruleGroup: 'elsewhere' }, 'file');
    const err = await caught(applyAlerting(client, built));
    expect(err.kind).toBe('provenance-conflict');
    expect(err.status).toBe(409);
    expect(err.message).toMatch(/provenance conflict, 409/);
    expect(err.message).toContain(`${peer.url}/api/v1/provisioning/folder/tfdrift/rule-groups/tfdrift`);
    expect(err.message).toContain("cannot change provenance from 'file' to ''");
  });

  it('401 without a token names the URL and says how to authenticate', async () => {
    const err = await caught(applyAlerting(new GrafanaClient({ baseUrl: peer.url }), buildAlerting(goldenOptions('small'))));
    expect(err.kind).toBe('unauthorized');
    expect(err.status).toBe(401);
    expect(err.message).toContain(peer.url);
    expect(err.message).toContain('GRAFANA_TOKEN');
  });

  it('403 for a token without alerting rights', async () => {
    const err = await caught(applyAlerting(new GrafanaClient({ baseUrl: peer.url, token: 'viewer' }), buildAlerting(goldenOptions('small'))));
    expect(err.kind).toBe('forbidden');
    expect(err.status).toBe(403);
    expect(err.message).toMatch(/→ 403/);
  });

  it('404 datasource: an unknown Loki UID is reported before anything is written', async () => {
    const err = await caught(applyAlerting(client, buildAlerting({ ...goldenOptions('small'), lokiDatasourceUid: 'no-such-loki' })));
    expect(err.kind).toBe('datasource-not-found');
    expect(err.status).toBe(404);
    expect(err.message).toContain('Loki datasource "no-such-loki" does not exist');
    expect(err.message).toContain('--datasource-uid');
    expect(peer.writes()).toEqual([]);
  });

  it('a datasource-not-found answer to the write itself is classified too', async () => {
    const built = buildAlerting(goldenOptions('small'));
    const plan = await planAlerting(client, built);
    peer.datasources = peer.datasources.filter((d) => d.uid !== 'prometheus');
    const { applyPlan } = await import('../src/index.js');
    const err = await caught(applyPlan(client, plan));
    expect(err.kind).toBe('datasource-not-found');
    expect(err.status).toBe(400);
  });

  it('an unknown contact point lists the existing ones', async () => {
    const err = await caught(applyAlerting(client, buildAlerting({ ...goldenOptions('small'), contactPoint: 'nope' })));
    expect(err.kind).toBe('contact-point-not-found');
    expect(err.message).toContain('existing: grafana-default-email, platform-slack');
  });

  it('an unreachable Grafana is a network error naming the URL', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const err = await caught(planAlerting(new GrafanaClient({ baseUrl: `http://127.0.0.1:${port}` }), buildAlerting(goldenOptions('small'))));
    expect(err.kind).toBe('network');
    expect(err.message).toContain(`http://127.0.0.1:${port}/api/datasources/uid/loki`);
  });

  it('the peer enforces Grafana validation: missing relativeTimeRange, bad __expr__ reference, unknown condition', async () => {
    const built = buildAlerting(goldenOptions('small'));
    peer.folders.set('tfdrift', { uid: 'tfdrift', title: 'TFDrift' });
    const bad = (mutate: (r: any) => void) => { // eslint-disable-line @typescript-eslint/no-explicit-any
      const r = structuredClone(built.group.rules[0]);
      mutate(r);
      return client.putRuleGroup({ ...built.group, rules: [r] });
    };
    expect((await caught(bad((r) => delete r.data[0].relativeTimeRange))).message).toContain('has no relativeTimeRange');
    expect((await caught(bad((r) => (r.data[0].relativeTimeRange = { from: 0, to: 0 })))).message).toContain('invalid relative time range');
    expect((await caught(bad((r) => (r.data[1].model.expression = 'Z'))))).toMatchObject({ kind: 'validation', status: 400 });
    expect((await caught(bad((r) => (r.condition = 'D')))).message).toContain('condition D does not exist');
    expect((await caught(bad((r) => delete r.title))).message).toContain('title is required');
    expect((await caught(bad((r) => (r.data[1].model.type = 'nope')))).message).toContain('unknown type nope');
  });
});

describe('delete', () => {
  it('removes rules, route and mute timing, keeps other routes, and a second delete does nothing', async () => {
    const built = buildAlerting(goldenOptions('small'));
    await applyAlerting(client, built);
    peer.policyTree.routes.push({ receiver: 'grafana-default-email', object_matchers: [['team', '=', 'sec']] });
    const dry = await deleteAlerting(client, built, { dryRun: true });
    expect(dry).toHaveLength(11);
    expect(peer.rules.size).toBe(9);
    const done = await deleteAlerting(client, built);
    expect(done.map((c) => c.kind).sort()).toEqual([...Array(9).fill('rule'), 'mute-timing', 'policy'].sort());
    expect(peer.rules.size).toBe(0);
    expect(peer.muteTimings.size).toBe(0);
    expect(peer.policyTree.routes).toEqual([{ receiver: 'grafana-default-email', object_matchers: [['team', '=', 'sec']] }]);
    for (const w of peer.writes().filter((r) => r.method === 'DELETE')) {
      expect(w.headers['x-disable-provenance']).toBe('true');
    }
    expect(await deleteAlerting(client, built)).toEqual([]);
  });
});

describe('rule states', () => {
  it('reads the evaluation state of applied rules by UID', async () => {
    const built = buildAlerting(goldenOptions('small'));
    await applyAlerting(client, built);
    peer.ruleStates.set(built.allRuleUids.critical, { state: 'firing', health: 'ok', alerts: 2 });
    peer.ruleStates.set(built.allRuleUids.state_stale, { state: 'inactive', health: 'error', lastError: 'Prometheus unreachable' });
    const states = await client.getRuleStates();
    expect(states.get(built.allRuleUids.critical)).toEqual({ state: 'firing', health: 'ok', activeAlerts: 2, lastError: undefined });
    expect(states.get(built.allRuleUids.state_stale)?.lastError).toBe('Prometheus unreachable');
    expect(states.get('title:TFDrift: high drift')?.state).toBe('inactive');
  });
});
