import { describe, expect, it } from 'vitest';
import { awsProvider } from '../../src/providers/aws/adapter.js';
import { azureProvider } from '../../src/providers/azure/adapter.js';
import { gcpProvider } from '../../src/providers/gcp/adapter.js';
import type { ProviderAdapter, ResourceChange } from '../../src/providers/types.js';

/**
 * ID rules produce the ID the provider's state stores, checked against the import IDs the
 * provider docs document (quoted per case). The records here are hand-written around the docs'
 * own example values (marked as such); the real-record tests are in test/aws/relations.test.ts,
 * test/gcp/operations.test.ts and test/azure/operations.test.ts.
 */
function changes(p: ProviderAdapter, record: Record<string, unknown>): ResourceChange[] {
  const r = p.resolve(p.fromRecord(record));
  if (r.status !== 'mapped') throw new Error(`not mapped: ${JSON.stringify(r)}`);
  return r.changes;
}

const cloudTrail = (eventSource: string, eventName: string, requestParameters: unknown, responseElements: unknown = null): Record<string, unknown> => ({
  eventVersion: '1.08', userIdentity: { type: 'IAMUser', accountId: '123456789012', arn: 'arn:aws:iam::123456789012:user/alice', userName: 'alice' },
  eventTime: '2024-01-01T00:00:00Z', eventSource, eventName, awsRegion: 'us-east-1', sourceIPAddress: '203.0.113.1', userAgent: 'aws-cli/2',
  requestParameters, responseElements, eventID: `${eventName}-1`, readOnly: false, recipientAccountId: '123456789012',
});

describe('AWS ID rules in the provider’s import-ID form (hand-written records around the docs’ example values)', () => {
  const aws = awsProvider();
  const r53 = (set: Record<string, unknown>) =>
    cloudTrail('route53.amazonaws.com', 'ChangeResourceRecordSets', { hostedZoneId: 'Z4KAPRWWNC7JR', changeBatch: { changes: [{ action: 'UPSERT', resourceRecordSet: set }] } });

  it('aws_route53_record: "terraform import aws_route53_record.myrecord Z4KAPRWWNC7JR_dev.example.com_NS" (and _dev with a set identifier)', () => {
    expect(changes(aws, r53({ name: 'dev.example.com.', type: 'NS' })).map((c) => c.resourceId)).toEqual(['Z4KAPRWWNC7JR_dev.example.com_NS']);
    expect(changes(aws, r53({ name: 'dev.example.com.', type: 'NS', setIdentifier: 'dev' })).map((c) => c.resourceId)).toEqual(['Z4KAPRWWNC7JR_dev.example.com_NS_dev']);
    // Route 53 logs the zone as /hostedzone/ID in some records; the ID is the same.
    const slashed = cloudTrail('route53.amazonaws.com', 'ChangeResourceRecordSets', { hostedZoneId: '/hostedzone/Z4KAPRWWNC7JR', changeBatch: { changes: [{ action: 'DELETE', resourceRecordSet: { name: 'Dev.Example.com.', type: 'NS' } }] } });
    expect(changes(aws, slashed)).toMatchObject([{ resourceId: 'Z4KAPRWWNC7JR_dev.example.com_NS', kind: 'delete' }]);
  });

  it('aws_iam_user_group_membership: "terraform import aws_iam_user_group_membership.example1 user1/group1/group2" (one group per call)', () => {
    const [c] = changes(aws, cloudTrail('iam.amazonaws.com', 'AddUserToGroup', { userName: 'user1', groupName: 'group1' }));
    expect(c.candidates.find((x) => x.resourceType === 'aws_iam_user_group_membership')?.unmanagedId).toBe('user1/group1');
  });

  it('aws_lambda_permission: import "my_test_lambda_function/AllowExecutionFromCloudWatch"; state id = the statement ID', () => {
    const [c] = changes(aws, cloudTrail('lambda.amazonaws.com', 'AddPermission20150331v2', { functionName: 'my_test_lambda_function', statementId: 'AllowExecutionFromCloudWatch', action: 'lambda:InvokeFunction', principal: 'events.amazonaws.com' }));
    expect(c.candidates.map((x) => x.resourceType)).toEqual(['aws_lambda_permission']);
    expect(c.candidates[0]).toMatchObject({ unmanagedId: 'AllowExecutionFromCloudWatch', lookup: { field: 'function_name', value: 'my_test_lambda_function', also: { statement_id: 'AllowExecutionFromCloudWatch' } } });
  });

  it('aws_sqs_queue_policy: "terraform import aws_sqs_queue_policy.test https://queue.amazonaws.com/0123456789012/myqueue"', () => {
    const [c] = changes(aws, cloudTrail('sqs.amazonaws.com', 'AddPermission', { queueUrl: 'https://queue.amazonaws.com/0123456789012/myqueue', label: 'x', actions: ['SendMessage'], AWSAccountIds: ['0123456789012'] }));
    expect(c.resourceId).toBe('https://queue.amazonaws.com/0123456789012/myqueue');
  });

  it('aws_vpc_security_group_ingress_rule: "terraform import aws_vpc_security_group_ingress_rule.example sgr-02108b27edd666983"', () => {
    const req = { groupId: 'sg-1', ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] } };
    const res = { _return: true, securityGroupRuleSet: { items: [{ securityGroupRuleId: 'sgr-02108b27edd666983', groupId: 'sg-1', ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '0.0.0.0/0' }] } };
    const [c] = changes(aws, cloudTrail('ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress', req, res));
    expect(c.candidates.find((x) => x.resourceType === 'aws_vpc_security_group_ingress_rule')?.unmanagedId).toBe('sgr-02108b27edd666983');
  });
});

const logEntry = (serviceName: string, methodName: string, resourceName: string, request: unknown, labels: Record<string, string> = {}): Record<string, unknown> => ({
  protoPayload: { '@type': 'type.googleapis.com/google.cloud.audit.AuditLog', serviceName, methodName, resourceName, request, authenticationInfo: { principalEmail: 'alice@example.com' } },
  resource: { type: 'audited_resource', labels: { project_id: 'your-project-id', ...labels } },
  logName: 'projects/your-project-id/logs/cloudaudit.googleapis.com%2Factivity', timestamp: '2024-01-01T00:00:00Z', insertId: methodName,
});

describe('GCP ID rules (hand-written LogEntries around the docs’ example values)', () => {
  const gcp = gcpProvider();
  it('google_project_service: "terraform import google_project_service.my_project your-project-id/iam.googleapis.com" (id project/service)', () => {
    const enable = logEntry('serviceusage.googleapis.com', 'google.api.serviceusage.v1.ServiceUsage.EnableService', 'projects/123456789/services/iam.googleapis.com', { name: 'projects/123456789/services/iam.googleapis.com' });
    const [c] = changes(gcp, enable);
    expect(c.resourceId).toBe('your-project-id/iam.googleapis.com');
    expect(c.candidates[0].lookup).toEqual({ field: 'id', value: 'your-project-id/iam.googleapis.com' });
  });

  it('BatchEnableServices: one google_project_service per service, each project/service', () => {
    const batch = logEntry('serviceusage.googleapis.com', 'google.api.serviceusage.v1.ServiceUsage.BatchEnableServices', 'projects/123456789', { parent: 'projects/123456789', serviceIds: ['iam.googleapis.com', 'datafusion.googleapis.com'] });
    expect(changes(gcp, batch).map((c) => [c.resourceId, c.unmanagedType])).toEqual([
      ['your-project-id/iam.googleapis.com', 'google_project_service'],
      ['your-project-id/datafusion.googleapis.com', 'google_project_service'],
    ]);
  });

  it('google_sql_database_instance: imports "projects/{{project}}/instances/{{name}}", "{{project}}/{{name}}", "{{name}}"; state id = name — a `project:instance` name becomes the instance', () => {
    const patch = logEntry('cloudsql.googleapis.com', 'cloudsql.instances.patch', 'instances/your-project-id:main-db', { project: 'your-project-id', instance: 'main-db' }, { database_id: 'your-project-id:main-db' });
    const [c] = changes(gcp, patch);
    expect(c.resourceId).toBe('main-db');
    expect(c.candidates[0].lookup).toEqual({ field: 'name', value: 'main-db', also: { project: 'your-project-id' } });
  });
});

describe('Azure child paths cut back to the resource Terraform manages', () => {
  it('…/sites/site1/config/appsettings → the app: "terraform import azurerm_linux_web_app.example /subscriptions/…/resourceGroups/resGroup1/providers/Microsoft.Web/sites/site1"', () => {
    const site = '/subscriptions/12345678-1234-9876-4563-123456789012/resourceGroups/resGroup1/providers/Microsoft.Web/sites/site1';
    const record = {
      time: '2024-01-01T00:00:00Z', resourceId: `${site}/config/appsettings`, operationName: 'Microsoft.Web/sites/config/write', category: 'Administrative',
      resultType: 'Success', correlationId: 'c-1', callerIpAddress: '203.0.113.9', identity: { claims: { name: 'alice@example.com' } }, properties: {},
    };
    const [c] = changes(azureProvider(), record);
    expect(c.resourceId).toBe(site);
    expect(c.candidates[0]).toMatchObject({ resourceType: 'azurerm_linux_web_app', lookup: { field: 'id', value: site } });
  });
});
