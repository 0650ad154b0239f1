import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { DriftRecord } from '../model/drift.js';
import { VERSION } from '../version.js';
import type { Output } from './types.js';

/**
 * A drift record for `POST /api/v1/test`: valid against the contract, obviously synthetic (resource type
 * tfdrift_test, event TFDriftTest), with a fresh drift_id so no destination deduplicates it away.
 */
export function syntheticDrift(now = new Date(), id = randomBytes(8).toString('hex'), exporter = hostname()): DriftRecord {
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
    changes: [{ attribute: 'test', expected: 'terraform', actual: 'console', detail: null }],
    user: { name: 'tfdrift', arn: null, type: null, principal_id: null, original_user: null },
    source_ip: null,
    user_agent: 'tfdrift',
    event: { name: 'TFDriftTest', id: null, source: 'tfdrift', time: now.toISOString() },
    falco: null,
    suggested_fix: 'Nothing to fix: this is a test drift sent by POST /api/v1/test.',
    detected_at: now.toISOString(),
    resolution: null,
    exporter,
    source: 'tfdrift',
    version: VERSION,
  };
}

/** POST /api/v1/test: one synthetic drift through every enabled output, then a flush; reports what is still queued. */
export async function sendTestDrift(outputs: readonly Output[], exporter?: string, flushTimeoutMs = 10_000): Promise<{ drift_id: string; outputs: { name: string; queued: number }[] }> {
  const record = syntheticDrift(new Date(), undefined, exporter);
  for (const o of outputs) {
    try {
      o.send(record);
    } catch {
      // send must not throw; a broken output shows up as queued/counted, not as a failed request
    }
  }
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, flushTimeoutMs).unref());
  await Promise.race([Promise.all(outputs.map((o) => o.flush())), timeout]);
  return { drift_id: record.drift_id, outputs: outputs.map((o) => ({ name: o.name, queued: o.queueLength() })) };
}
