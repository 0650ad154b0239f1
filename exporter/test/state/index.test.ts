import { describe, expect, it } from 'vitest';
import { StateIndex, foreignAccounts, resourceAccount } from '../../src/state/index.js';
import { parseStateDocument } from '../../src/state/parse.js';
import { detect } from '../../src/detect/detector.js';
import type { AuditEvent } from '../../src/model/event.js';
import type { Resolution } from '../../src/providers/types.js';
import { awsState, source, stateText } from './helpers.js';

const A = '111111111111';
const B = '222222222222';

function bucketState(account: string, name: string) {
  return parseStateDocument(
    awsState([
      { type: 'aws_s3_bucket', name: 'logs', attributes: { id: name, bucket: name, arn: `arn:aws:s3:::${name}` } },
      { type: 'aws_iam_role', name: 'deploy', attributes: { id: 'deploy', name: 'deploy', arn: `arn:aws:iam::${account}:role/deploy` } },
      { type: 'aws_iam_role_policy_attachment', name: 'ro', attributes: { id: 'deploy-2024', role: 'deploy', policy_arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' } },
    ]),
    source({ name: `acct-${account}`, location: `s3://states/${account}.tfstate`, accountId: account }),
  );
}

describe('StateIndex: multi-account routing', () => {
  const index = new StateIndex([bucketState(A, 'shared-name'), bucketState(B, 'other-name')]);

  it('an event in account B never matches account A\'s resource with the same name', () => {
    const inA = index.find('aws', A, ['aws_iam_role'], { field: 'name', value: 'deploy' });
    const inB = index.find('aws', B, ['aws_iam_role'], { field: 'name', value: 'deploy' });
    expect(inA).toHaveLength(1);
    expect(inB).toHaveLength(1);
    expect(inA[0].source.accountId).toBe(A);
    expect(inB[0].source.accountId).toBe(B);
    expect(index.find('aws', B, ['aws_s3_bucket'], { field: 'bucket', value: 'shared-name' })).toEqual([]);
    expect(index.find('aws', '333333333333', ['aws_iam_role'], { field: 'name', value: 'deploy' })).toEqual([]);
    expect(index.coversAccount('aws', B)).toBe(true);
    expect(index.coversAccount('aws', '333333333333')).toBe(false);
  });

  it('through the detector: a change in account B to "deploy" is drift on B\'s role only', () => {
    const event = { provider: 'aws', accountId: B, region: 'us-east-1' } as unknown as AuditEvent;
    const resolution = {
      status: 'mapped',
      changes: [{ kind: 'modify', resourceId: 'deploy', unmanagedType: 'aws_iam_role', candidates: [{ kind: 'modify', resourceType: 'aws_iam_role', lookup: { field: 'name', value: 'deploy' }, changes: [] }] }],
    } as unknown as Resolution;
    const out = detect(event, resolution, index);
    expect(out.drifts).toHaveLength(1);
    expect(out.drifts[0].resource?.source.accountId).toBe(B);
    expect(out.drifts[0].resource?.source.location).toBe(`s3://states/${B}.tfstate`);
  });

  it('composite identities need every part to match', () => {
    const hit = index.find('aws', A, ['aws_iam_role_policy_attachment'], { field: 'role', value: 'deploy', also: { policy_arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' } });
    expect(hit.map((r) => r.address)).toEqual(['aws_iam_role_policy_attachment.ro']);
    expect(index.find('aws', A, ['aws_iam_role_policy_attachment'], { field: 'role', value: 'deploy', also: { policy_arn: 'arn:aws:iam::aws:policy/Admin' } })).toEqual([]);
  });
});

describe('StateIndex: keys', () => {
  it('an unbound state routes each resource by the account in its own ARN; a bound state keeps its binding', () => {
    const doc = awsState([
      { type: 'aws_iam_role', name: 'here', attributes: { id: 'r', name: 'r', arn: `arn:aws:iam::${A}:role/r` } },
      { type: 'aws_iam_role', name: 'there', attributes: { id: 'r', name: 'r', arn: `arn:aws:iam::${B}:role/r` } },
    ]);
    const unbound = parseStateDocument(doc, source());
    const index = new StateIndex([unbound]);
    expect(index.find('aws', A, ['aws_iam_role'], { field: 'name', value: 'r' }).map((r) => r.name)).toEqual(['here']);
    expect(index.find('aws', B, ['aws_iam_role'], { field: 'name', value: 'r' }).map((r) => r.name)).toEqual(['there']);
    expect(resourceAccount(unbound.resources[1])).toBe(B);
    // Issue 16: the configured binding wins (the store warns about the foreign ARNs).
    const bound = parseStateDocument(doc, source({ accountId: A }));
    expect(resourceAccount(bound.resources[1])).toBe(A);
    expect(foreignAccounts(bound)).toEqual(new Map([[B, 1]]));
    expect(new StateIndex([bound]).find('aws', B, ['aws_iam_role'], { field: 'name', value: 'r' })).toEqual([]);
  });

  it('a state bound to no account matches any account (replay without --account-id)', () => {
    const snap = parseStateDocument(awsState([{ type: 'aws_security_group', name: 'sg', attributes: { id: 'sg-1' } }]), source());
    const index = new StateIndex([snap]);
    expect(index.find('aws', A, ['aws_security_group'], { field: 'id', value: 'sg-1' })).toHaveLength(1);
    expect(index.coversAccount('aws', A)).toBe(true);
  });

  it('matches ARM IDs whatever their case, and subscriptions likewise', () => {
    const id = '/subscriptions/AAAA-bbbb/resourceGroups/RG-Prod/providers/Microsoft.Network/networkSecurityGroups/web';
    const snap = parseStateDocument(
      stateText([{ type: 'azurerm_network_security_group', name: 'web', provider: 'provider["registry.terraform.io/hashicorp/azurerm"]', instances: [{ attributes: { id, name: 'web' } }] }]),
      source({ provider: 'azure', accountId: 'aaaa-bbbb' }),
    );
    const index = new StateIndex([snap]);
    expect(index.find('azure', 'AAAA-BBBB', ['azurerm_network_security_group'], { field: 'id', value: id.toLowerCase() })).toHaveLength(1);
    expect(index.find('azure', 'aaaa-bbbb', ['azurerm_network_security_group'], { field: 'id', value: id.toUpperCase() })).toHaveLength(1);
    expect(index.coversAccount('azure', 'AAAA-BBBB')).toBe(true);
  });

  it('matches GCP self_links in URL or path form', () => {
    const selfLink = 'https://www.googleapis.com/compute/v1/projects/p1/global/firewalls/allow-ssh';
    const snap = parseStateDocument(
      stateText([{ type: 'google_compute_firewall', name: 'fw', provider: 'provider["registry.terraform.io/hashicorp/google"]', instances: [{ attributes: { id: 'projects/p1/global/firewalls/allow-ssh', self_link: selfLink, project: 'p1', name: 'allow-ssh' } }] }]),
      source({ provider: 'gcp', accountId: 'p1' }),
    );
    const index = new StateIndex([snap]);
    expect(index.find('gcp', 'p1', ['google_compute_firewall'], { field: 'self_link', value: 'projects/p1/global/firewalls/allow-ssh' })).toHaveLength(1);
    expect(index.find('gcp', 'p1', ['google_compute_firewall'], { field: 'self_link', value: selfLink })).toHaveLength(1);
    expect(index.find('gcp', 'p2', ['google_compute_firewall'], { field: 'name', value: 'allow-ssh' })).toEqual([]);
  });

  it('narrows a name used in two regions of one account by the event region', () => {
    const snap = parseStateDocument(
      awsState([
        { type: 'aws_cloudwatch_log_group', name: 'use1', attributes: { id: 'app', name: 'app', arn: `arn:aws:logs:us-east-1:${A}:log-group:app` } },
        { type: 'aws_cloudwatch_log_group', name: 'euw1', attributes: { id: 'app', name: 'app', arn: `arn:aws:logs:eu-west-1:${A}:log-group:app` } },
      ]),
      source({ accountId: A }),
    );
    const index = new StateIndex([snap]);
    expect(index.find('aws', A, ['aws_cloudwatch_log_group'], { field: 'name', value: 'app' })).toHaveLength(2);
    expect(index.find('aws', A, ['aws_cloudwatch_log_group'], { field: 'name', value: 'app' }, 'eu-west-1').map((r) => r.name)).toEqual(['euw1']);
    expect(index.stats()).toMatchObject({ resources: 2, snapshots: 1 });
    expect(index.stats().ambiguousKeys).toBeGreaterThan(0);
  });
});
