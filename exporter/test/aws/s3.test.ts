import { describe, expect, it } from 'vitest';
import { validateDriftRecord, type DriftRecord } from '../../src/model/drift.js';
import { Harness, corpusRecords, type Resource } from '../detect/harness.js';

const panther = (n: number) => corpusRecords('panther-analysis/panther_cloudtrail_rule_tests.json')[n - 1];

async function drifts(account: string, resources: Resource[], records: Record<string, unknown>[]): Promise<DriftRecord[]> {
  const h = await new Harness([{ name: 's3', accountId: account, resources }]).load();
  h.replay(records);
  for (const r of h.records) expect(validateDriftRecord(r)).toEqual([]);
  return h.records;
}
const bucket = (name: string, attrs: Record<string, unknown> = {}): Resource => ({ type: 'aws_s3_bucket', name: 'b', attributes: { id: name, bucket: name, arn: `arn:aws:s3:::${name}`, ...attrs } });
const split = (type: string, name: string, attrs: Record<string, unknown>): Resource => ({ type, name: 'b', attributes: { id: name, bucket: name, ...attrs } });

describe('S3 sub-resources against both legacy inline attributes and split aws_s3_bucket_* resources', () => {
  const suspend = panther(383); // important-files-bucket, VersioningConfiguration.Status Suspended, account 111111111111

  it('versioning suspended: split aws_s3_bucket_versioning wins over the bucket when the state has it', async () => {
    const [d] = await drifts('111111111111', [bucket('important-files-bucket'), split('aws_s3_bucket_versioning', 'important-files-bucket', { versioning_configuration: [{ status: 'Enabled', mfa_delete: '' }] })], [suspend]);
    expect(d).toMatchObject({ resource_type: 'aws_s3_bucket_versioning', changes: [{ detail: null, attribute: 'versioning_configuration.0.status', expected: 'Enabled', actual: 'Suspended' }] });
  });

  it('versioning suspended: legacy inline versioning block when no split resource exists', async () => {
    const [d] = await drifts('111111111111', [bucket('important-files-bucket', { versioning: [{ enabled: true, mfa_delete: false }] })], [suspend]);
    expect(d).toMatchObject({ resource_type: 'aws_s3_bucket', changes: [{ detail: null, attribute: 'versioning.0.enabled', expected: 'Enabled', actual: 'Suspended' }] });
  });

  it('logging turned off (real panther record: BucketLoggingStatus without LoggingEnabled) → target_bucket null', async () => {
    const [d] = await drifts('111111111111', [split('aws_s3_bucket_logging', 'critical-data-bucket', { target_bucket: 'logs-bucket', target_prefix: 'critical/' })], [panther(361)]);
    expect(d).toMatchObject({ resource_type: 'aws_s3_bucket_logging', changes: [{ detail: null, attribute: 'target_bucket', expected: 'logs-bucket', actual: null }] });
  });

  it('a public bucket policy put over the managed one (real panther record) → critical', async () => {
    const [d] = await drifts('123456789012', [split('aws_s3_bucket_policy', 'example-bucket', { policy: '{"Version":"2012-10-17","Statement":[]}' })], [panther(310)]);
    expect(d).toMatchObject({ resource_type: 'aws_s3_bucket_policy', change_type: 'modified', severity: 'critical' });
  });

  it('canned ACL header (x-amz-acl as a one-element list) against aws_s3_bucket_acl', async () => {
    const [d] = await drifts('123456789012', [split('aws_s3_bucket_acl', 'bucket', { acl: 'log-delivery-write' })], [panther(336)]);
    expect(d).toMatchObject({ resource_type: 'aws_s3_bucket_acl', changes: [{ detail: null, attribute: 'acl', expected: 'log-delivery-write', actual: 'private' }] });
  });

  it('public access block switched off: string booleans compared with state booleans', async () => {
    const record = { ...panther(359), requestParameters: { bucketName: 'corporate-documents', PublicAccessBlockConfiguration: { BlockPublicAcls: 'false', IgnorePublicAcls: 'true', BlockPublicPolicy: 'false', RestrictPublicBuckets: 'true' } } };
    const [d] = await drifts('111111111111', [split('aws_s3_bucket_public_access_block', 'corporate-documents', { block_public_acls: true, ignore_public_acls: true, block_public_policy: true, restrict_public_buckets: true })], [record]);
    expect(d.changes).toEqual([
      { detail: null, attribute: 'block_public_acls', expected: true, actual: false },
      { detail: null, attribute: 'block_public_policy', expected: true, actual: false },
    ]);
  });

  it('encryption algorithm changed: split resource or legacy nested block', async () => {
    const record = { ...panther(347), requestParameters: { bucketName: 'sensitive-data-bucket', ServerSideEncryptionConfiguration: { Rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } } } } };
    const [splitDrift] = await drifts('111111111111', [split('aws_s3_bucket_server_side_encryption_configuration', 'sensitive-data-bucket', { rule: [{ apply_server_side_encryption_by_default: [{ sse_algorithm: 'aws:kms', kms_master_key_id: 'alias/data' }] }] })], [record]);
    expect(splitDrift.changes).toEqual([{ detail: null, attribute: 'rule.0.apply_server_side_encryption_by_default.0.sse_algorithm', expected: 'aws:kms', actual: 'AES256' }]);
    const [legacy] = await drifts('111111111111', [bucket('sensitive-data-bucket', { server_side_encryption_configuration: [{ rule: [{ apply_server_side_encryption_by_default: [{ sse_algorithm: 'aws:kms' }] }] }] })], [record]);
    expect(legacy).toMatchObject({ resource_type: 'aws_s3_bucket', changes: [{ detail: null, attribute: 'server_side_encryption_configuration.0.rule.0.apply_server_side_encryption_by_default.0.sse_algorithm', expected: 'aws:kms', actual: 'AES256' }] });
  });
});
