/**
 * Traffic for bench/queues.bench.ts: RATE unique events per second for SECONDS, each event ID
 * stamped with the wall-clock µs at which it became visible in the peer (queued, published)
 * or was sent (POST /falco), read back when its drift record reaches the outputs.
 */
import { performance } from 'node:perf_hooks';
import { falcoAlertFromCloudTrail } from '../src/providers/aws/falco-fields.js';
import { gcpFalcoAlertFromLogEntry } from '../src/providers/gcp/record.js';
import { benchRecord } from './ingest-data.js';

export const nowMicros = (): number => Math.round((performance.timeOrigin + performance.now()) * 1000);

/** The demo's AttachRolePolicy record naming its own role (every event a new drift), ID = bench-qSEQ-MICROS. */
export function stampedRecord(seq: number): Record<string, unknown> {
  const r = benchRecord(`q${seq}`, `q${seq}`);
  return { ...r, eventID: `bench-q${seq}-${nowMicros()}` };
}

/** A firewall insert LogEntry (the corpus's Compute audit shape) creating its own firewall. */
export function stampedLogEntry(seq: number): Record<string, unknown> {
  const project = 'bench-project';
  // The stamp rides in the resource name too: gcpaudit alerts carry no insertId.
  const stamp = nowMicros();
  const name = `bench-fw-${seq}-${stamp}`;
  return {
    insertId: `bench-q${seq}-${stamp}`,
    logName: `projects/${project}/logs/cloudaudit.googleapis.com%2Factivity`,
    timestamp: new Date().toISOString(),
    resource: { type: 'gce_firewall_rule', labels: { project_id: project, firewall_rule_id: String(seq) } },
    protoPayload: {
      '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
      serviceName: 'compute.googleapis.com',
      methodName: 'v1.compute.firewalls.insert',
      resourceName: `projects/${project}/global/firewalls/${name}`,
      authenticationInfo: { principalEmail: 'mallory@example.com' },
      requestMetadata: { callerIp: '203.0.113.7', callerSuppliedUserAgent: 'Mozilla/5.0' },
      request: { '@type': 'type.googleapis.com/compute.firewalls.insert', name, sourceRanges: ['0.0.0.0/0'], alloweds: [{ IPProtocol: 'tcp', ports: ['22'] }] },
    },
    operation: { id: `op-${seq}`, producer: 'compute.googleapis.com', first: true },
  };
}

/** The same events as the Falco plugins would post them. */
export function stampedAlert(kind: 'aws' | 'gcp', seq: number): Record<string, unknown> {
  return kind === 'gcp' ? gcpFalcoAlertFromLogEntry(stampedLogEntry(seq)) : falcoAlertFromCloudTrail(stampedRecord(seq), { hostname: 'falco-bench' });
}

/** Calls send(seq) RATE times per second for SECONDS, on schedule (catching up after a stall). */
export async function pace(rate: number, seconds: number, send: (seq: number) => void): Promise<number> {
  const total = rate * seconds;
  const started = performance.now();
  let seq = 0;
  while (seq < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
    while (seq < due) send(seq++);
    await new Promise((r) => setTimeout(r, 1));
  }
  return seq;
}
