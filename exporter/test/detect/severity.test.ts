import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEVERITY_RULES, classifySeverity } from '../../src/detect/severity.js';
import { renderSeverityTable } from '../../src/detect/severity-doc.js';
import { severityRuleSchema } from '../../src/detect/config.js';
import type { DriftDraft } from '../../src/detect/detector.js';
import { auditEventFromCloudTrail } from '../../src/providers/aws/record.js';
import { Harness, SG_ACCOUNT, openPort22, webSecurityGroup } from './harness.js';

const event = auditEventFromCloudTrail(openPort22()[0]);
const draft = (over: Partial<DriftDraft>): DriftDraft => ({ changeType: 'modified', resourceType: 'aws_instance', resourceId: 'i-1', resource: null, changes: [], ...over });
const sev = (d: DriftDraft) => classifySeverity(d, event, DEFAULT_SEVERITY_RULES);

describe('severity rules', () => {
  it('the built-in rules parse with the configuration schema', () => {
    for (const r of DEFAULT_SEVERITY_RULES) expect(severityRuleSchema.safeParse(r).success).toBe(true);
  });

  it('public exposure is critical whatever the resource: any /0, ::/0, Principal *, public ACL', () => {
    expect(sev(draft({ changes: [{ attribute: 'ingress', expected: [], actual: ['tcp 22 from 0.0.0.0/0'] }] })).rule).toBe('public-network-exposure');
    expect(sev(draft({ changes: [{ attribute: 'ingress', expected: [], actual: ['tcp 22 from ::/0'] }] })).severity).toBe('critical');
    expect(sev(draft({ changes: [{ attribute: 'source_ranges', expected: [], actual: ['0.0.0.0/0'] }] })).severity).toBe('critical');
    expect(sev(draft({ changes: [{ attribute: 'ingress', expected: [], actual: ['tcp 22 from 10.0.0.0/8'] }] })).rule).not.toBe('public-network-exposure');
    expect(sev(draft({ resourceType: 'aws_s3_bucket_policy', changes: [{ attribute: 'policy', expected: null, actual: { Statement: [{ Effect: 'Allow', Principal: { AWS: ['*'] } }] } }] })).rule).toBe('public-principal');
    expect(sev(draft({ changes: [{ attribute: 'members', expected: [], actual: ['allUsers'] }] })).rule).toBe('public-principal');
    expect(sev(draft({ changes: [{ attribute: 'acl', expected: 'private', actual: 'public-read' }] })).rule).toBe('public-acl');
  });

  it('identity and audit logging changes are critical, unmanaged identities high, tags-only low', () => {
    expect(sev(draft({ resourceType: 'aws_iam_role', changes: [{ attribute: 'assume_role_policy', expected: 1, actual: 2 }] })).severity).toBe('critical');
    expect(sev(draft({ resourceType: 'aws_cloudtrail', changeType: 'missing' })).rule).toBe('audit-logging');
    expect(sev(draft({ resourceType: 'aws_iam_user', changeType: 'unmanaged' })).severity).toBe('high');
    expect(sev(draft({ resourceType: 'aws_security_group', changes: [{ attribute: 'tags', expected: {}, actual: { a: 'b' } }] })).severity).toBe('low');
    expect(sev(draft({ resourceType: 'aws_instance', changeType: 'unmanaged' })).rule).toBe('unmanaged');
    expect(sev(draft({ resourceType: 'aws_instance', changeType: 'missing' })).rule).toBe('deleted');
    expect(sev(draft({ changes: [{ attribute: 'instance_type', expected: 't3.micro', actual: 'm5.large' }] })).rule).toBe('default');
  });

  it('configured rules come first (first match wins) and can match principal, account, event', async () => {
    const rules = [
      { name: 'break-glass', severity: 'info', match: { principal: ['christophe'], event_name: ['Authorize*'], account_id: [SG_ACCOUNT] } },
    ];
    const h = await new Harness([{ name: 'net', accountId: SG_ACCOUNT, resources: [webSecurityGroup()] }], { severity_rules: rules }).load();
    h.replay(openPort22());
    expect(h.records[0].severity).toBe('info');
    const h2 = await new Harness([{ name: 'net', accountId: SG_ACCOUNT, resources: [webSecurityGroup()] }], {
      severity_rules: [{ name: 'not-me', severity: 'info', match: { principal: ['someone-else'] } }],
    }).load();
    h2.replay(openPort22());
    expect(h2.records[0].severity).toBe('critical');
  });

  it('docs/severity.md is generated from the rule set', () => {
    const doc = readFileSync(path.resolve(__dirname, '../../../docs/severity.md'), 'utf8');
    expect(doc).toBe(renderSeverityTable(DEFAULT_SEVERITY_RULES));
    expect(doc.split('\n').filter((l) => /^\| \d+ \|/.test(l))).toHaveLength(DEFAULT_SEVERITY_RULES.length);
  });
});

describe('value predicates look at what the change introduced', () => {
  it('revoking a rule from a group that already had an open rule is not "public exposure"', () => {
    const revoke = draft({ resourceType: 'aws_security_group', changes: [{ attribute: 'ingress', expected: ['tcp 22 from 0.0.0.0/0', 'tcp 443 from 10.0.0.0/8'], actual: ['tcp 22 from 0.0.0.0/0'] }] });
    expect(sev(revoke).rule).toBe('network-security');
    const open = draft({ resourceType: 'aws_security_group', changes: [{ attribute: 'ingress', expected: ['tcp 443 from 10.0.0.0/8'], actual: ['tcp 22 from 0.0.0.0/0', 'tcp 443 from 10.0.0.0/8'] }] });
    expect(sev(open).rule).toBe('public-network-exposure');
  });
});
