import { createHash } from 'node:crypto';
import type { DriftRecord, Severity } from '../../src/model/drift.js';
import { syntheticDrift } from '../../src/outputs/synthetic.js';

const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
const ACCOUNTS = ['111111111111', '222222222222', '333333333333'];

/** Deterministic, contract-valid drift records spread over several Loki streams. */
export function makeRecords(n: number, start = 0, base = Date.parse('2026-03-29T10:15:30.000Z')): DriftRecord[] {
  return Array.from({ length: n }, (_v, k) => {
    const i = start + k;
    const r = syntheticDrift(new Date(base + i * 7), createHash('sha256').update(`drift-${i}`).digest('hex').slice(0, 16));
    return { ...r, account_id: ACCOUNTS[i % 3], severity: SEVERITIES[i % 5], resource_type: 'aws_security_group', resource_id: `sg-${String(i).padStart(8, '0')}` };
  });
}
