import type { AuditEvent } from '../../model/event.js';
import { getPath, isFanOut } from '../../util/paths.js';
import type { AttributeChange, ResourceChange, TargetCandidate } from '../types.js';
import type { ChangeSpec, EventSpec, TargetSpec } from './schema.js';
import { arnResource, idFromArn, idHits, type IdHit } from './ids.js';

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

export const VALUE_NOT_IN_EVENT = 'value not in the event';

function buildChanges(root: unknown, specs: readonly ChangeSpec[]): AttributeChange[] {
  const out: AttributeChange[] = [];
  const implied: AttributeChange[] = [];
  for (const spec of specs) {
    let value = valuesAt(root, spec.value);
    if (value === undefined && spec.absent !== undefined) value = spec.absent;
    if (value === undefined) {
      // The call changes this attribute, but this record does not say to what.
      if (spec.implied) implied.push({ attribute: spec.attribute, op: 'set', value: null, compare: spec.compare, detail: VALUE_NOT_IN_EVENT });
      continue; // otherwise the event does not touch this attribute
    }
    if (out.some((c) => c.attribute === spec.attribute)) continue; // alternative paths: first present wins
    out.push({ attribute: spec.attribute, op: spec.op, value, compare: spec.compare });
  }
  for (const c of implied) if (!out.some((x) => x.attribute === c.attribute)) out.push(c);
  return out;
}

export { arnResource, idFromArn } from './ids.js';

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

function resolveIdHits(root: unknown, spec: Pick<EventSpec, 'id' | 'id_from_arn' | 'arn_lookup'>): IdHit[] {
  for (const p of spec.id) {
    const hits = idHits(root, p);
    if (hits.length === 0) continue;
    const seen = new Set<string>();
    const out: IdHit[] = [];
    for (const h of hits) {
      const id = spec.id_from_arn && !spec.arn_lookup ? idFromArn(h.id) : h.id;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push({ ...h, id });
    }
    return out;
  }
  return [];
}

function resolveIds(root: unknown, spec: Pick<EventSpec, 'id' | 'id_from_arn' | 'arn_lookup'>): string[] {
  return resolveIdHits(root, spec).map((h) => h.id);
}

function candidate(root: unknown, id: string, target: TargetSpec, spec: EventSpec, kind: EventSpec['kind']): TargetCandidate | null {
  const also: Record<string, string> = {};
  for (const [attr, p] of Object.entries(target.also ?? {})) {
    const v = idHits(root, p)[0]?.id;
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
    kind: target.kind ?? kind,
    changes: buildChanges(root, target.changes),
  };
  if (target.separate) out.separate = true;
  if (target.changes.length > 0 && out.changes.length === 0) out.unconcerned = true;
  if (target.unmanaged_id) {
    const own = resolveIds(root, { id: target.unmanaged_id, id_from_arn: false });
    if (own.length > 0) out.unmanagedId = own[0];
  }
  const callAttribute = target.call_attribute ?? spec.call_attribute;
  if (callAttribute) out.callAttribute = callAttribute;
  if (target.match) {
    const found = getPath(root, target.match.value);
    out.match = {
      compare: target.match.compare,
      value: isFanOut(target.match.value) ? found : found[0],
      ...(target.match.attributes ? { attributes: target.match.attributes } : {}),
      ...(target.match.attribute ? { attribute: target.match.attribute } : {}),
    };
  }
  return out;
}

/** The row's kind, or the one `kind_by` picks from the event (Route 53: CREATE / UPSERT / DELETE); null = not a change. */
function kindFor(root: unknown, spec: EventSpec): EventSpec['kind'] | null {
  if (!spec.kind_by) return spec.kind;
  const v = getPath(root, spec.kind_by.path)[0];
  const picked = typeof v === 'string' ? spec.kind_by.map[v] : undefined;
  return picked === undefined ? spec.kind : picked === 'none' ? null : picked;
}

/** Applies one mapping row to an event: one ResourceChange per resource it names. */
export function applyEventSpec(event: AuditEvent, spec: EventSpec): ResourceChange[] {
  const base = pathRoot(event);
  const out: ResourceChange[] = [];
  for (const hit of resolveIdHits(base, spec)) {
    const id = hit.id;
    // A fan-out element is the `item` its row's other paths read (one Route 53 change of a batch).
    const root = hit.item === undefined ? base : { ...base, item: hit.item };
    const kind = kindFor(root, spec);
    if (kind === null) continue;
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
    const candidates = targets.map((t) => candidate(root, id, t, spec, kind)).filter((c): c is TargetCandidate => c !== null);
    if (candidates.length === 0) continue;
    // Every target names its own resource, the same one (a child path cut back to the app that
    // Terraform manages): that is the resource the drift is about.
    const own = targets.every((t) => t.id) && candidates.every((c) => c.lookup.value === candidates[0].lookup.value);
    out.push({ resourceId: own ? candidates[0].lookup.value : id, candidates, unmanagedType: spec.unmanaged_type ?? targets[0].type, kind });
  }
  return out;
}
