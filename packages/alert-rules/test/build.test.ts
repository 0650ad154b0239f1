import { describe, expect, it } from 'vitest';
import {
  buildAlerting,
  durationSeconds,
  isValidUid,
  PRESETS,
  RULE_KEYS,
  ruleUid,
  type AlertRulesOptions,
  type ProvisionedAlertRule,
} from '../src/index.js';
import { goldenOptions } from './fixtures.js';

const base: AlertRulesOptions = { preset: 'small', lokiDatasourceUid: 'loki', prometheusDatasourceUid: 'prometheus' };

function rule(options: AlertRulesOptions, key: string): ProvisionedAlertRule {
  const found = buildAlerting(options).group.rules.find((r) => r.labels.tfdrift_alert === key);
  if (!found) throw new Error(`no rule ${key}`);
  return found;
}

function threshold(r: ProvisionedAlertRule): { type: string; value: number } {
  const c = r.data.find((q) => q.refId === r.condition)!.model as { conditions: Array<{ evaluator: { type: string; params: number[] } }> };
  return { type: c.conditions[0].evaluator.type, value: c.conditions[0].evaluator.params[0] };
}

describe('presets (DESIGN.md table)', () => {
  const table = {
    small: { critical: [0, '5m'], high: [2, '10m'], drift_rate: [10, '1h'] },
    large: { critical: [3, '10m'], high: [10, '30m'], drift_rate: [50, '1h'] },
  } as const;
  for (const preset of ['small', 'large'] as const) {
    for (const [key, [value, window]] of Object.entries(table[preset])) {
      it(`${preset}: ${key} fires on > ${value} in ${window}`, () => {
        const r = rule({ ...base, preset }, key);
        expect(threshold(r)).toEqual({ type: 'gt', value });
        expect(String(r.data[0].model.expr)).toContain(`[${window}])`);
        expect(r.data[0].relativeTimeRange).toEqual({ from: durationSeconds(window), to: 0 });
        expect(PRESETS[preset][key as 'critical'].threshold).toBe(value);
      });
    }
  }
});

describe('built rules', () => {
  const built = buildAlerting(goldenOptions('small'));

  it('builds all eight rules in one folder and one group', () => {
    expect(built.group.rules.map((r) => r.labels.tfdrift_alert)).toEqual([...RULE_KEYS]);
    expect(new Set(built.group.rules.map((r) => r.folderUID))).toEqual(new Set(['tfdrift']));
    expect(new Set(built.group.rules.map((r) => r.ruleGroup))).toEqual(new Set(['tfdrift']));
    expect(built.group).toMatchObject({ title: 'tfdrift', folderUid: 'tfdrift', interval: 60 });
  });

  it('gives valid, unique, stable UIDs that depend on the job label only', () => {
    const uids = built.group.rules.map((r) => r.uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const uid of uids) {
      expect(isValidUid(uid), uid).toBe(true);
      expect(uid.length).toBeLessThanOrEqual(40);
    }
    expect(buildAlerting({ ...base, preset: 'large' }).group.rules.map((r) => r.uid)).toEqual(uids);
    expect(buildAlerting({ ...base, jobLabel: 'other' }).group.rules[0].uid).not.toBe(uids[0]);
    expect(ruleUid('a-very-long-rule-key-that-goes-on-and-on-and-on', 'x').length).toBe(40);
  });

  it('every rule: condition refId exists, reduce + threshold on __expr__, relativeTimeRange on the query', () => {
    for (const r of built.group.rules) {
      const refIds = r.data.map((q) => q.refId);
      expect(refIds).toContain(r.condition);
      expect(r.data[0].relativeTimeRange.from).toBeGreaterThan(r.data[0].relativeTimeRange.to);
      expect(r.data.slice(1).map((q) => [q.datasourceUid, q.model.type])).toEqual([
        ['__expr__', 'reduce'],
        ['__expr__', 'threshold'],
      ]);
      expect(r.data[1].model.expression).toBe('A');
      expect(r.data[2].model.expression).toBe('B');
    }
  });

  it('labels carry team and severity; annotations carry summary, description, runbook and a drift-view link', () => {
    for (const r of built.group.rules) {
      expect(r.labels).toMatchObject({ team: 'platform', tfdrift_job: 'tfdrift' });
      expect(['critical', 'high', 'warning', 'info']).toContain(r.labels.severity);
      expect(Object.keys(r.annotations).sort()).toEqual(['description', 'drift_view_url', 'runbook_url', 'summary']);
      expect(r.annotations.runbook_url).toMatch(/^https:\/\/grafana\.example\.com\/a\/tfdrift-drift-app\/alert-rules#runbook-/);
      expect(r.annotations.drift_view_url).toMatch(/^https:\/\/grafana\.example\.com\/a\/tfdrift-drift-app\//);
    }
  });

  it('per-drift rules name account, resource and user and link to the drift detail', () => {
    for (const key of ['unmanaged_production', 'iam_change', 'public_exposure']) {
      const r = built.group.rules.find((x) => x.labels.tfdrift_alert === key)!;
      expect(r.annotations.description).toContain('{{ $labels.user_name }}');
      expect(r.annotations.description).toContain('{{ $labels.resource_id }}');
      expect(r.annotations.description).toContain('{{ $labels.account_id }}');
      expect(r.annotations.drift_view_url).toBe('https://grafana.example.com/a/tfdrift-drift-app/drift/{{ $labels.drift_id }}');
      expect(String(r.data[0].model.expr)).toContain('user_name="user.name"');
    }
    const critical = built.group.rules.find((x) => x.labels.tfdrift_alert === 'critical')!;
    expect(critical.annotations.drift_view_url).toContain('/three-way?provider={{ $labels.provider }}&account_id={{ $labels.account_id }}&severity=critical&range=1h');
  });

  it('uses only bounded stream labels in selectors', () => {
    for (const r of built.group.rules.filter((x) => x.data[0].datasourceUid === 'loki')) {
      const selector = /\{([^}]*)\}/.exec(String(r.data[0].model.expr))![1];
      for (const label of selector.split(',').map((m) => m.trim().split(/[=!~]/)[0])) {
        expect(['job', 'provider', 'account_id', 'region', 'severity', 'change_type']).toContain(label);
      }
    }
  });

  it('production accounts narrow the unmanaged rule; without them it watches every account and warns', () => {
    expect(String(rule(goldenOptions('small'), 'unmanaged_production').data[0].model.expr)).toContain('account_id=~"123456789012|210987654321"');
    const open = buildAlerting(base);
    expect(String(open.group.rules.find((r) => r.labels.tfdrift_alert === 'unmanaged_production')!.data[0].model.expr)).not.toContain('account_id=~');
    expect(open.warnings.join('\n')).toContain('every account');
  });

  it('PromQL rules use the metric names of the contract', () => {
    expect(rule(base, 'exporter_down').data[0].model.expr).toBe('count(up{job="tfdrift"} == 1) or vector(0)');
    expect(threshold(rule(base, 'exporter_down'))).toEqual({ type: 'lt', value: 1 });
    expect(rule(base, 'state_stale').data[0].model.expr).toContain('tfdrift_state_last_success_timestamp_seconds{job="tfdrift"}');
    expect(rule(base, 'exporter_down').noDataState).toBe('Alerting');
  });

  it('leaves out Prometheus rules without a Prometheus datasource, with a warning', () => {
    const built2 = buildAlerting({ preset: 'small', lokiDatasourceUid: 'loki' });
    expect(built2.group.rules.map((r) => r.labels.tfdrift_alert)).not.toContain('exporter_down');
    expect(built2.warnings.some((w) => w.includes('exporter_down'))).toBe(true);
  });

  it('user edits override the preset field by field; disabled rules are left out', () => {
    const edited = buildAlerting({ ...base, tuning: { critical: { threshold: 7 }, high: { enabled: false }, drift_rate: { window: '2h', for: '5m' } } });
    const critical = edited.group.rules.find((r) => r.labels.tfdrift_alert === 'critical')!;
    expect(threshold(critical).value).toBe(7);
    expect(String(critical.data[0].model.expr)).toContain('[5m]');
    expect(edited.group.rules.some((r) => r.labels.tfdrift_alert === 'high')).toBe(false);
    const rate = edited.group.rules.find((r) => r.labels.tfdrift_alert === 'drift_rate')!;
    expect(rate.for).toBe('5m');
    expect(rate.data[0].relativeTimeRange.from).toBe(7200);
    expect(critical.uid).toBe(buildAlerting(base).group.rules[0].uid);
  });

  it('relative links when no Grafana URL is known; a contact point sets the route receiver', () => {
    const built2 = buildAlerting({ ...base, contactPoint: 'pager' });
    expect(built2.group.rules[0].annotations.runbook_url).toBe('/a/tfdrift-drift-app/alert-rules#runbook-critical');
    expect(built2.route.receiver).toBe('pager');
    expect(buildAlerting(base).route.receiver).toBeUndefined();
  });

  it('rejects bad input with a clear message', () => {
    expect(() => buildAlerting({ ...base, lokiDatasourceUid: '' })).toThrow(/Loki datasource UID is required/);
    expect(() => buildAlerting({ ...base, folderUid: 'bad uid!' })).toThrow(/not a valid Grafana UID/);
    expect(() => buildAlerting({ ...base, tuning: { high: { threshold: -1 } } })).toThrow(/rule high: threshold/);
    expect(() => buildAlerting({ ...base, tuning: { high: { window: 'ten minutes' } } })).toThrow(/rule high: window: invalid duration/);
    expect(() => buildAlerting({ ...base, maintenanceWindows: [{ kind: 'weekly', weekdays: ['monday'], startTime: '25:00', endTime: '02:00', location: 'Mars/Base' }] })).toThrow(
      /maintenance window 1: unknown time zone "Mars\/Base".*start time "25:00"/,
    );
  });
});
