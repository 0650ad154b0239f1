import type { AuditEvent } from '../../model/event.js';
import { loadMappingTables, type MappingTables } from '../mapping/load.js';
import { applyEventSpec } from '../mapping/resolve.js';
import type { EventSpec, ServiceTable } from '../mapping/schema.js';
import type { ProviderAdapter, Resolution, ResourceChange, TargetCandidate } from '../types.js';
import { registerGcpComparators } from './compare.js';
import { SeenOperations } from '../operations.js';
import { iamFamily, iamResourceIdFor, isIamRow, resolveIam } from './iam.js';
import { lastSegment, methodKey, relativeName } from './names.js';
import { auditEventFromGcpFalcoFields, auditEventFromLogEntry, isGcpLogEntry } from './record.js';

registerGcpComparators();

export interface GcpRow {
  service: ServiceTable;
  spec: EventSpec;
}

/** (serviceName, method without API version) → row; `v1.` and `beta.` spellings share a row. */
export function indexGcpTables(tables: MappingTables): Map<string, GcpRow> {
  const out = new Map<string, GcpRow>();
  for (const service of tables.services)
    for (const [name, spec] of Object.entries(service.events)) {
      const key = `${service.event_source}\u0000${methodKey(name)}`;
      if (out.has(key)) throw new Error(`mappings/gcp: ${service.event_source} ${name} is mapped twice (API versions share a row)`);
      out.set(key, { service, spec });
    }
  return out;
}

const COMPUTE_URL_BASES = ['https://www.googleapis.com/compute/v1/', 'https://www.googleapis.com/compute/beta/'];

/**
 * Lookup spellings beyond the table's own: `name+project` (types whose ID is a bare name,
 * e.g. google_sql_database_instance: the name is only trusted together with the project),
 * and compute `self_link` URLs for states written by providers whose `id` was the name.
 */
function expandCandidates(event: AuditEvent, change: ResourceChange): ResourceChange {
  const out: TargetCandidate[] = [];
  for (const c of change.candidates) {
    if (c.lookup.field === 'name+project') {
      if (!event.accountId) continue; // never a bare-name match
      out.push({ ...c, lookup: { field: 'name', value: bareName(c.lookup.value), also: { ...(c.lookup.also ?? {}), project: event.accountId } } });
      continue;
    }
    if (c.lookup.field === 'project/name') {
      if (!event.accountId) continue;
      out.push({ ...c, lookup: { field: 'id', value: `${event.accountId}/${lastSegment(c.lookup.value)}` } });
      continue;
    }
    const value = c.lookup.field === 'id' ? relativeName(c.lookup.value) : c.lookup.value;
    out.push({ ...c, lookup: { ...c.lookup, value } });
    if (c.lookup.field === 'id' && event.eventSource === 'compute.googleapis.com' && value.startsWith('projects/'))
      for (const base of COMPUTE_URL_BASES) out.push({ ...c, lookup: { field: 'self_link', value: `${base}${value}` } });
  }
  return { ...change, resourceId: terraformId(event, change), candidates: out };
}

/** Cloud SQL names instances `project:instance` (labels.database_id); the provider keys them by name. */
function bareName(value: string): string {
  const last = lastSegment(value);
  return last.slice(last.lastIndexOf(':') + 1);
}

/**
 * The ID as the google provider's state stores it: the relative name for most types,
 * `project/service` for google_project_service, the bare name for name-keyed types
 * (google_sql_database_instance).
 */
function terraformId(event: AuditEvent, change: ResourceChange): string {
  const first = change.candidates[0]?.lookup;
  if (first?.field === 'id') return relativeName(change.resourceId);
  if (first?.field === 'project/name' && event.accountId) return `${event.accountId}/${lastSegment(first.value)}`;
  if (first?.field === 'name+project') return bareName(first.value);
  return change.resourceId;
}

/** (serviceName, method without version) of writes deliberately left unmapped, each with its reason in the table. */
export function unmappedGcpMethods(tables: MappingTables): Set<string> {
  const out = new Set<string>();
  for (const s of tables.services) for (const m of Object.keys(s.unmapped)) out.add(`${s.event_source}\u0000${methodKey(m)}`);
  return out;
}

/** What GCE audit logs say of metadata writes: key names only (instanceMetadataDelta / projectMetadataDelta). */
export const METADATA_VALUE_NOT_LOGGED = '(changed; value not in the audit log)';

function metadataDelta(event: AuditEvent): { set: string[]; removed: string[] } | null {
  const md = event.extra.metadata;
  if (!md || typeof md !== 'object') return null;
  const m = md as Record<string, unknown>;
  const delta = (m.instanceMetadataDelta ?? m.projectMetadataDelta) as Record<string, unknown> | undefined;
  if (!delta || typeof delta !== 'object') return null;
  const keys = (k: string): string[] => (Array.isArray(delta[k]) ? (delta[k] as unknown[]).filter((x): x is string => typeof x === 'string') : []);
  return { set: [...keys('addedMetadataKeys'), ...keys('modifiedMetadataKeys')], removed: keys('deletedMetadataKeys') };
}

/**
 * setMetadata / setCommonInstanceMetadata records usually carry only the changed keys, not the
 * values; then each key becomes its own attribute (`metadata.ssh-keys`) so the drift names it.
 */
function withMetadataKeys(event: AuditEvent, change: ResourceChange): ResourceChange {
  const delta = metadataDelta(event);
  if (!delta) return change;
  const candidates = change.candidates.map((c) => {
    if (c.changes.some((x) => x.attribute === 'metadata')) return c; // the request had the items: full comparison
    const perKey = [
      ...delta.set.map((k) => ({ attribute: `metadata.${k}`, op: 'set' as const, value: METADATA_VALUE_NOT_LOGGED, compare: 'scalar' })),
      ...delta.removed.map((k) => ({ attribute: `metadata.${k}`, op: 'set' as const, value: null, compare: 'scalar' })),
    ];
    return { ...c, changes: [...c.changes, ...perKey] };
  });
  return { ...change, candidates };
}

export function resolveGcp(event: AuditEvent, rows: Map<string, GcpRow>, unmapped: Set<string> = new Set(), seen?: SeenOperations): Resolution {
  if (event.errorCode) return { status: 'ignored', reason: 'failed_call' };
  if (event.readOnly) return { status: 'ignored', reason: 'read_only' };
  const key = methodKey(event.eventName);
  const row = rows.get(`${event.eventSource}\u0000${key}`);
  if (!row) return unmapped.has(`${event.eventSource}\u0000${key}`) ? { status: 'ignored', reason: 'not_mutating' } : { status: 'unmapped' };
  // Long-running operations log a `first` (the request) and a `last` (completion) entry under one
  // operation ID; either alone is enough, whichever comes first reports, the other folds in.
  const opKey = operationKey(event, key);
  if (opKey && seen?.has(opKey)) return { status: 'ignored', reason: 'not_mutating' };
  let changes: ResourceChange[];
  if (isIamRow(row.spec)) {
    const family = iamFamily(row.spec, typeof event.extra.path === 'string' ? event.extra.path : '');
    const rid = family ? iamResourceIdFor(family.base, family.targets, event) : null;
    changes = family && rid ? resolveIam(event, family.targets, rid) : [];
  } else changes = applyEventSpec(event, row.spec).map((c) => withMetadataKeys(event, expandCandidates(event, c)));
  changes = changes.filter((c) => c.candidates.length > 0);
  if (changes.length === 0) return { status: 'unresolved', reason: 'resource_id_not_found' };
  if (opKey) seen?.remember(opKey);
  return { status: 'mapped', changes };
}

/** `operation.id` + method + resource: what one long-running operation's entries share. */
function operationKey(event: AuditEvent, method: string): string | null {
  const id = event.extra.operation_id;
  if (typeof id !== 'string' || id === '') return null;
  return `${id}|${method}|${String(event.extra.path ?? '')}`;
}

export function gcpProvider(tables: MappingTables = loadMappingTables('gcp')): ProviderAdapter {
  const rows = indexGcpTables(tables);
  const unmapped = unmappedGcpMethods(tables);
  const seen = new SeenOperations();
  return {
    id: 'gcp',
    falcoSources: ['gcp_auditlog'],
    // Long-running operations' first and last entries fold into one.
    sequential: true,
    fromFalco: auditEventFromGcpFalcoFields,
    recognises: isGcpLogEntry,
    fromRecord: (r) => auditEventFromLogEntry(r),
    resolve: (event) => resolveGcp(event, rows, unmapped, seen),
  };
}
