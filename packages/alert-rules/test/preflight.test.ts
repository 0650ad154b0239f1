/** Preflight before any write, and the re-read of Grafana when a write fails midway. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ApplyFailedError,
  applyAlerting,
  buildAlerting,
  GrafanaClient,
  planAlerting,
  PreflightError,
  readAlerting,
  runPreflight,
  type Change,
} from '../src/index.js';
import { GrafanaPeer } from '../src/testing/grafana-peer.js';
import { goldenOptions } from './fixtures.js';

const TOKEN = 'glsa_preflight';
let peer: GrafanaPeer;
let client: GrafanaClient;

beforeEach(async () => {
  peer = new GrafanaPeer({ token: TOKEN, readOnlyToken: 'viewer' });
  await peer.start();
  client = new GrafanaClient({ baseUrl: peer.url, token: TOKEN });
});
afterEach(() => peer.stop());

async function rejection<T extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(type);
    return err as T;
  }
  throw new Error(`expected a ${type.name}`);
}

const key = (c: Change) => `${c.kind}:${c.id}:${c.action}`;

describe('preflight', () => {
  it("a policy tree whose default receiver does not exist stops apply before any write (issue 15's half-apply)", async () => {
    peer.contactPoints = [{ name: 'platform-oncall', type: 'email' }];
    const built = buildAlerting({ ...goldenOptions('small'), contactPoint: undefined });
    const err = await rejection(applyAlerting(client, built), PreflightError);
    expect(peer.writes()).toEqual([]);
    expect(err.kind).toBe('contact-point-not-found');
    expect(err.failures).toHaveLength(1);
    expect(err.failures[0]).toMatchObject({ subject: 'contact-point', target: 'grafana-default-email', ok: false });
    expect(err.message).toContain("\"grafana-default-email\" (the policy tree's default receiver) does not exist");
    expect(err.message).toContain('existing: platform-oncall');
    expect(err.message).toContain('nothing was written');
    // The checks that passed are reported too: datasources, folder, tree readable.
    expect(err.checks.filter((c) => c.ok).map((c) => `${c.subject}:${c.target}`)).toEqual([
      'datasource:loki',
      'datasource:prometheus',
      'folder:tfdrift',
      'policy-tree:policies',
    ]);
  });

  it('a receiver of a user route elsewhere in the tree is checked too (Grafana validates the whole tree)', async () => {
    peer.policyTree = { receiver: 'grafana-default-email', routes: [{ receiver: 'deleted-pager', object_matchers: [['team', '=', 'db']] }] };
    const err = await rejection(planAlerting(client, buildAlerting(goldenOptions('small'))), PreflightError);
    expect(err.failures.map((c) => c.target)).toEqual(['deleted-pager']);
    expect(err.message).toContain('a receiver in the policy tree');
    expect(peer.writes()).toEqual([]);
  });

  it('lists every problem at once: a missing datasource, a missing contact point and a missing mute timing', async () => {
    peer.policyTree = { receiver: 'grafana-default-email', routes: [{ receiver: 'platform-slack', mute_time_intervals: ['gone-window'], object_matchers: [['a', '=', 'b']] }] };
    const built = buildAlerting({ ...goldenOptions('small'), prometheusDatasourceUid: 'no-such-prom', contactPoint: 'nope' });
    const err = await rejection(planAlerting(client, built), PreflightError);
    expect(err.failures.map((c) => `${c.subject}:${c.target}`)).toEqual(['datasource:no-such-prom', 'contact-point:nope', 'mute-timing:gone-window']);
    expect(err.kind).toBe('datasource-not-found');
    expect(err.message).toContain('--prometheus-datasource-uid');
    expect(err.message).toContain('Choose an existing contact point');
  });

  it('folder: a read-only existing folder fails; a missing folder needs folders:create where Grafana reports actions', async () => {
    peer.folders.set('tfdrift', { uid: 'tfdrift', title: 'TFDrift' });
    peer.readOnlyFolders.add('tfdrift');
    const built = buildAlerting(goldenOptions('small'));
    const readOnly = await rejection(planAlerting(client, built), PreflightError);
    expect(readOnly.failures[0]).toMatchObject({ subject: 'folder', kind: 'forbidden' });
    expect(readOnly.message).toContain('cannot write to it');

    const noCreate = new GrafanaPeer({ userActions: { 'folders:read': true } });
    await noCreate.start();
    try {
      const err = await rejection(planAlerting(new GrafanaClient({ baseUrl: noCreate.url }), built), PreflightError);
      expect(err.failures[0].message).toContain('may not create folders');
      expect(noCreate.writes()).toEqual([]);
    } finally {
      await noCreate.stop();
    }

    const older = new GrafanaPeer({ userActions: null });
    await older.start();
    try {
      const { checks } = await runPreflight(new GrafanaClient({ baseUrl: older.url }), built);
      expect(checks.find((c) => c.subject === 'folder')).toMatchObject({ ok: true, message: 'Folder "TFDrift" (tfdrift) will be created.' });
    } finally {
      await older.stop();
    }
  });

  it('an unreadable policy tree is a failed check naming the status, not a crash', async () => {
    peer.failOn({ method: 'GET', path: '/api/v1/provisioning/policies', status: 500, message: 'database is locked' });
    const err = await rejection(planAlerting(client, buildAlerting(goldenOptions('small'))), PreflightError);
    expect(err.failures[0]).toMatchObject({ subject: 'policy-tree', status: 500 });
    expect(err.message).toContain('The notification policy tree cannot be read');
    expect(err.message).toContain('database is locked');
  });
});

describe('a write failing midway', () => {
  it('re-reads Grafana and reports exactly what is applied; a retry writes only the rest', async () => {
    const built = buildAlerting(goldenOptions('small'));
    peer.failOn({ method: 'PUT', path: '/api/v1/provisioning/folder/*', status: 500, message: 'failed to save rule group' });
    const err = await rejection(applyAlerting(client, built), ApplyFailedError);
    expect(err.status).toBe(500);
    expect(err.written.map(key)).toEqual(['folder:tfdrift:create', 'mute-timing:tfdrift-maintenance:create']);
    expect(err.failed.every((c) => c.kind === 'rule')).toBe(true);
    // The re-read agrees with the peer resource by resource.
    const state = err.state!;
    expect(state.changes.find((c) => c.kind === 'folder')?.action).toBe('unchanged');
    expect(state.changes.find((c) => c.kind === 'mute-timing')?.action).toBe('unchanged');
    for (const rule of built.group.rules) {
      expect(peer.rules.has(rule.uid)).toBe(false);
      expect(state.changes.find((c) => c.id === rule.uid)?.action).toBe('create');
    }
    expect(state.changes.find((c) => c.kind === 'policy')?.action).toBe('create');
    expect(err.message).toContain('Apply stopped at rule TFDrift: critical drift');
    expect(err.message).toContain(`Re-read Grafana: 2 of ${state.changes.length} resources match; not applied: rule TFDrift: critical drift (missing)`);

    const writesBefore = peer.writes().length;
    const retry = await applyAlerting(client, built);
    expect(retry.applied.map((c) => c.kind)).not.toContain('folder');
    expect(retry.applied.map((c) => c.kind)).not.toContain('mute-timing');
    expect(peer.writes().slice(writesBefore).map((w) => `${w.method} ${w.path.split('/').slice(0, 5).join('/')}`)).toEqual([
      'PUT /api/v1/provisioning/folder',
      'PUT /api/v1/provisioning/policies',
    ]);
    expect((await readAlerting(client, built)).hasChanges).toBe(false);
  });

  it('a failure on the last write leaves the rules applied, and the report says so rule by rule', async () => {
    const built = buildAlerting(goldenOptions('large'));
    peer.failOn({ method: 'PUT', path: '/api/v1/provisioning/policies', status: 400, message: 'invalid object specification' });
    const err = await rejection(applyAlerting(client, built), ApplyFailedError);
    expect(err.kind).toBe('validation');
    const state = err.state!;
    for (const rule of built.group.rules) {
      expect(peer.rules.has(rule.uid)).toBe(true);
      expect(state.changes.find((c) => c.id === rule.uid)?.action).toBe('unchanged');
    }
    expect(state.changes.filter((c) => c.action !== 'unchanged').map(key)).toEqual(['policy:policies:create']);
    expect(err.message).toContain('not applied: policy notification policy route for TFDrift alerts (missing)');
  });

  it('when Grafana cannot be read again either, the error says so instead of guessing', async () => {
    const built = buildAlerting(goldenOptions('small'));
    const plan = await planAlerting(client, built);
    peer.failOn({ method: 'PUT', path: '/api/v1/provisioning/policies', status: 502, message: 'bad gateway' });
    // The re-read's first request fails too.
    peer.failOn({ method: 'GET', path: '/api/folders/tfdrift', status: 502, message: 'bad gateway' });
    const { applyPlan } = await import('../src/index.js');
    const err = await rejection(applyPlan(client, plan), ApplyFailedError);
    expect(err.state).toBeUndefined();
    expect(err.reReadError?.status).toBe(502);
    expect(err.message).toContain('Grafana could not be read again');
  });
});
