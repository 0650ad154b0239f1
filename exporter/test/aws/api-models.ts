import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The AWS API models of the `aws-sdk` v2 package (`apis/*.min.json`, one per service and API
 * version): every operation of every service, as AWS publishes them for its SDKs.
 */
const APIS = path.join(path.dirname(createRequire(import.meta.url).resolve('aws-sdk/package.json')), 'apis');

/** CloudTrail eventSources whose host is not the model's endpointPrefix. */
const SOURCE_FOR_ENDPOINT: Record<string, string> = {
  'api.ecr': 'ecr', 'api.sagemaker': 'sagemaker', email: 'ses', cloudhsmv2: 'cloudhsm', 's3-control': 's3',
  'api.mediatailor': 'mediatailor', 'api.detective': 'detective', 'api.iotwireless': 'iotwireless', 'api.iotdeviceadvisor': 'iotdeviceadvisor',
};

/**
 * CloudTrail event names that are not the API operation's name, as AWS documents them for S3
 * ("Amazon S3 CloudTrail events": bucket-level names of the public-access-block and acceleration calls).
 */
export const CLOUDTRAIL_NAME_FOR_OPERATION: Record<string, string> = {
  's3.amazonaws.com PutBucketPublicAccessBlock': 'PutPublicAccessBlock',
  's3.amazonaws.com DeleteBucketPublicAccessBlock': 'DeletePublicAccessBlock',
  's3.amazonaws.com GetBucketPublicAccessBlock': 'GetPublicAccessBlock',
  's3.amazonaws.com PutAccountPublicAccessBlock': 'PutPublicAccessBlock',
  's3.amazonaws.com DeleteAccountPublicAccessBlock': 'DeletePublicAccessBlock',
  's3.amazonaws.com PutAccelerateConfiguration': 'PutBucketAccelerateConfiguration',
};

export interface ApiModel {
  file: string;
  operations: Record<string, { input?: { members?: Record<string, unknown> }; output?: { members?: Record<string, unknown> } }>;
}

let cache: Map<string, ApiModel[]> | null = null;

/** CloudTrail eventSource → the API models of that service (all API versions). */
export function modelsBySource(): Map<string, ApiModel[]> {
  if (cache) return cache;
  cache = new Map();
  for (const file of readdirSync(APIS).filter((f) => f.endsWith('.min.json'))) {
    const m = JSON.parse(readFileSync(path.join(APIS, file), 'utf8')) as { metadata: { endpointPrefix: string }; operations: ApiModel['operations'] };
    const ep = m.metadata.endpointPrefix;
    const source = `${SOURCE_FOR_ENDPOINT[ep] ?? ep.replace(/^api\./, '')}.amazonaws.com`;
    cache.set(source, [...(cache.get(source) ?? []), { file, operations: m.operations }]);
    // Published Macie records carry both macie2.amazonaws.com and (for the v2 session calls) macie.amazonaws.com.
    if (ep === 'macie2') cache.set('macie.amazonaws.com', [...(cache.get('macie.amazonaws.com') ?? []), { file, operations: m.operations }]);
  }
  return cache;
}

/** The API operation a CloudTrail event name records (Lambda's `AddPermission20150331v2` → AddPermission). */
export function operationOf(source: string, eventName: string): string {
  return CLOUDTRAIL_NAME_FOR_OPERATION[`${source} ${eventName}`] ?? eventName.replace(/20\d{6}(v\d+)?$/, '');
}

/** The model operation a mapped event is, or null when no model of its service has it. */
export function findOperation(source: string, eventName: string): { model: ApiModel; name: string } | null {
  const name = operationOf(source, eventName);
  for (const model of modelsBySource().get(source) ?? []) if (model.operations[name]) return { model, name };
  return null;
}
