import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateDriftRecord, type DriftRecord } from '../../src/model/drift.js';
import { Harness, openPort22, SG_ACCOUNT, SG_ID, webSecurityGroup, type Resource } from '../detect/harness.js';
import { EXPORTER_DIR } from '../helpers/cli.js';

/** AWS's own published CloudTrail examples (test/fixtures/aws/public-examples/PROVENANCE.md). */
const published = (file: string, eventName?: string): Record<string, unknown>[] =>
  (JSON.parse(readFileSync(path.join(EXPORTER_DIR, 'test/fixtures/aws/public-examples', file), 'utf8')) as { Records: Record<string, unknown>[] }).Records.filter(
    (r) => eventName === undefined || r.eventName === eventName,
  );

/** States below are hand-written for the resources the records name. */
async function run(account: string, resources: Resource[], records: Record<string, unknown>[]): Promise<DriftRecord[]> {
  const h = new Harness([{ name: 'state', accountId: account, resources }]);
  await h.load();
  h.replay(records);
  for (const r of h.records) expect(validateDriftRecord(r), JSON.stringify(r)).toEqual([]);
  for (const r of h.records) if (r.change_type === 'modified') expect(r.changes.length).toBeGreaterThan(0);
  return h.records;
}

const ACCOUNT = '123456789012';
const QUEUE = 'https://sqs.us-east-2.amazon.com/123456789012/MyQueue';
const policy = (statements: unknown[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const ownerStatement = { Sid: 'label', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'SQS:ReceiveMessage', Resource: 'arn:aws:sqs:us-east-2:123456789012:MyQueue' };
const queuePolicy = (statements: unknown[]): Resource => ({ type: 'aws_sqs_queue_policy', name: 'q', attributes: { id: QUEUE, queue_url: QUEUE, policy: policy(statements) } });
const queue = (extra: Record<string, unknown> = {}): Resource => ({
  type: 'aws_sqs_queue', name: 'q', attributes: { id: QUEUE, url: QUEUE, arn: 'arn:aws:sqs:us-east-2:123456789012:MyQueue', name: 'MyQueue', visibility_timeout_seconds: 30, ...extra },
});

describe('permission calls name the policy attribute and the statement added or removed (kinds 1 and 5)', () => {
  it('SQS AddPermission (AWS example) against aws_sqs_queue_policy → modified policy, the MyLabel statement added', async () => {
    const [d, ...rest] = await run(ACCOUNT, [queuePolicy([ownerStatement])], published('sqs-developer-guide.json', 'AddPermission'));
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ change_type: 'modified', resource_type: 'aws_sqs_queue_policy', resource_id: QUEUE });
    expect(d.changes).toHaveLength(1);
    expect(d.changes[0].attribute).toBe('policy');
    expect(d.changes[0].detail).toBe('statement "MyLabel" Allow SQS:SendMessage to {"AWS":["arn:aws:iam::123456789012:root"]} added');
    const actual = d.changes[0].actual as { Statement: { Sid: string }[] };
    expect(actual.Statement.map((s) => s.Sid).sort()).toEqual(['MyLabel', 'label']);
  });

  it('the same call against a queue whose policy is inline (aws_sqs_queue.policy) → modified aws_sqs_queue', async () => {
    const [d] = await run(ACCOUNT, [queue({ policy: policy([ownerStatement]) })], published('sqs-developer-guide.json', 'AddPermission'));
    expect(d).toMatchObject({ change_type: 'modified', resource_type: 'aws_sqs_queue', resource_address: 'aws_sqs_queue.q' });
    expect(d.changes[0]).toMatchObject({ attribute: 'policy', detail: expect.stringMatching(/^statement "MyLabel" .* added$/) });
  });

  it('a statement already granted as stated → no drift', async () => {
    const granted = { Sid: 'MyLabel', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'SQS:SendMessage', Resource: 'arn:aws:sqs:us-east-2:123456789012:MyQueue' };
    expect(await run(ACCOUNT, [queuePolicy([granted])], published('sqs-developer-guide.json', 'AddPermission'))).toEqual([]);
  });

  it('SQS RemovePermission (AWS example, label "label") → modified policy, that statement removed', async () => {
    const [d] = await run(ACCOUNT, [queuePolicy([ownerStatement])], published('sqs-developer-guide.json', 'RemovePermission'));
    expect(d.changes[0]).toMatchObject({ attribute: 'policy', actual: { Statement: [] } });
    expect(d.changes[0].detail).toMatch(/^statement "label" Allow SQS:ReceiveMessage .* removed$/);
  });

  it('queue not in any state of the account → unmanaged aws_sqs_queue_policy, ID the queue URL (its import ID)', async () => {
    const [d] = await run(ACCOUNT, [{ type: 'aws_sqs_queue', name: 'other', attributes: { id: 'https://sqs.us-east-2.amazonaws.com/123456789012/other', url: 'x' } }], published('sqs-developer-guide.json', 'AddPermission'));
    expect(d).toMatchObject({ change_type: 'unmanaged', resource_type: 'aws_sqs_queue_policy', resource_id: QUEUE, changes: [] });
  });

  it('SetQueueAttributes (AWS example, VisibilityTimeout only) goes to the queue, not to its separate policy resource', async () => {
    const [d, ...rest] = await run(ACCOUNT, [queuePolicy([ownerStatement]), queue()], published('sqs-developer-guide.json', 'SetQueueAttributes'));
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ resource_type: 'aws_sqs_queue', changes: [{ attribute: 'visibility_timeout_seconds', expected: 30, actual: 100, detail: null }] });
  });
});

describe('relations modelled as their own resources resolve to the form the state uses (kind 2)', () => {
  const addBob = () => published('iam-user-guide.json', 'AddUserToGroup');
  it('AddUserToGroup (AWS example) with aws_iam_group_membership of group admin → modified users', async () => {
    const [d] = await run(ACCOUNT, [{ type: 'aws_iam_group_membership', name: 'admins', attributes: { id: 'admins', name: 'admins', group: 'admin', users: ['Alice'] } }], addBob());
    expect(d).toMatchObject({ change_type: 'modified', resource_type: 'aws_iam_group_membership', changes: [{ attribute: 'users', expected: ['Alice'], actual: ['Alice', 'Bob'], detail: null }] });
  });

  it('with Bob’s memberships modelled as aws_iam_user_group_membership (not admin) → unmanaged membership, ID in import form user/group', async () => {
    const [d] = await run(ACCOUNT, [{ type: 'aws_iam_user_group_membership', name: 'bob', attributes: { id: 'terraform-20240101', user: 'Bob', groups: ['developers'] } }], addBob());
    expect(d).toMatchObject({ change_type: 'unmanaged', resource_type: 'aws_iam_user_group_membership', resource_id: 'Bob/admin', changes: [{ attribute: 'groups', expected: null, actual: ['admin'], detail: 'AddUserToGroup added this outside the state' }] });
  });

  it('a membership the state already holds → no drift', async () => {
    expect(await run(ACCOUNT, [{ type: 'aws_iam_user_group_membership', name: 'bob', attributes: { id: 'terraform-1', user: 'Bob', groups: ['admin', 'developers'] } }], addBob())).toEqual([]);
  });

  it('Route 53 ChangeResourceRecordSets (AWS example, two CREATEs) → one aws_route53_record per change, IDs ZONEID_NAME_TYPE', async () => {
    const zone: Resource = { type: 'aws_route53_zone', name: 'z', attributes: { id: 'Z1PA6795UKMFR9', zone_id: 'Z1PA6795UKMFR9', name: 'example.com' } };
    const prod: Resource = { type: 'aws_route53_record', name: 'prod', attributes: { id: 'Z1PA6795UKMFR9_prod.example.com_A', zone_id: 'Z1PA6795UKMFR9', name: 'prod.example.com', type: 'A', ttl: 300, records: ['192.0.1.1'] } };
    const records = await run('444455556666', [zone, prod], published('route53-developer-guide.json'));
    // prod exists in state (a CREATE of it is Terraform's own or stale state: not drift); test is new.
    expect(records.map((r) => [r.change_type, r.resource_type, r.resource_id])).toEqual([['unmanaged', 'aws_route53_record', 'Z1PA6795UKMFR9_test.example.com_A']]);
    // The same change as an UPSERT (derived by hand from the AWS example: action only) → the managed record modified.
    const upsert = published('route53-developer-guide.json').map((r) => JSON.parse(JSON.stringify(r).replace(/"CREATE"/g, '"UPSERT"')) as Record<string, unknown>);
    const [d, e] = await run('444455556666', [zone, prod], upsert);
    expect(d).toMatchObject({ change_type: 'modified', resource_id: 'Z1PA6795UKMFR9_prod.example.com_A', changes: [{ attribute: 'records', expected: ['192.0.1.1'], actual: ['192.0.1.1', '192.0.1.2', '192.0.1.3', '192.0.1.4'] }] });
    expect(e).toMatchObject({ change_type: 'unmanaged', resource_id: 'Z1PA6795UKMFR9_test.example.com_A' });
  });

  it('a record the state keys by another ID spelling is found by name, zone and type', async () => {
    const prod: Resource = { type: 'aws_route53_record', name: 'prod', attributes: { id: 'Z1PA6795UKMFR9_prod_A', zone_id: 'Z1PA6795UKMFR9', name: 'prod.example.com', type: 'A', ttl: 60, records: ['192.0.1.1', '192.0.1.2', '192.0.1.3', '192.0.1.4'] } };
    const upsert = published('route53-developer-guide.json').map((r) => JSON.parse(JSON.stringify(r).replace(/"CREATE"/g, '"UPSERT"')) as Record<string, unknown>);
    const records = await run('444455556666', [prod], upsert);
    expect(records.find((r) => r.change_type === 'modified')).toMatchObject({ resource_address: 'aws_route53_record.prod', changes: [{ attribute: 'ttl', expected: 60, actual: 300 }] });
  });

  it('security-group rules as aws_vpc_security_group_ingress_rule: the stratus rule not held → unmanaged, its sgr- ID', async () => {
    const rule: Resource = { type: 'aws_vpc_security_group_ingress_rule', name: 'https', attributes: { id: 'sgr-0aaaaaaaaaaaaaaaa', security_group_id: SG_ID, ip_protocol: 'tcp', from_port: 443, to_port: 443, cidr_ipv4: '10.0.0.0/8' } };
    const [d, ...rest] = await run(SG_ACCOUNT, [webSecurityGroup(), rule], openPort22());
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ change_type: 'unmanaged', resource_type: 'aws_vpc_security_group_ingress_rule', resource_id: 'sgr-09b3e3d2ca1edf2a2', severity: 'critical' });
    expect(d.changes).toEqual([{ attribute: 'sg_rules', expected: null, actual: ['tcp 22 from 208.236.235.254/0'], detail: 'AuthorizeSecurityGroupIngress added this outside the state' }]);
  });

  it('the same rule already held as its own resource → no drift; inline ingress only → the group modified', async () => {
    const held: Resource = { type: 'aws_vpc_security_group_ingress_rule', name: 'ssh', attributes: { id: 'sgr-09b3e3d2ca1edf2a2', security_group_id: SG_ID, ip_protocol: 'tcp', from_port: 22, to_port: 22, cidr_ipv4: '208.236.235.254/0' } };
    expect(await run(SG_ACCOUNT, [webSecurityGroup(), held], openPort22())).toEqual([]);
    const [d] = await run(SG_ACCOUNT, [webSecurityGroup()], openPort22());
    expect(d).toMatchObject({ change_type: 'modified', resource_type: 'aws_security_group', severity: 'critical' });
  });
});

describe('generated breadth rows on AWS’s published examples (Recycle Bin, a service the tables lacked)', () => {
  const rbin = (name: string) => published('rbin-user-guide.json', name);
  const rule: Resource = { type: 'aws_rbin_rule', name: 'snapshots', attributes: { id: 'jkrnexample', resource_type: 'EBS_SNAPSHOT', arn: 'arn:aws:rbin:us-west-2:123456789012:rule/jkrnexample' } };
  const other: Resource = { type: 'aws_rbin_rule', name: 'other', attributes: { id: 'otherrule', resource_type: 'EBS_SNAPSHOT' } };

  it('CreateRule names the rule only in responseElements → unmanaged aws_rbin_rule jkrnexample; already managed → silent', async () => {
    expect(await run(ACCOUNT, [other], rbin('CreateRule'))).toMatchObject([{ change_type: 'unmanaged', resource_type: 'aws_rbin_rule', resource_id: 'jkrnexample' }]);
    expect(await run(ACCOUNT, [rule], rbin('CreateRule'))).toEqual([]);
  });

  it('UpdateRule on the managed rule → modified, the change names the call and its parameters', async () => {
    const [d] = await run(ACCOUNT, [rule], rbin('UpdateRule'));
    expect(d).toMatchObject({ change_type: 'modified', resource_address: 'aws_rbin_rule.snapshots', resource_id: 'jkrnexample' });
    expect(d.changes).toEqual([{ attribute: 'event:UpdateRule', expected: null, actual: null, detail: expect.stringMatching(/^UpdateRule \(rbin\.amazonaws\.com\) changed this resource; request: identifier=jkrnexample, .*retentionPeriod\.retentionPeriodValue=365/) }]);
  });

  it('DeleteRule → missing', async () => {
    expect(await run(ACCOUNT, [rule], rbin('DeleteRule'))).toMatchObject([{ change_type: 'missing', resource_type: 'aws_rbin_rule', resource_address: 'aws_rbin_rule.snapshots' }]);
  });
});
