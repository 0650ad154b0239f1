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
    const value = valuesAt(root, spec.value);
    if (value === undefined) continue; // the event does not touch this attribute
    if (out.some((c) => c.attribute === spec.attribute)) continue; // alternative paths: first present wins
    out.push({ attribute: spec.attribute, op: spec.op, value, compare: spec.compare });
  }
  return out;
}

function idFromArn(value: string): string {
  if (!value.startsWith('arn:')) return value;
  const resource = value.split(':').slice(5).join(':');
  const parts = resource.split('/');
  return parts[parts.length - 1] || resource;
}

function resolveIds(root: unknown, spec: EventSpec): string[] {
  for (const p of spec.id) {
    const ids = getPath(root, p)
      .map((v) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null))
      .filter((v): v is string => v !== null && v !== '');
    if (ids.length > 0) return [...new Set(spec.id_from_arn ? ids.map(idFromArn) : ids)];
  }
  return [];
}

function candidate(root: unknown, id: string, target: TargetSpec, rowKind: EventSpec['kind']): TargetCandidate {
  const also: Record<string, string> = {};
  for (const [attr, p] of Object.entries(target.also ?? {})) {
    const v = getPath(root, p).find((x) => typeof x === 'string');
    if (typeof v === 'string') also[attr] = v;
  }
  return {
    resourceType: target.type,
    lookup: { field: target.lookup, value: id, ...(Object.keys(also).length ? { also } : {}) },
    kind: target.kind ?? rowKind,
    changes: buildChanges(root, target.changes),
  };
}

/** Applies one mapping row to an event: one ResourceChange per resource it names. */
export function applyEventSpec(event: AuditEvent, spec: EventSpec): ResourceChange[] {
  const root = pathRoot(event);
  const ids = resolveIds(root, spec);
  const out: ResourceChange[] = [];
  for (const id of ids) {
    let targets: TargetSpec[];
    if (spec.targets) targets = spec.targets;
    else if (spec.type_by_id_prefix) {
      const hit = Object.entries(spec.type_by_id_prefix).find(([prefix]) => id.startsWith(prefix));
      if (!hit) continue; // a resource kind this row does not cover (e.g. tags on an AMI)
      targets = [{ type: hit[1], lookup: spec.lookup, changes: spec.changes }];
    } else targets = [{ type: spec.resource_type as string, lookup: spec.lookup, changes: spec.changes }];
    out.push({
      resourceId: id,
      candidates: targets.map((t) => candidate(root, id, t, spec.kind)),
      unmanagedType: targets[0].type,
      kind: spec.kind,
    });
  }
  return out;
}
