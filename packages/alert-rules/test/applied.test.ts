import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appliedSettings, applyAlerting, buildAlerting, GrafanaClient, planAlerting, type AlertRulesOptions } from '../src/index.js';
import { GrafanaPeer } from '../src/testing/grafana-peer.js';
import { goldenOptions } from './fixtures.js';

let peer: GrafanaPeer;
let client: GrafanaClient;
beforeEach(async () => {
  peer = new GrafanaPeer();
  await peer.start();
  client = new GrafanaClient({ baseUrl: peer.url });
});
afterEach(() => peer.stop());

describe('applied settings read back from Grafana', () => {
  it('nothing applied: undefined', async () => {
    expect(appliedSettings(await planAlerting(client, buildAlerting(goldenOptions('small'))))).toBeUndefined();
  });

  it('round trip: settings read back rebuild exactly what is applied (no changes planned)', async () => {
    const options: AlertRulesOptions = {
      ...goldenOptions('large'),
      team: 'secops',
      productionAccounts: ['123456789012', 'my-proj.prod'],
      tuning: { critical: { threshold: 1, window: '20m' }, iam_change: { enabled: false }, state_stale: { threshold: 7200, for: '15m' } },
    };
    await applyAlerting(client, buildAlerting(options));
    const fresh = buildAlerting({ preset: 'small', lokiDatasourceUid: 'loki', prometheusDatasourceUid: 'prometheus', grafanaUrl: options.grafanaUrl });
    const applied = appliedSettings(await planAlerting(client, fresh))!;
    expect(applied.preset).toBeUndefined();
    expect(applied.team).toBe('secops');
    expect(applied.productionAccounts).toEqual(['123456789012', 'my-proj.prod']);
    expect(applied.contactPoint).toBe('platform-slack');
    expect(applied.tuning.critical).toMatchObject({ enabled: true, threshold: 1, window: '20m' });
    expect(applied.tuning.iam_change).toEqual({ enabled: false });
    expect(applied.maintenanceWindows).toHaveLength(6);

    const rebuilt = buildAlerting({
      preset: 'small',
      lokiDatasourceUid: 'loki',
      prometheusDatasourceUid: 'prometheus',
      grafanaUrl: options.grafanaUrl,
      tuning: applied.tuning,
      team: applied.team,
      productionAccounts: applied.productionAccounts,
      contactPoint: applied.contactPoint,
      maintenanceWindows: applied.maintenanceWindows,
    });
    const plan = await planAlerting(client, rebuilt);
    expect(plan.changes.filter((c) => c.action !== 'unchanged')).toEqual([]);
  });

  it('recognises an unedited preset', async () => {
    await applyAlerting(client, buildAlerting({ ...goldenOptions('large'), maintenanceWindows: [] }));
    const applied = appliedSettings(await planAlerting(client, buildAlerting(goldenOptions('small'))))!;
    expect(applied.preset).toBe('large');
    expect(applied.maintenanceWindows).toEqual([]);
  });
});
