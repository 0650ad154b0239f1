import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateDriftRecord, type DriftRecord } from '../../src/model/drift.js';
import { Harness, corpusRecords } from '../detect/harness.js';
import { EXPORTER_DIR } from '../helpers/cli.js';

const FIXTURES = path.join(EXPORTER_DIR, 'test/fixtures/aws');
const handWritten = (name: string): Record<string, unknown>[] =>
  (JSON.parse(readFileSync(path.join(FIXTURES, 'records', `${name}.json`), 'utf8')) as { Records: Record<string, unknown>[] }).Records;
const panther = (n: number): Record<string, unknown>[] => [corpusRecords('panther-analysis/panther_cloudtrail_rule_tests.json')[n - 1]];
const stratus = (file: string, eventName: string): Record<string, unknown>[] => corpusRecords(`stratus-red-team/${file}`, (r) => r.eventName === eventName);

/** Loads one fixture state (account from its file name) and replays the records through the real pipeline. */
async function run(stateFile: string, records: Record<string, unknown>[]): Promise<DriftRecord[]> {
  const account = /-(\d{12})\.tfstate$/.exec(stateFile)?.[1];
  const h = new Harness([{ name: 'fixture', accountId: account as string, resources: [] }]);
  h.texts.set('fixture', readFileSync(path.join(FIXTURES, 'states', stateFile), 'utf8'));
  await h.load();
  h.replay(records);
  for (const r of h.records) expect(validateDriftRecord(r), JSON.stringify(r)).toEqual([]);
  return h.records;
}
const HW = 'handwritten-123456789012.tfstate';
const change = (r: DriftRecord, attribute: string) => r.changes.find((c) => c.attribute === attribute);

describe('AWS scenarios: state + CloudTrail records → drift records', () => {
  it('SG ingress opened to the internet (real stratus record, flat cidrIp form) → modified, critical', async () => {
    const [d, ...rest] = await run('stratus-032092706103.tfstate', stratus('aws.exfiltration.ec2-security-group-open-port-22-ingress.json', 'AuthorizeSecurityGroupIngress'));
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ change_type: 'modified', severity: 'critical', resource_type: 'aws_security_group', resource_id: 'sg-003dc7f1f1c686164', resource_address: 'module.network.aws_security_group.web' });
    expect(change(d, 'ingress')).toEqual({ detail: null, attribute: 'ingress', expected: ['tcp 443 from 10.0.0.0/8'], actual: ['tcp 22 from 208.236.235.254/0', 'tcp 443 from 10.0.0.0/8'] });
    expect(d.user).toMatchObject({ name: 'christophe', type: 'IAMUser' });
  });

  it('SG ingress rule revoked from inline ingress blocks → modified, the rule gone', async () => {
    const [d] = await run(HW, handWritten('RevokeSecurityGroupIngress'));
    expect(d).toMatchObject({ change_type: 'modified', resource_type: 'aws_security_group', resource_id: 'sg-0a1b2c3d4e5f60718' });
    expect(change(d, 'ingress')).toEqual({ detail: null, attribute: 'ingress', expected: ['tcp 22 from 203.0.113.0/24', 'tcp 443 from 0.0.0.0/0'], actual: ['tcp 443 from 0.0.0.0/0'] });
    expect(d.user).toMatchObject({ original_user: 'alice@example.com', type: 'AssumedRole' });
  });

  it('SG egress rule revoked where the rule is an aws_security_group_rule resource → that rule missing', async () => {
    const drifts = await run(HW, handWritten('RevokeSecurityGroupEgress'));
    expect(drifts).toHaveLength(1);
    expect(drifts[0]).toMatchObject({ change_type: 'missing', resource_type: 'aws_security_group_rule', resource_address: 'module.network.aws_security_group_rule.app_egress_all' });
  });

  it('ModifySecurityGroupRules on an aws_vpc_security_group_ingress_rule → modified rule, now 0.0.0.0/0 (critical)', async () => {
    const [d] = await run(HW, handWritten('ModifySecurityGroupRules'));
    expect(d).toMatchObject({ change_type: 'modified', resource_type: 'aws_vpc_security_group_ingress_rule', resource_address: 'module.network.aws_vpc_security_group_ingress_rule.admin_ssh' });
    expect(d.severity).toBe('critical');
    expect(d.changes).toEqual([
      { detail: null, attribute: 'cidr_ipv4', expected: '198.51.100.0/24', actual: '0.0.0.0/0' },
      { detail: null, attribute: 'description', expected: 'office', actual: 'temporary' },
    ]);
  });

  it('security group deleted → missing', async () => {
    const [d] = await run(HW, handWritten('DeleteSecurityGroup'));
    expect(d).toMatchObject({ change_type: 'missing', resource_type: 'aws_security_group', resource_id: 'sg-0f0e0d0c0b0a09080' });
  });

  it('instance type changed (real panther record without an account) → modified instance_type', async () => {
    const [d] = await run('any-account.tfstate', panther(128));
    expect(change(d, 'instance_type')).toEqual({ detail: null, attribute: 'instance_type', expected: 't3.micro', actual: 't3.nano' });
  });

  it('user data changed (real stratus record; CloudTrail withholds the value) → modified user_data', async () => {
    const [d] = await run('stratus-309303190113.tfstate', stratus('aws.execution.ec2-user-data.json', 'ModifyInstanceAttribute'));
    expect(d).toMatchObject({ change_type: 'modified', resource_id: 'i-DDd6c7B0e18F0E35f' });
    expect(change(d, 'user_data')?.actual).toBe('(changed; value withheld by CloudTrail)');
  });

  it('tags changed on an instance (CreateTags on an instance and a volume; DeleteTags) → one result per resource', async () => {
    const drifts = await run(HW, handWritten('CreateTags'));
    const instance = [...drifts.filter((d) => d.resource_id === 'i-0a1b2c3d4e5f60718'), ...(await run(HW, handWritten('DeleteTags')))];
    expect(instance).toHaveLength(2);
    expect(change(instance[0], 'tags')).toEqual({
      detail: null,
      attribute: 'tags',
      expected: { CostCenter: '42', Environment: 'prod', Name: 'api' },
      actual: { CostCenter: '42', Environment: 'dev', Name: 'api', Owner: 'alice' },
    });
    expect(change(instance[1], 'tags')?.actual).toEqual({ Environment: 'prod', Name: 'api' });
    expect(instance[0].severity).toBe('low');
    // The volume is not in any state: the tag change shows an unmanaged volume.
    expect(drifts.find((d) => d.resource_id === 'vol-0a1b2c3d4e5f60718')).toMatchObject({ change_type: 'unmanaged', resource_type: 'aws_ebs_volume' });
  });

  it('IAM inline policy put over the managed aws_iam_role_policy → modified policy, compared as documents', async () => {
    const [d] = await run(HW, handWritten('PutRolePolicy'));
    expect(d).toMatchObject({ change_type: 'modified', resource_type: 'aws_iam_role_policy', resource_address: 'aws_iam_role_policy.app_s3', severity: 'critical' });
    expect(change(d, 'policy')?.actual).toEqual({ Version: '2012-10-17', Statement: [{ Action: ['s3:*'], Effect: 'Allow', Resource: ['*'] }] });
  });

  it('assume-role policy changed (real stratus record) → modified assume_role_policy, critical', async () => {
    const [d] = await run('stratus-751203476945.tfstate', stratus('aws.persistence.iam-backdoor-role.json', 'UpdateAssumeRolePolicy'));
    expect(d).toMatchObject({ change_type: 'modified', resource_type: 'aws_iam_role', severity: 'critical' });
    expect(JSON.stringify(change(d, 'assume_role_policy')?.actual)).toContain('arn:aws:iam::193672423079:root');
  });

  it('managed policy attached to a managed role (real stratus record) → modified managed_policy_arns', async () => {
    const [d] = await run('stratus-609418236337.tfstate', stratus('aws.persistence.iam-create-backdoor-role.json', 'AttachRolePolicy'));
    expect(change(d, 'managed_policy_arns')).toEqual({
      detail: null,
      attribute: 'managed_policy_arns',
      expected: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      actual: ['arn:aws:iam::aws:policy/AdministratorAccess', 'arn:aws:iam::aws:policy/ReadOnlyAccess'],
    });
  });

  it('managed policy detached where the attachment is its own resource → attachment missing', async () => {
    const [d] = await run(HW, handWritten('DetachRolePolicy'));
    expect(d).toMatchObject({ change_type: 'missing', resource_type: 'aws_iam_role_policy_attachment', resource_address: 'aws_iam_role_policy_attachment.app_readonly' });
  });

  it('role deleted → missing, high or critical', async () => {
    const [d] = await run(HW, handWritten('DeleteRole'));
    expect(d).toMatchObject({ change_type: 'missing', resource_type: 'aws_iam_role', resource_id: 'legacy-batch-role', resource_address: 'aws_iam_role.legacy_batch' });
    expect(['critical', 'high']).toContain(d.severity);
  });

  it('managed policy document replaced by a URL-encoded new version → modified policy', async () => {
    const [d] = await run(HW, handWritten('CreatePolicyVersion'));
    expect(d).toMatchObject({ change_type: 'modified', resource_type: 'aws_iam_policy' });
    expect(change(d, 'policy')?.actual).toEqual({ Version: '2012-10-17', Statement: [{ Action: ['*'], Effect: 'Allow', Resource: ['*'] }] });
  });

  it('user created outside Terraform (real stratus record) → unmanaged aws_iam_user', async () => {
    const [d] = await run('stratus-229654561268.tfstate', stratus('aws.persistence.iam-create-admin-user.json', 'CreateUser'));
    expect(d).toMatchObject({ change_type: 'unmanaged', resource_type: 'aws_iam_user', resource_id: 'malicious-iam-user', resource_address: null, state_source: null });
  });

  it('bucket policy deleted (split aws_s3_bucket_policy resource) → missing', async () => {
    const [d] = await run(HW, handWritten('DeleteBucketPolicy'));
    expect(d).toMatchObject({ change_type: 'missing', resource_type: 'aws_s3_bucket_policy', resource_id: 'tfdrift-audit-logs' });
  });

  it('bucket encryption removed (real panther record) → split encryption resource missing', async () => {
    const [d] = await run('panther-111111111111.tfstate', panther(345));
    expect(d).toMatchObject({ change_type: 'missing', resource_type: 'aws_s3_bucket_server_side_encryption_configuration', resource_id: 'sensitive-data-bucket' });
  });

  it('bucket versioning suspended (real panther record) → legacy inline versioning.0.enabled modified', async () => {
    const [d] = await run('panther-111111111111.tfstate', panther(383));
    expect(d).toMatchObject({ change_type: 'modified', resource_type: 'aws_s3_bucket', resource_id: 'important-files-bucket' });
    expect(change(d, 'versioning.0.enabled')).toEqual({ detail: null, attribute: 'versioning.0.enabled', expected: 'Enabled', actual: 'Suspended' });
  });

  it('Lambda code overwritten (real stratus record, function named by ARN) → modified source_code_hash', async () => {
    const [d] = await run('stratus-266106314375.tfstate', stratus('aws.persistence.lambda-overwrite-code.json', 'UpdateFunctionCode20150331v2'));
    expect(d).toMatchObject({ change_type: 'modified', resource_type: 'aws_lambda_function' });
    expect(change(d, 'source_code_hash')?.actual).toBe('Pt1c8vVaBygmNtAeSyjlpdy7r8nHRqJAAL++HEGlQkc=');
  });

  it('Lambda configuration changed (real panther record: a layer added) → modified layers', async () => {
    const [d] = await run(HW, panther(1));
    expect(change(d, 'layers')).toEqual({ detail: null, attribute: 'layers', expected: [], actual: ['arn:aws:lambda:us-west-2:123456789012:layer:malicious-layer:1'] });
  });

  it('CloudTrail logging stopped (real stratus record) → modified enable_logging, critical', async () => {
    const [d] = await run('stratus-143434273843.tfstate', stratus('aws.defense-evasion.cloudtrail-stop.json', 'StopLogging'));
    expect(d).toMatchObject({ change_type: 'modified', resource_type: 'aws_cloudtrail', severity: 'critical' });
    expect(change(d, 'enable_logging')).toEqual({ detail: null, attribute: 'enable_logging', expected: true, actual: false });
  });

  it('trail deleted (real stratus record) → missing', async () => {
    const [d] = await run('stratus-847129010505.tfstate', stratus('aws.defense-evasion.cloudtrail-delete.json', 'DeleteTrail'));
    expect(d).toMatchObject({ change_type: 'missing', resource_type: 'aws_cloudtrail', resource_address: 'aws_cloudtrail.org' });
  });

  it('RDS instance modified (real panther record: made public, deletion protection off) → modified attributes', async () => {
    const [d] = await run(HW, panther(251));
    expect(d).toMatchObject({ change_type: 'modified', resource_type: 'aws_db_instance', resource_id: 'customer-database' });
    expect(change(d, 'publicly_accessible')).toEqual({ detail: null, attribute: 'publicly_accessible', expected: false, actual: true });
    expect(change(d, 'deletion_protection')).toEqual({ detail: null, attribute: 'deletion_protection', expected: true, actual: false });
  });

  it('RunInstances outside Terraform (real panther record launching two instances) → one unmanaged drift per instance', async () => {
    const record = panther(147);
    const launched = ((record[0].responseElements as { instancesSet: { items: { instanceId: string }[] } }).instancesSet.items).map((i) => i.instanceId);
    expect(launched.length).toBe(2);
    const drifts = await run(HW, record);
    expect(drifts.map((d) => d.resource_id).sort()).toEqual([...launched].sort());
    for (const d of drifts) expect(d).toMatchObject({ change_type: 'unmanaged', resource_type: 'aws_instance' });
  });

  it('read-only and failed calls never produce drift, even on managed resources', async () => {
    const failed = { ...handWritten('DeleteRole')[0], errorCode: 'AccessDenied', errorMessage: 'User is not authorized' };
    const readOnly = { ...handWritten('DeleteRole')[0], eventName: 'GetRole', readOnly: true };
    expect(await run(HW, [failed, readOnly])).toEqual([]);
  });
});
