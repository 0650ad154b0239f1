import { describe, expect, it } from 'vitest';
import { buildDriftRecord, driftId } from '../../src/detect/record.js';
import { suggestedFix } from '../../src/detect/fix.js';
import { validateDriftRecord } from '../../src/model/drift.js';
import type { DriftDraft } from '../../src/detect/detector.js';
import type { StateResource } from '../../src/state/model.js';
import { auditEventFromCloudTrail } from '../../src/providers/aws/record.js';
import { openPort22 } from './harness.js';

const event = auditEventFromCloudTrail(openPort22()[0]);
const resource: StateResource = {
  address: 'module.network.aws_security_group.web', type: 'aws_security_group', name: 'web', module: 'module.network', indexKey: null,
  provider: 'aws', providerAlias: null, attributes: {}, sensitivePaths: [],
  source: { name: 'net', location: 's3://tf-state/prod/terraform.tfstate', provider: 'aws', accountId: '032092706103', region: null },
};

describe('drift record', () => {
  it('drift_id is stable across repeats and distinguishes attribute sets and change types', () => {
    const a = driftId('aws', '1', 'aws_security_group', 'sg-1', ['ingress', 'egress'], 'modified');
    expect(driftId('aws', '1', 'aws_security_group', 'sg-1', ['egress', 'ingress', 'ingress'], 'modified')).toBe(a);
    expect(driftId('aws', '1', 'aws_security_group', 'sg-1', ['ingress'], 'modified')).not.toBe(a);
    expect(driftId('aws', '2', 'aws_security_group', 'sg-1', ['ingress', 'egress'], 'modified')).not.toBe(a);
    expect(driftId('aws', '1', 'aws_security_group', 'sg-1', ['ingress', 'egress'], 'missing')).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{32}$/);
  });

  it('has every contract key, nulls instead of omissions, and null address/source for unmanaged', () => {
    const draft: DriftDraft = { changeType: 'unmanaged', resourceType: 'aws_security_group', resourceId: 'sg-003dc7f1f1c686164', resource: null, changes: [] };
    const r = buildDriftRecord(draft, event, { severity: 'high', suggestedFix: null, detectedAt: new Date('2026-03-29T10:15:30.123Z'), version: '1.2.3', exporter: 'tfdrift-0' });
    expect(validateDriftRecord(r)).toEqual([]);
    expect(Object.keys(r)).toEqual([
      'event_type', 'drift_id', 'change_type', 'severity', 'provider', 'account_id', 'region', 'resource_type', 'resource_id',
      'resource_address', 'state_source', 'changes', 'user', 'source_ip', 'user_agent', 'event', 'falco', 'suggested_fix',
      'detected_at', 'resolution', 'exporter', 'source', 'version',
    ]);
    expect(r).toMatchObject({
      resource_address: null, state_source: null, falco: null, detected_at: '2026-03-29T10:15:30.123Z', version: '1.2.3', source: 'tfdrift',
      user: { name: 'christophe', arn: 'arn:aws:iam::032092706103:user/christophe', type: 'IAMUser', principal_id: 'AIDAQ5Y2TGCDATQV6SRP', original_user: null },
      source_ip: '253.243.215.253',
    });
    const modified = buildDriftRecord({ ...draft, changeType: 'modified', resource }, event, { severity: 'critical', suggestedFix: 'x', detectedAt: new Date(), version: '1.2.3', exporter: 'tfdrift-0' });
    expect(modified).toMatchObject({ resource_address: 'module.network.aws_security_group.web', state_source: 's3://tf-state/prod/terraform.tfstate' });
  });

  it('the schema rejects omitted keys and extra keys', () => {
    const draft: DriftDraft = { changeType: 'unmanaged', resourceType: 'aws_instance', resourceId: 'i-1', resource: null, changes: [] };
    const r = buildDriftRecord(draft, event, { severity: 'high', suggestedFix: null, detectedAt: new Date(), version: '1.2.3', exporter: 'tfdrift-0' }) as Record<string, unknown>;
    const { region: _omitted, ...withoutRegion } = r;
    expect(validateDriftRecord(withoutRegion)).toEqual([expect.stringMatching(/^region: /)]);
    expect(validateDriftRecord({ ...r, extra: 1 })).toEqual([expect.stringMatching(/unrecognized|extra/i)]);
  });
});

describe('suggested fix', () => {
  it('unmanaged: an import block with the ID', () => {
    const fix = suggestedFix({ changeType: 'unmanaged', resourceType: 'aws_iam_user', resourceId: 'malicious-iam-user', resource: null, changes: [] }, 'CreateUser');
    expect(fix).toContain('import {\n    to = aws_iam_user.malicious_iam_user\n    id = "malicious-iam-user"\n  }');
    expect(fix).toContain('terraform plan -generate-config-out=generated.tf');
  });
  it('modified: both ways to converge', () => {
    const fix = suggestedFix({ changeType: 'modified', resourceType: 'aws_security_group', resourceId: 'sg-1', resource, changes: [{ attribute: 'ingress', expected: [], actual: [] }] }, 'AuthorizeSecurityGroupIngress');
    expect(fix).toContain("terraform apply -target='module.network.aws_security_group.web'");
    expect(fix).toContain('terraform apply -refresh-only');
    expect(fix).toContain('ingress');
  });
  it('missing: recreate, or removed {} / state rm', () => {
    const fix = suggestedFix({ changeType: 'missing', resourceType: 'aws_security_group', resourceId: 'sg-1', resource: { ...resource, address: 'aws_security_group.web["a"]' }, changes: [] }, 'DeleteSecurityGroup');
    expect(fix).toContain('`terraform apply` recreates it');
    expect(fix).toContain('removed {\n    from = aws_security_group.web\n');
    expect(fix).toContain(`terraform state rm 'aws_security_group.web["a"]'`);
  });
});
