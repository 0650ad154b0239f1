import { describe, expect, it } from 'vitest';
import { loadMappingTables } from '../../src/providers/mapping/load.js';
import { idFromArn } from '../../src/providers/mapping/resolve.js';
import { resolveAws } from '../../src/providers/aws/adapter.js';
import { auditEventFromCloudTrail } from '../../src/providers/aws/record.js';
import type { ResourceChange } from '../../src/providers/types.js';

const tables = loadMappingTables('aws');
const resolve = (r: Record<string, unknown>): ResourceChange[] => {
  const res = resolveAws(auditEventFromCloudTrail({ readOnly: false, ...r }), tables);
  if (res.status !== 'mapped') throw new Error(`not mapped: ${JSON.stringify(res)}`);
  return res.changes;
};

describe('resource ID resolution', () => {
  it('ARNs and resource paths reduce to the resource name', () => {
    expect(idFromArn('arn:aws:iam::1:role/service-role/app')).toBe('app');
    expect(idFromArn('arn:aws:lambda:us-east-1:1:function:api')).toBe('api');
    expect(idFromArn('arn:aws:sns:us-east-1:1:alerts')).toBe('alerts');
    expect(idFromArn('/hostedzone/Z123ABC')).toBe('Z123ABC');
    expect(idFromArn('plain-name')).toBe('plain-name');
  });

  it('falls back to the ARNs in resources[] when the request names nothing (KMS DisableKey)', () => {
    const [c] = resolve({ eventName: 'DisableKey', eventSource: 'kms.amazonaws.com', requestParameters: null, resources: [{ ARN: 'arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab', type: 'AWS::KMS::Key' }] });
    expect(c.candidates[0]).toMatchObject({ resourceType: 'aws_kms_key', lookup: { field: 'id', value: '1234abcd-12ab' } });
  });

  it('Lambda FunctionName given as an ARN is looked up by arn, as a name by id', () => {
    const byArn = resolve({ eventName: 'DeleteFunction20150331', eventSource: 'lambda.amazonaws.com', requestParameters: { functionName: 'arn:aws:lambda:us-east-1:1:function:api' } });
    expect(byArn[0].candidates[0].lookup).toEqual({ field: 'arn', value: 'arn:aws:lambda:us-east-1:1:function:api' });
    const byName = resolve({ eventName: 'DeleteFunction20150331', eventSource: 'lambda.amazonaws.com', requestParameters: { functionName: 'api' } });
    expect(byName[0].candidates[0].lookup).toEqual({ field: 'id', value: 'api' });
  });

  it('multi-resource events give one result per resource, typed by ARN (ELB AddTags) or ID prefix (CreateTags)', () => {
    const elb = resolve({
      eventName: 'AddTags', eventSource: 'elasticloadbalancing.amazonaws.com',
      requestParameters: { resourceArns: ['arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/web/abc', 'arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/def'], tags: [{ key: 'a', value: 'b' }] },
    });
    expect(elb.map((c) => c.candidates[0].resourceType)).toEqual(['aws_lb', 'aws_lb_target_group']);
    const ec2 = resolve({
      eventName: 'CreateTags', eventSource: 'ec2.amazonaws.com',
      requestParameters: { resourcesSet: { items: [{ resourceId: 'i-1' }, { resourceId: 'sg-1' }, { resourceId: 'tgw-attach-1' }, { resourceId: 'tgw-1' }] }, tagSet: { items: [{ key: 'a', value: 'b' }] } },
    });
    expect(ec2.map((c) => c.unmanagedType)).toEqual(['aws_instance', 'aws_security_group', 'aws_ec2_transit_gateway_vpc_attachment', 'aws_ec2_transit_gateway']);
  });

  it('API Gateway tag ARNs are typed by their path: REST API, stage or HTTP API', () => {
    const types = (arn: string) => resolve({ eventName: 'TagResource', eventSource: 'apigateway.amazonaws.com', requestParameters: { resourceArn: arn, tags: { a: 'b' } } })[0].unmanagedType;
    expect(types('arn:aws:apigateway:us-east-1::/restapis/abc/stages/prod')).toBe('aws_api_gateway_stage');
    expect(types('arn:aws:apigateway:us-east-1::/restapis/abc')).toBe('aws_api_gateway_rest_api');
    expect(types('arn:aws:apigateway:us-east-1::/apis/xyz')).toBe('aws_apigatewayv2_api');
  });

  it('same event name, different service: the event source decides', () => {
    const type = (source: string, request: Record<string, unknown>, response: Record<string, unknown> | null = null) =>
      resolve({ eventName: 'CreateCluster', eventSource: source, requestParameters: request, responseElements: response })[0].unmanagedType;
    expect(type('eks.amazonaws.com', { name: 'prod' })).toBe('aws_eks_cluster');
    expect(type('ecs.amazonaws.com', { clusterName: 'prod' }, { cluster: { clusterArn: 'arn:aws:ecs:us-east-1:1:cluster/prod' } })).toBe('aws_ecs_cluster');
    expect(type('redshift.amazonaws.com', { clusterIdentifier: 'dw' })).toBe('aws_redshift_cluster');
  });

  it('read-only, failed and deliberately unmapped calls are ignored with their reason; unknown writes are unmapped', () => {
    const r = (x: Record<string, unknown>) => resolveAws(auditEventFromCloudTrail({ eventSource: 'ec2.amazonaws.com', ...x }), tables);
    expect(r({ eventName: 'DescribeInstances', readOnly: true })).toEqual({ status: 'ignored', reason: 'read_only' });
    expect(r({ eventName: 'RunInstances', readOnly: false, errorCode: 'Client.UnauthorizedOperation' })).toEqual({ status: 'ignored', reason: 'failed_call' });
    expect(r({ eventName: 'SharedSnapshotVolumeCreated', readOnly: false })).toEqual({ status: 'ignored', reason: 'not_mutating' });
    expect(r({ eventName: 'CreateSomethingNew', readOnly: false })).toEqual({ status: 'unmapped' });
  });
});
