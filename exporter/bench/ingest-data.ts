import { demoRecords } from '../src/cli/commands/demo.js';
import { falcoAlertFromCloudTrail } from '../src/providers/aws/falco-fields.js';

/**
 * Benchmark traffic: the demo's real AttachRolePolicy record (account 609418236337), each copy
 * with its own event ID (no ingest dedup shortcut) naming one of ROLES roles, so detection runs
 * in full on every alert while the set of open drifts stays bounded, as in production.
 */
export const ROLES = 1000;
const base = demoRecords().find((r) => r.eventName === 'AttachRolePolicy')!;

function roleOf(id: string): string {
  const n = Number(/\d+$/.exec(id)?.[0] ?? 0);
  return String(n % ROLES);
}

export function benchRecord(id: string, role = roleOf(id)): Record<string, unknown> {
  return {
    ...base,
    eventID: `bench-${id}`,
    requestParameters: { ...(base.requestParameters as object), roleName: `tfdrift-bench-role-${role}` },
  };
}

/** About 1.5 KB, like a Falco http_output body for a generated rule (whose output names 18 fields). */
export function benchAlert(id: string, role?: string): Record<string, unknown> {
  const alert = falcoAlertFromCloudTrail(benchRecord(id, role), { hostname: 'falco-bench', time: '2024-08-01T13:37:41.000000000Z' });
  const f = alert.output_fields as Record<string, unknown>;
  alert.output = `Terraform drift candidate: AWS write ${String(f['ct.name'])} on ${String(f['ct.src'])} by ${String(f['ct.user'])} | ct.id=${String(f['ct.id'])} ct.user.arn=${String(f['ct.user.arn'])} ct.srcip=${String(f['ct.srcip'])} ct.useragent=${String(f['ct.useragent'])} ct.region=${String(f['ct.region'])}`;
  return alert;
}

/** The body with @@ID@@ (event ID) and @@ROLE@@ placeholders, for wrk's Lua script. */
export function benchAlertTemplate(): string {
  return JSON.stringify(benchAlert('@@ID@@', '@@ROLE@@'));
}
