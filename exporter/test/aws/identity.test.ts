import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditEventFromCloudTrail, auditEventFromFalcoFields } from '../../src/providers/aws/record.js';
import { falcoFieldsFromCloudTrail } from '../../src/providers/aws/falco-fields.js';
import { principalFromUserIdentity, userAgentClass } from '../../src/providers/aws/identity.js';
import { corpusRecords } from '../detect/harness.js';
import { EXPORTER_DIR } from '../helpers/cli.js';
import { cloudTrailCorpus } from './corpus.js';

const panther = (n: number) => corpusRecords('panther-analysis/panther_cloudtrail_rule_tests.json')[n - 1];
const custodian = (file: string) => JSON.parse(readFileSync(path.join(EXPORTER_DIR, 'test/fixtures/corpus/cloudtrail/cloud-custodian', file), 'utf8')) as Record<string, unknown>;
const who = (r: Record<string, unknown>) => auditEventFromCloudTrail((r.detail as Record<string, unknown>) ?? r).principal;

describe('who: CloudTrail userIdentity on real records', () => {
  it('IAMUser → the user name', () => {
    const r = corpusRecords('stratus-red-team/aws.defense-evasion.cloudtrail-stop.json')[0];
    expect(who(r)).toMatchObject({ name: 'christophe', type: 'IAMUser', originalUser: null });
  });

  it('Root → root', () => {
    expect(who(custodian('event-appmesh-create-virtualnode.json'))).toMatchObject({ name: 'root', type: 'Root', arn: 'arn:aws:iam::659775036450:root' });
  });

  it('AssumedRole → the role session name, issuer role kept in the ARN', () => {
    expect(who(custodian('event-cloud-trail-appelb-add-tags.json'))).toMatchObject({
      name: 'HarishAchappa', type: 'AssumedRole', arn: 'arn:aws:sts::123456789123:assumed-role/c7nbot/HarishAchappa', originalUser: null,
    });
  });

  it('IAM Identity Center (AWSReservedSSO_*) → the signed-in user is the original user', () => {
    expect(who(panther(3))).toMatchObject({ name: 'bob.ross', type: 'AssumedRole', originalUser: 'bob.ross' });
    const fixture = JSON.parse(readFileSync(path.join(EXPORTER_DIR, 'test/fixtures/aws/records/PutRolePolicy.json'), 'utf8')).Records[0];
    expect(who(fixture)).toMatchObject({ name: 'alice@example.com', originalUser: 'alice@example.com' });
  });

  it('a sourceIdentity set on the session names the person behind any role', () => {
    const p = principalFromUserIdentity({
      type: 'AssumedRole', arn: 'arn:aws:sts::1:assumed-role/Deploy/i-0abc', principalId: 'AROA:i-0abc',
      sessionContext: { sessionIssuer: { userName: 'Deploy' }, sourceIdentity: 'carol@example.com' },
    });
    expect(p).toMatchObject({ name: 'i-0abc', originalUser: 'carol@example.com' });
  });

  it('FederatedUser → the federated name; the issuing IAM user is the original user', () => {
    expect(who(panther(4))).toMatchObject({ name: 'federated-user', type: 'FederatedUser' });
    expect(principalFromUserIdentity({ type: 'FederatedUser', arn: 'arn:aws:sts::1:federated-user/Bob', principalId: '1:Bob', sessionContext: { sessionIssuer: { userName: 'ops-user' } } }))
      .toMatchObject({ name: 'Bob', originalUser: 'ops-user' });
  });

  it('AWSService → the invoking service; AWSAccount → the calling account', () => {
    expect(who(panther(459))).toMatchObject({ name: 'lambda.amazonaws.com', type: 'AWSService' });
    expect(who(panther(110))).toMatchObject({ name: '111122223333', type: 'AWSAccount' });
  });

  it('lower-cased exports (principalid, sessioncontext) read the same', () => {
    expect(principalFromUserIdentity({ type: 'AssumedRole', principalid: 'AROA:alice', arn: 'arn:aws:sts::1:assumed-role/AWSReservedSSO_Admin_1/alice', sessioncontext: { sessionissuer: { username: 'AWSReservedSSO_Admin_1' } } }))
      .toMatchObject({ name: 'alice', principalId: 'AROA:alice', originalUser: 'alice' });
  });
});

describe('how: user agent class and console sessions', () => {
  it.each([
    ['console.amazonaws.com', false, 'console'],
    ['signin.amazonaws.com', false, 'console'],
    ['[S3Console/0.4, aws-internal/3 aws-sdk-java/1.11.666 Linux/4.9.184]', false, 'console'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)', false, 'console'],
    ['aws-cli/2.13.0 Python/3.11.4 Linux/5.10.0-1234-aws exe/x86_64.ubuntu.22', false, 'cli'],
    ['aws-sdk-go/1.44.0 (go1.20; linux; amd64)', true, 'console'],
    ['Boto3/1.40.4 md/Botocore#1.40.4 ua/2.1 os/linux', false, 'sdk'],
    ['APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.70.0', false, 'terraform'],
    ['OpenTofu/1.8.0 terraform-provider-aws/5.70.0', false, 'terraform'],
    ['cloudformation.amazonaws.com', false, 'cloudformation'],
    ['autoscaling.amazonaws.com', false, 'aws-service'],
    ['AWS Internal', false, 'aws-service'],
    ['stratus-red-team_1004a4ff', false, 'other'],
  ] as const)('%s → %s', (ua, fromConsole, expected) => {
    expect(userAgentClass(ua, fromConsole)).toBe(expected);
  });

  it('records carry sessionCredentialFromConsole and the user agent class', () => {
    const e = auditEventFromCloudTrail(JSON.parse(readFileSync(path.join(EXPORTER_DIR, 'test/fixtures/aws/records/DeleteRole.json'), 'utf8')).Records[0]);
    expect(e.extra).toMatchObject({ sessionCredentialFromConsole: true, userAgentClass: 'console' });
    expect(auditEventFromCloudTrail(corpusRecords('stratus-red-team/aws.defense-evasion.cloudtrail-stop.json')[0]).extra).toMatchObject({ sessionCredentialFromConsole: false, userAgentClass: 'other' });
  });
});

describe('Falco alerts and raw records name the same person', () => {
  it('for every record of the corpus', async () => {
    const { records } = await cloudTrailCorpus();
    const mismatches: string[] = [];
    for (const { raw, event, where } of records) {
      // Falco reads CloudTrail's own spelling; lower-cased SIEM copies never reach it.
      if (typeof (raw as Record<string, unknown>).eventName !== 'string') continue;
      const viaFalco = auditEventFromFalcoFields(falcoFieldsFromCloudTrail(raw as Record<string, unknown>), { rule: 'r', priority: 'Warning', hostname: 'h' });
      const a = event.principal;
      // The plugin reports `unknown_user_type` for other identity types: nothing to compare.
      if (!['IAMUser', 'AssumedRole', 'Root', 'FederatedUser', 'AWSService', 'AWSAccount'].includes(a.type ?? '')) continue;
      const b = viaFalco.principal;
      if (a.name !== b.name || a.type !== b.type || (a.type === 'AssumedRole' && a.originalUser !== b.originalUser)) mismatches.push(`${where}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    }
    expect(mismatches).toEqual([]);
  });
});
