import { describe, expect, it } from 'vitest';
import { COMPARATORS, applyOp, matchesResource, normalisePolicy, normaliseSgRules, normaliseTags, scalar } from '../../src/detect/compare.js';
import { corpusRecords } from '../detect/harness.js';

const norm = (name: string, v: unknown) => COMPARATORS[name].normalise(v);

describe('semantic comparison', () => {
  it('IAM policies: the URL-encoded document IAM returns equals the JSON text the request sent (real CreateRole record)', () => {
    const [r] = corpusRecords('stratus-red-team/aws.persistence.iam-create-backdoor-role.json', (x) => x.eventName === 'CreateRole');
    const sent = (r.requestParameters as Record<string, string>).assumeRolePolicyDocument;
    const returned = ((r.responseElements as Record<string, Record<string, string>>).role).assumeRolePolicyDocument;
    expect(returned.startsWith('%7B')).toBe(true);
    expect(normalisePolicy(returned)).toEqual(normalisePolicy(sent));
  });

  it('IAM policies: statement order, single-vs-list, Principal "*" spelling and key order do not matter', () => {
    const a = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Principal: '*' }, { Effect: 'Deny', Action: ['iam:*'], Resource: ['*'] }] };
    const b = { Statement: [{ Resource: ['*'], Action: ['iam:*'], Effect: 'Deny' }, { Principal: { AWS: ['*'] }, Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['*'] }], Version: '2012-10-17' };
    expect(normalisePolicy(JSON.stringify(a))).toEqual(normalisePolicy(b));
    expect(normalisePolicy(encodeURIComponent(JSON.stringify(a)))).toEqual(normalisePolicy(b));
    expect(normalisePolicy({ ...b, Statement: [b.Statement[0]] })).not.toEqual(normalisePolicy(b));
  });

  it('tags: every AWS shape becomes one key → value map', () => {
    const expected = { Env: 'prod', Team: 'core' };
    expect(normaliseTags({ items: [{ key: 'Team', value: 'core' }, { key: 'Env', value: 'prod' }] })).toEqual(expected); // EC2 tagSet
    expect(normaliseTags([{ Key: 'Env', Value: 'prod' }, { Key: 'Team', Value: 'core' }])).toEqual(expected); // IAM, RDS
    expect(normaliseTags([{ tagKey: 'Env', tagValue: 'prod' }, { TagKey: 'Team', TagValue: 'core' }])).toEqual(expected); // KMS
    expect(normaliseTags({ TagSet: { Tag: [{ Key: 'Env', Value: 'prod' }, { Key: 'Team', Value: 'core' }] } })).toEqual(expected); // S3 PutBucketTagging
    expect(normaliseTags({ TagSet: { Tag: { Key: 'Env', Value: 'prod' } } })).toEqual({ Env: 'prod' }); // one S3 tag
    expect(normaliseTags({ Team: 'core', Env: 'prod' })).toEqual(expected); // Terraform tags/tags_all, Lambda
    expect(normaliseTags(['Env'])).toEqual({ Env: '' }); // untag key lists
    expect(applyOp('unset_keys', normaliseTags(expected), normaliseTags(['Env']))).toEqual({ Team: 'core' });
    expect(applyOp('merge', normaliseTags(expected), normaliseTags([{ key: 'Env', value: 'dev' }]))).toEqual({ Env: 'dev', Team: 'core' });
  });

  it('security group rules: CloudTrail, Terraform blocks and rule resources give the same strings', () => {
    const want = ['tcp 22 from 0.0.0.0/0'];
    expect(normaliseSgRules({ groupId: 'sg-1', ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: '22', toPort: '22', ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] } })).toEqual(want);
    expect(normaliseSgRules({ groupId: 'sg-1', cidrIp: '0.0.0.0/0', ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipPermissions: {} })).toEqual(want);
    expect(normaliseSgRules([{ protocol: 'tcp', from_port: 22, to_port: 22, cidr_blocks: ['0.0.0.0/0'], self: false }])).toEqual(want);
    expect(normaliseSgRules([{ type: 'ingress', protocol: '6', from_port: 22, to_port: 22, cidr_blocks: ['0.0.0.0/0'] }])).toEqual(want); // aws_security_group_rule
    expect(normaliseSgRules([{ ip_protocol: 'tcp', from_port: 22, to_port: 22, cidr_ipv4: '0.0.0.0/0' }])).toEqual(want); // aws_vpc_security_group_ingress_rule
    expect(normaliseSgRules({ ModifySecurityGroupRulesRequest: { GroupId: 'sg-1', SecurityGroupRule: { SecurityGroupRuleId: 'sgr-1', SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIpv4: '0.0.0.0/0' } } } })).toEqual(want);
    expect(normaliseSgRules([{ protocol: '-1', from_port: 0, to_port: 0, cidr_blocks: ['10.0.0.0/8'], source_security_group_id: 'sg-2' }])).toEqual(['all from 10.0.0.0/8', 'all from sg-2']);
  });

  it('matches a revoked permission to the standalone rule resource it removes, and no other', () => {
    const revoke = { value: { groupId: 'sg-1', ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] } }, compare: 'sg_rules' };
    const rule = { type: 'ingress', protocol: 'tcp', from_port: 22, to_port: 22, cidr_blocks: ['0.0.0.0/0'] };
    expect(matchesResource(rule, { ...revoke, attributes: { type: 'ingress' } })).toBe(true);
    expect(matchesResource({ ...rule, type: 'egress' }, { ...revoke, attributes: { type: 'ingress' } })).toBe(false);
    expect(matchesResource({ ...rule, from_port: 443, to_port: 443 }, revoke)).toBe(false);
  });

  it('booleans and numbers logged as strings, and one-element header lists, compare as scalars', () => {
    expect(scalar('true')).toBe(true);
    expect(scalar('443')).toBe(443);
    expect(scalar(['private'])).toBe('private');
    expect(scalar('0755')).toBe('0755');
    expect(norm('versioning_status', 'Suspended')).toBe(norm('versioning_status', false));
    expect(norm('versioning_status', true)).toBe('Enabled');
    expect(norm('ip_protocol', '-1')).toBe(norm('ip_protocol', 'all'));
    expect(norm('set', ['b', 'a', 'a'])).toEqual(['a', 'b']);
  });
});
