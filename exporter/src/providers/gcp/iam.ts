import type { AuditEvent } from '../../model/event.js';
import { getPath, isRecord } from '../../util/paths.js';
import type { EventSpec, TargetSpec } from '../mapping/schema.js';
import type { ResourceChange, TargetCandidate } from '../types.js';
import { pathRoot } from '../mapping/resolve.js';
import type { BindingDelta } from './record.js';

/** A row is an IAM row when every target is a google_*_iam_member / _binding / _policy. */
export function isIamRow(spec: EventSpec): boolean {
  return spec.targets !== undefined && spec.targets.length > 0 && spec.targets.every((t) => /_iam_(member|binding|policy)$/.test(t.type));
}

function iamKind(type: string): 'member' | 'binding' | 'policy' {
  return type.endsWith('_iam_member') ? 'member' : type.endsWith('_iam_binding') ? 'binding' : 'policy';
}

/**
 * How the google provider identifies IAM resources: bucket IAM by `bucket = b/NAME`, project
 * IAM by `project`, the rest by an ID `<resource>/<role>/<member>` (`<resource>/<role>`,
 * `<resource>`). Extra fields (`role`, `member`) are checked as well.
 */
function lookupFor(target: TargetSpec, rid: string, role: string | null, member: string | null): TargetCandidate['lookup'] {
  const kind = iamKind(target.type);
  if (target.lookup !== 'id') {
    const also: Record<string, string> = {};
    if (kind !== 'policy' && role) also.role = role;
    if (kind === 'member' && member) also.member = member;
    return { field: target.lookup, value: rid, ...(Object.keys(also).length ? { also } : {}) };
  }
  const parts = [rid, kind !== 'policy' ? role : null, kind === 'member' ? member : null].filter((x): x is string => !!x);
  return { field: 'id', value: parts.join('/') };
}

/** `cryptoKeys` → `crypto_key`, `serviceAccounts` → `service_account`, `addresses` → `address`. */
function singularSnake(collection: string): string {
  const singular = collection.endsWith('ies') ? `${collection.slice(0, -3)}y` : collection.endsWith('sses') ? collection.slice(0, -2) : collection.replace(/s$/, '');
  return singular.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * One IAM row may serve several resource kinds (KMS SetIamPolicy: key rings and crypto keys;
 * Resource Manager: projects, folders, organizations). The resource name's last collection
 * picks the family: `.../keyRings/K/cryptoKeys/C` → google_kms_crypto_key_iam_*.
 */
export function iamFamily(spec: EventSpec, path: string): { targets: TargetSpec[]; base: string } | null {
  const families = new Map<string, TargetSpec[]>();
  for (const t of spec.targets ?? []) {
    const base = t.type.replace(/_iam_(member|binding|policy)$/, '');
    families.set(base, [...(families.get(base) ?? []), t]);
  }
  if (families.size === 0) return null;
  if (families.size === 1) {
    const [[base, targets]] = [...families.entries()];
    return { base, targets };
  }
  const parts = path.split('/').filter((p) => p !== '');
  // Collections sit at even positions: projects/P/locations/L/keyRings/K → keyRings.
  const collection = parts.length >= 2 ? parts[parts.length - 2] : parts[0] ?? '';
  const kind = singularSnake(collection);
  for (const [base, targets] of families) if (base.endsWith(`_${kind}`) || base === `google_${kind}`) return { base, targets };
  return null;
}

/** The ID the google provider builds IAM resource IDs from, per family. */
export function iamResourceIdFor(base: string, targets: TargetSpec[], event: AuditEvent): string | null {
  const path = typeof event.extra.path === 'string' ? event.extra.path : '';
  const lookup = targets[0]?.lookup;
  if (lookup === 'bucket') return typeof event.extra.iam_bucket === 'string' ? event.extra.iam_bucket : null;
  if (lookup === 'project') return event.accountId;
  if (base === 'google_organization') return path.split('/')[1] ?? null;
  return path || null;
}

/** Bindings a SetIamPolicy request sets in full, when the record carries no delta. */
function requestBindings(event: AuditEvent): { role: string; members: string[] }[] {
  const policies = getPath(pathRoot(event), 'request.policy');
  const policy = policies.find(isRecord);
  if (!policy || !Array.isArray(policy.bindings)) return [];
  return policy.bindings
    .filter(isRecord)
    .filter((b) => typeof b.role === 'string')
    .map((b) => ({ role: b.role as string, members: Array.isArray(b.members) ? b.members.filter((m): m is string => typeof m === 'string') : [] }));
}

/**
 * SetIamPolicy → IAM resources. With binding deltas (the audit log's `policyDelta`, Falco's
 * `gcp.policyDelta`): one result per delta, tried as the exact member resource, then the
 * role's binding, then the whole policy. Without deltas: the request's full policy compared
 * with a managed policy or binding.
 */
export function resolveIam(event: AuditEvent, targets: TargetSpec[], rid: string): ResourceChange[] {
  const deltas = (event.extra.policy_deltas as BindingDelta[] | undefined) ?? [];
  const memberType = targets.find((t) => iamKind(t.type) === 'member')?.type ?? targets[0].type;
  const policyType = targets.find((t) => iamKind(t.type) === 'policy')?.type ?? targets[0].type;
  if (deltas.length > 0) {
    return deltas.map((d) => {
      const add = d.action === 'ADD';
      const candidates: TargetCandidate[] = targets.map((t) => {
        const kind = iamKind(t.type);
        const lookup = lookupFor(t, rid, d.role, d.member);
        if (kind === 'member') return { resourceType: t.type, lookup, kind: add ? 'create' : 'delete', changes: [] };
        if (kind === 'binding')
          return { resourceType: t.type, lookup, kind: 'modify', changes: [{ attribute: 'members', op: add ? 'add' : 'remove', value: [d.member], compare: 'set' }] };
        return {
          resourceType: t.type, lookup, kind: 'modify',
          changes: [{ attribute: 'policy_data', op: add ? 'add' : 'remove', value: [`${d.role} ${d.member}`], compare: 'gcp_iam_bindings' }],
        };
      });
      return { resourceId: `${rid}/${d.role}/${d.member}`, candidates, unmanagedType: memberType, kind: add ? 'create' : 'delete' };
    });
  }
  const bindings = requestBindings(event);
  const candidates: TargetCandidate[] = [];
  for (const t of targets) {
    const kind = iamKind(t.type);
    if (kind === 'policy')
      candidates.push({
        resourceType: t.type, lookup: lookupFor(t, rid, null, null), kind: 'modify',
        changes: bindings.length ? [{ attribute: 'policy_data', op: 'set', value: bindings, compare: 'gcp_iam_bindings' }] : [],
      });
    else if (kind === 'binding')
      for (const b of bindings)
        candidates.push({ resourceType: t.type, lookup: lookupFor(t, rid, b.role, null), kind: 'modify', changes: [{ attribute: 'members', op: 'set', value: b.members, compare: 'set' }] });
  }
  return [{ resourceId: rid, candidates, unmanagedType: policyType, kind: 'modify' }];
}
