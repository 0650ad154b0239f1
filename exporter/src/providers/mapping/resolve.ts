import type { AuditEvent } from '../../model/event.js';
import { getPath, isFanOut } from '../../util/paths.js';
import type { AttributeChange, ResourceChange, TargetCandidate } from '../types.js';
import type { ChangeSpec, EventSpec, TargetSpec } from './schema.js';

/** The document mapping paths read from: `request.x`, `response.y`, `resources[]...`, `event.z`. */
export function pathRoot(event: AuditEvent): Record<string, unknown> {
  return { request: event.request, response: event.response, resources: event.resources, event, extra: event.extra };
}

function valuesAt(root: unknown, spec: ChangeSpec['value']): unknown {
  if (typeof spec !== 'string') return spec.const;
  const found = getPath(root, spec);
  if (found.length === 0) return undefined;
  // A fan-out path (`items.*`) means the attribute is the list; a plain path is the value itself.
  return isFanOut(spec) ? found : found[0];
}

function buildChanges(root: unknown, specs: readonly ChangeSpec[]): AttributeChange[] {
  const out: AttributeChange[] = [];
  for (const spec of specs) {
    let value = valuesAt(root, spec.value);
    if (value === undefined && spec.absent !== undefined) value = spec.absent;
    if (value === undefined) continue; // the event does not touch this attribute
    if (out.some((c) => c.attribute === spec.attribute)) continue; // alternative paths: first present wins
    out.push({ attribute: spec.attribute, op: spec.op, value, compare: spec.compare });
  }
  return out;
}

/**
 * `arn:aws:iam::1:role/path/name` → name; `arn:aws:lambda:r:1:function:name` → name; resource
 * paths too (`/hostedzone/Z123` → Z123, as Route 53 logs zone IDs).
 */
export function idFromArn(value: string): string {
  if (value.startsWith('/')) return value.split('/').filter(Boolean).pop() ?? value;
  if (!value.startsWith('arn:')) return value;
  const resource = arnResource(value);
  const parts = resource.split('/');
  if (parts.length > 1) return parts[parts.length - 1] || resource;
  const colon = resource.split(':');
  return colon.length > 1 ? colon[colon.length - 1] || resource : resource;
}

/** The resource part of an ARN (after `arn:partition:service:region:account:`). */
export function arnResource(arn: string): string {
  return arn.split(':').slice(5).join(':');
}

/**
 * The row's type for an ARN by its resource prefix (`db:` / `cluster:` / `loadbalancer/app/`),
 * longest prefix first; a key starting with `^` is a regular expression on the resource part.
 */
function typeForArn(id: string, table: Record<string, string>): string | undefined {
  if (!id.startsWith('arn:')) return undefined;
  const resource = arnResource(id);
  const boundary = (prefix: string): boolean =>
    resource === prefix || (resource.startsWith(prefix) && (/[:/]$/.test(prefix) || /[:/]/.test(resource.charAt(prefix.length))));
  const hit = Object.entries(table)
    .filter(([prefix]) => (prefix.startsWith('^') ? new RegExp(prefix).test(resource) : boundary(prefix)))
    .sort(([a], [b]) => b.length - a.length)[0];
  return hit?.[1];
}

function resolveIds(root: unknown, spec: EventSpec): string[] {
  for (const p of spec.id) {
    const ids = getPath(root, p)
      .map((v) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null))
      .filter((v): v is string => v !== null && v !== '');
    if (ids.length > 0) return [...new Set(spec.id_from_arn && !spec.arn_lookup ? ids.map(idFromArn) : ids)];
  }
  return [];
}

function candidate(root: unknown, id: string, target: TargetSpec, spec: EventSpec): TargetCandidate | null {
  const also: Record<string, string> = {};
  for (const [attr, p] of Object.entries(target.also ?? {})) {
    const v = getPath(root, p).find((x) => typeof x === 'string');
    if (typeof v === 'string') also[attr] = v;
  }
  let value = id;
  if (target.id) {
    const own = resolveIds(root, { ...spec, id: target.id });
    if (own.length === 0) return null; // the event does not name this target's resource
    value = own[0];
  }
  // ARN-or-name parameters (Lambda FunctionName, KMS KeyId): an ARN is looked up whole.
  const field = spec.arn_lookup && value.startsWith('arn:') ? spec.arn_lookup : target.lookup;
  const out: TargetCandidate = {
    resourceType: target.type,
    lookup: { field, value, ...(Object.keys(also).length ? { also } : {}) },
    kind: target.kind ?? spec.kind,
    changes: buildChanges(root, target.changes),
  };
  if (target.match) {
    const found = getPath(root, target.match.value);
    out.match = {
      compare: target.match.compare,
      value: isFanOut(target.match.value) ? found : found[0],
      ...(target.match.attributes ? { attributes: target.match.attributes } : {}),
    };
  }
  return out;
}

/** Applies one mapping row to an event: one ResourceChange per resource it names. */
export function applyEventSpec(event: AuditEvent, spec: EventSpec): ResourceChange[] {
  const root = pathRoot(event);
  const ids = resolveIds(root, spec);
  const out: ResourceChange[] = [];
  for (const id of ids) {
    let targets: TargetSpec[];
    if (spec.targets) targets = spec.targets;
    else if (spec.type_by_arn) {
      const type = typeForArn(id, spec.type_by_arn);
      if (!type) continue; // an ARN of a kind this row does not cover
      targets = [{ type, lookup: spec.lookup, changes: spec.changes }];
    } else if (spec.type_by_id_prefix) {
      const hit = Object.entries(spec.type_by_id_prefix).find(([prefix]) => id.startsWith(prefix));
      if (!hit) continue; // a resource kind this row does not cover (e.g. tags on an AMI)
      targets = [{ type: hit[1], lookup: spec.lookup, changes: spec.changes }];
    } else targets = [{ type: spec.resource_type as string, lookup: spec.lookup, changes: spec.changes }];
    const candidates = targets.map((t) => candidate(root, id, t, spec)).filter((c): c is TargetCandidate => c !== null);
    if (candidates.length === 0) continue;
    out.push({ resourceId: id, candidates, unmanagedType: spec.unmanaged_type ?? targets[0].type, kind: spec.kind });
  }
  return out;
}
