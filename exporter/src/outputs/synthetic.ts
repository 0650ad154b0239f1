import { randomBytes } from 'node:crypto';
import type { DriftRecord } from '../model/drift.js';
import { VERSION } from '../version.js';

/**
 * A drift record for `POST /api/v1/test`: valid against the contract, obviously synthetic (resource type
 * tfdrift_test, event TFDriftTest), with a fresh drift_id so no destination deduplicates it away.
 */
export function syntheticDrift(now = new Date(), id = randomBytes(8).toString('hex')): DriftRecord {
  return {
    event_type: 'terraform_drift_detected',
    drift_id: id,
    change_type: 'modified',
    severity: 'critical',
    provider: 'aws',
    account_id: '000000000000',
    region: 'us-east-1',
    resource_type: 'tfdrift_test',
    resource_id: 'tfdrift-test',
    resource_address: 'tfdrift_test.this',
    state_source: 'tfdrift://test',
    changes: [{ attribute: 'test', expected: 'terraform', actual: 'console' }],
    user: { name: 'tfdrift', arn: null, type: null, principal_id: null, original_user: null },
    source_ip: null,
    user_agent: 'tfdrift',
    event: { name: 'TFDriftTest', id: null, source: 'tfdrift', time: now.toISOString() },
    falco: null,
    suggested_fix: 'Nothing to fix: this is a test drift sent by POST /api/v1/test.',
    detected_at: now.toISOString(),
    source: 'tfdrift',
    version: VERSION,
  };
}
