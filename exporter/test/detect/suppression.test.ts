import { describe, expect, it } from 'vitest';
import { inWindow, localTime } from '../../src/detect/windows.js';
import { IgnoreRules } from '../../src/detect/ignore.js';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/util/errors.js';
import { Harness, SG_ACCOUNT, corpusRecords, openPort22, webSecurityGroup } from './harness.js';

const PANTHER = 'panther-analysis/panther_cloudtrail_rule_tests.json';
/** Real record: Terraform (UA) run by the ContinousDeployment role opening egress on sg-03eee825d6bb78f54. */
const terraformEgress = () =>
  corpusRecords(PANTHER, (r) => r.eventName === 'AuthorizeSecurityGroupEgress' && String(r.userAgent ?? '').includes('Terraform/'));
/** Real record: the autoscaling service-linked role terminating an instance. */
const autoscalingTerminate = () =>
  corpusRecords(PANTHER, (r) => r.eventName === 'TerminateInstances' && String((r.userIdentity as { arn?: string })?.arn ?? '').includes('AWSServiceRoleForAutoScaling'));

const cdSg = { type: 'aws_security_group', name: 'app', attributes: { id: 'sg-03eee825d6bb78f54', egress: [], ingress: [] } };

describe('suppression', () => {
  it('a Terraform user agent is never drift, and is counted', async () => {
    const records = terraformEgress();
    expect(records).toHaveLength(1);
    const h = await new Harness([{ name: 'app', accountId: '112233445566', resources: [cdSg] }]).load();
    expect(h.replay(records)).toEqual([{ status: 'no_drift', reasons: ['terraform'] }]);
    expect(h.records).toEqual([]);
    expect(await h.counter('tfdrift_events_suppressed_total', { reason: 'terraform' })).toBe(1);
  });

  it('a configured CI principal is never drift; without the rule the same record is drift', async () => {
    const records = terraformEgress();
    const ci = await new Harness([{ name: 'app', accountId: '112233445566', resources: [cdSg] }], {
      suppress: { terraform_user_agent: false, principals: ['arn:aws:sts::*:assumed-role/ContinousDeployment/*'] },
    }).load();
    expect(ci.replay(records)).toEqual([{ status: 'no_drift', reasons: ['ci_principal'] }]);
    expect(await ci.counter('tfdrift_events_suppressed_total', { reason: 'ci_principal' })).toBe(1);
    const none = await new Harness([{ name: 'app', accountId: '112233445566', resources: [cdSg] }], { suppress: { terraform_user_agent: false } }).load();
    const [outcome] = none.replay(records);
    expect(outcome.status).toBe('drift');
    expect(none.records[0]).toMatchObject({ change_type: 'modified', severity: 'critical', resource_id: 'sg-03eee825d6bb78f54' });
    expect(none.records[0].changes[0]).toMatchObject({ attribute: 'egress', expected: [], actual: ['all from 0.0.0.0/0'] });
  });

  it('AWS service-linked roles (autoscaling) are suppressed as service_principal', async () => {
    const records = autoscalingTerminate();
    const id = 'i-0d9853f67e40ab80b';
    const asgVm = { type: 'aws_instance', name: 'asg', attributes: { id, instance_type: 't3.micro' } };
    const h = await new Harness([{ name: 'asg', accountId: '111222333444', resources: [asgVm] }]).load();
    expect(h.replay(records)).toEqual([{ status: 'no_drift', reasons: ['service_principal'] }]);
    const off = await new Harness([{ name: 'asg', accountId: '111222333444', resources: [asgVm] }], { suppress: { service_principals: false } }).load();
    off.replay(records);
    expect(off.records.map((r) => `${r.change_type} ${r.resource_id}`)).toEqual([`missing ${id}`]);
  });

  it('a weekly maintenance window (local time zone) suppresses events inside it, judged on event time', async () => {
    // The stratus record is at 2024-08-01T12:23:55Z, a Thursday: 21:23 in Asia/Tokyo.
    const inside = await new Harness([{ name: 'net', accountId: SG_ACCOUNT, resources: [webSecurityGroup()] }], {
      maintenance_windows: [{ name: 'thursday-night', days: ['thu'], start: '21:00', end: '22:00', timezone: 'Asia/Tokyo' }],
    }).load();
    expect(inside.replay(openPort22())).toEqual([{ status: 'no_drift', reasons: ['maintenance_window'] }]);
    expect(await inside.counter('tfdrift_events_suppressed_total', { reason: 'maintenance_window' })).toBe(1);
    const outside = await new Harness([{ name: 'net', accountId: SG_ACCOUNT, resources: [webSecurityGroup()] }], {
      maintenance_windows: [{ name: 'sunday', days: ['sun'], start: '02:00', end: '06:00', timezone: 'Asia/Tokyo' }],
    }).load();
    expect(outside.replay(openPort22())[0].status).toBe('drift');
  });

  it('a one-off window suppresses only its range and only its accounts', async () => {
    const h = await new Harness([{ name: 'net', accountId: SG_ACCOUNT, resources: [webSecurityGroup()] }], {
      maintenance_windows: [{ name: 'migration', from: '2024-08-01T12:00:00Z', to: '2024-08-01T13:00:00Z', accounts: ['999*'] }],
    }).load();
    expect(h.replay(openPort22())[0].status).toBe('drift'); // other account
    const h2 = await new Harness([{ name: 'net', accountId: SG_ACCOUNT, resources: [webSecurityGroup()] }], {
      maintenance_windows: [{ name: 'migration', from: '2024-08-01T12:00:00Z', to: '2024-08-01T13:00:00Z', accounts: ['0320*'] }],
    }).load();
    expect(h2.replay(openPort22())).toEqual([{ status: 'no_drift', reasons: ['maintenance_window'] }]);
  });

  it('ignore rules drop ignored attributes or resources, with negation', async () => {
    const ignored = await new Harness([{ name: 'net', accountId: SG_ACCOUNT, resources: [webSecurityGroup()] }], {
      ignore: ['aws_security_group.sg-003dc7f1f1c686164.ingress'],
    }).load();
    expect(ignored.replay(openPort22())).toEqual([{ status: 'no_drift', reasons: ['ignore_rule'] }]);
    expect(await ignored.counter('tfdrift_events_suppressed_total', { reason: 'ignore_rule' })).toBe(1);
    const reincluded = await new Harness([{ name: 'net', accountId: SG_ACCOUNT, resources: [webSecurityGroup()] }], {
      ignore: ['aws_security_group.*', '!aws_security_group.sg-003dc7f1f1c686164.ingress'],
    }).load();
    expect(reincluded.replay(openPort22())[0].status).toBe('drift');
  });
});

describe('maintenance window arithmetic', () => {
  const sunday = { name: 'w', days: ['sun' as const], start: '02:00', end: '06:00', timezone: 'Asia/Tokyo' };
  it('every Sunday 02:00–06:00 Asia/Tokyo is Saturday 17:00–21:00 UTC', () => {
    expect(inWindow(sunday, new Date('2025-12-13T17:00:00Z'), null)).toBe(true);
    expect(inWindow(sunday, new Date('2025-12-13T20:59:59Z'), null)).toBe(true);
    expect(inWindow(sunday, new Date('2025-12-13T21:00:00Z'), null)).toBe(false);
    expect(inWindow(sunday, new Date('2025-12-13T16:59:00Z'), null)).toBe(false);
  });
  it('windows that span midnight belong to the day they start', () => {
    const w = { name: 'n', days: ['fri' as const], start: '23:00', end: '01:00', timezone: 'UTC' };
    expect(inWindow(w, new Date('2025-12-12T23:30:00Z'), null)).toBe(true); // Friday
    expect(inWindow(w, new Date('2025-12-13T00:30:00Z'), null)).toBe(true); // Saturday early
    expect(inWindow(w, new Date('2025-12-13T23:30:00Z'), null)).toBe(false);
  });
  it('follows daylight saving time', () => {
    expect(localTime(new Date('2025-07-06T09:30:00Z'), 'Europe/Berlin')).toEqual({ day: 0, minutes: 11 * 60 + 30 });
    expect(localTime(new Date('2025-12-07T09:30:00Z'), 'Europe/Berlin')).toEqual({ day: 0, minutes: 10 * 60 + 30 });
  });
  it('one-off range 2025-12-10T20:00Z–23:00Z', () => {
    const w = { name: 'o', from: '2025-12-10T20:00:00Z', to: '2025-12-10T23:00:00Z' };
    expect(inWindow(w, new Date('2025-12-10T22:59:59Z'), null)).toBe(true);
    expect(inWindow(w, new Date('2025-12-10T23:00:00Z'), null)).toBe(false);
  });
  it('an unknown time zone fails at configuration time with its key path', () => {
    try {
      parseConfig({ detection: { maintenance_windows: [{ name: 'x', days: ['sun'], start: '02:00', end: '06:00', timezone: 'Mars/Olympus' }] } });
      expect.unreachable();
    } catch (err) {
      expect((err as ConfigError).problems).toEqual(['detection.maintenance_windows.0.timezone: unknown time zone "Mars/Olympus" (expected an IANA name such as Asia/Tokyo)']);
    }
  });
});

describe('ignore rule parsing', () => {
  it('reads TYPE.ID.ATTRIBUTE, whole resources, dotted IDs with .*, and the last match wins', () => {
    const r = new IgnoreRules(['# comment', 'aws_autoscaling_group.*.desired_capacity', 'aws_route53_zone.example.com.*', 'aws_instance.i-1*', '!aws_instance.i-12.tags']);
    expect(r.ignoresAttribute('aws_autoscaling_group', 'web-asg', 'desired_capacity')).toBe(true);
    expect(r.ignoresAttribute('aws_autoscaling_group', 'web-asg', 'max_size')).toBe(false);
    expect(r.ignoresResource('aws_autoscaling_group', 'web-asg')).toBe(false);
    expect(r.ignoresResource('aws_route53_zone', 'example.com')).toBe(true);
    expect(r.ignoresResource('aws_instance', 'i-123')).toBe(true);
    expect(r.ignoresAttribute('aws_instance', 'i-12', 'tags')).toBe(false);
    expect(r.ignoresAttribute('aws_instance', 'i-12', 'instance_type')).toBe(true);
  });
});
