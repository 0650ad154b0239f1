import type { AuditEvent } from '../../model/event.js';
import { loadMappingTables, type MappingTables } from '../mapping/load.js';
import { applyEventSpec } from '../mapping/resolve.js';
import type { EventSpec } from '../mapping/schema.js';
import type { ProviderAdapter, Resolution, ResourceChange } from '../types.js';
import { registerAzureComparators } from './compare.js';
import { CorrelationDeduper } from './dedup.js';
import { auditEventFromActivityRecord, auditEventFromAzureFalcoFields, isAzureActivityRecord, nestedOperation } from './record.js';

registerAzureComparators();

/** The Falco `source` community Azure activity-log plugins use by default. */
export const AZURE_FALCO_SOURCE = 'azure_activitylog';

export interface AzureTables {
  /** Lower-cased operation name → row (ARM operation names are case-insensitive). */
  rows: Map<string, { source: string; spec: EventSpec }>;
  unmapped: Set<string>;
  /** Lower-cased namespace → the table's spelling (`MICROSOFT.STORAGE` → `Microsoft.Storage`). */
  namespaces: Map<string, string>;
}

export function indexAzureTables(tables: MappingTables): AzureTables {
  const rows = new Map<string, { source: string; spec: EventSpec }>();
  const unmapped = new Set<string>();
  const namespaces = new Map<string, string>();
  for (const s of tables.services) {
    namespaces.set(s.event_source.toLowerCase(), s.event_source);
    for (const [op, spec] of Object.entries(s.events)) {
      const key = op.toLowerCase();
      if (!key.startsWith(`${s.event_source.toLowerCase()}/`)) throw new Error(`mappings/azure: ${op} is not under ${s.event_source}`);
      if (rows.has(key)) throw new Error(`mappings/azure: ${op} is mapped twice (operation names are case-insensitive)`);
      rows.set(key, { source: s.event_source, spec });
    }
    for (const op of Object.keys(s.unmapped)) unmapped.add(op.toLowerCase());
  }
  return { rows, unmapped, namespaces };
}

/**
 * Categories whose records report changes; Policy, Recommendation, Security, ServiceHealth... do
 * not. Older Event Hubs exports (2017–2018) label Administrative records `Write`/`Delete`/`Action`.
 */
const CHANGE_CATEGORIES = new Set(['administrative', 'write', 'delete', 'action']);

/** Virtual machines: the request body tells Windows from Linux; the table lists Linux first. */
function preferOs(event: AuditEvent, change: ResourceChange): ResourceChange {
  const req = event.request as { properties?: { osProfile?: { windowsConfiguration?: unknown }; storageProfile?: { osDisk?: { osType?: string } } } } | null;
  const windows = req?.properties?.osProfile?.windowsConfiguration !== undefined || /^windows$/i.test(req?.properties?.storageProfile?.osDisk?.osType ?? '');
  if (!windows) return change;
  const idx = change.candidates.findIndex((c) => c.resourceType.startsWith('azurerm_windows_'));
  if (idx <= 0) return change;
  const candidates = [change.candidates[idx], ...change.candidates.filter((_, i) => i !== idx)];
  return { ...change, candidates, unmanagedType: candidates[0].resourceType };
}

/** The completion entry read with its BeginRequest's body (and the NSG rule that body describes). */
function withStartedBody(event: AuditEvent, body: unknown): AuditEvent {
  const rule = event.extra.rule as Record<string, unknown> | null | undefined;
  const props = (body as { properties?: unknown }).properties;
  const extra = rule && props && typeof props === 'object' ? { ...event.extra, rule: { name: rule.name, ...(props as object) } } : event.extra;
  return { ...event, request: body, extra };
}

/** An ARM resource body (PUT request or response), not the activity record's own properties. */
function isArmBody(v: unknown): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && ['properties', 'location', 'sku', 'tags', 'kind'].some((k) => k in (v as object));
}

export function resolveAzure(event: AuditEvent, t: AzureTables, dedup: CorrelationDeduper): Resolution {
  const status = event.extra.status;
  if (status === 'failed' || event.errorCode) return { status: 'ignored', reason: 'failed_call' };
  if (event.readOnly) return { status: 'ignored', reason: 'read_only' };
  const category = typeof event.extra.category === 'string' ? event.extra.category.toLowerCase() : null;
  // Resource logs (StorageRead/Write/Delete: GetBlob, PutBlob) are data-plane traffic.
  if (!event.eventName.includes('/') || (category !== null && !CHANGE_CATEGORIES.has(category))) return { status: 'ignored', reason: 'not_mutating' };
  const op = nestedOperation(event.eventName).toLowerCase();
  const row = t.rows.get(op);
  if (!row) {
    // Actions (POST) change configuration only where a row says so (publish, extend, deallocate).
    if (t.unmapped.has(op) || op.endsWith('/action')) return { status: 'ignored', reason: 'not_mutating' };
    return { status: 'unmapped' };
  }
  // Accepted (an EndRequest of an asynchronous write, HTTP 200/202) and Succeeded both prove the
  // write was taken; Started alone does not (a Failed may follow). One drift per operation.
  if (status === 'started' && isArmBody(event.request) && !dedup.reported(event)) dedup.rememberBody(event, event.request);
  if (status !== 'succeeded' && status !== 'accepted') return { status: 'ignored', reason: 'not_mutating' };
  if (dedup.reported(event)) return { status: 'ignored', reason: 'not_mutating' };
  // An EndRequest without a body completes the write its BeginRequest described.
  const started = isArmBody(event.request) ? undefined : dedup.startedBody(event);
  if (started !== undefined) event = withStartedBody(event, started);
  const changes = applyEventSpec(event, row.spec).map((c) => (op === 'microsoft.compute/virtualmachines/write' ? preferOs(event, c) : c));
  if (changes.length === 0) return { status: 'unresolved', reason: 'resource_id_not_found' };
  dedup.remember(event);
  return { status: 'mapped', changes };
}

export interface AzureProviderOptions {
  /** Falco sources handled (community plugins); default `azure_activitylog`. */
  falcoSources?: readonly string[];
  tables?: MappingTables;
  dedupSize?: number;
}

export function azureProvider(opts: AzureProviderOptions = {}): ProviderAdapter {
  const tables = indexAzureTables(opts.tables ?? loadMappingTables('azure'));
  const dedup = new CorrelationDeduper(opts.dedupSize);
  const canonical = (e: AuditEvent): AuditEvent => ({ ...e, eventSource: tables.namespaces.get(e.eventSource.toLowerCase()) ?? e.eventSource });
  return {
    id: 'azure',
    falcoSources: opts.falcoSources ?? [AZURE_FALCO_SOURCE],
    // Records of one correlation ID (Started, Accepted, Succeeded) fold into one.
    sequential: true,
    fromFalco: (fields, falco) => canonical(auditEventFromAzureFalcoFields(fields, falco)),
    recognises: isAzureActivityRecord,
    fromRecord: (r) => canonical(auditEventFromActivityRecord(r)),
    resolve: (event) => resolveAzure(event, tables, dedup),
  };
}
