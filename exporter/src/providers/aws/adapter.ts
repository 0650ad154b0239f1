import type { AuditEvent } from '../../model/event.js';
import { loadMappingTables, eventKey, type MappingTables } from '../mapping/load.js';
import { applyEventSpec } from '../mapping/resolve.js';
import type { ProviderAdapter, Resolution } from '../types.js';
import { auditEventFromCloudTrail, auditEventFromFalcoFields, isCloudTrailRecord } from './record.js';

export function resolveAws(event: AuditEvent, tables: MappingTables): Resolution {
  if (event.errorCode) return { status: 'ignored', reason: 'failed_call' };
  if (event.readOnly) return { status: 'ignored', reason: 'read_only' };
  const row = tables.byEvent.get(eventKey(event.eventSource, event.eventName));
  if (!row) {
    // A service may span several tables (hand-written and generated): any of them may list the event.
    if (tables.services.some((s) => s.event_source === event.eventSource && event.eventName in s.unmapped)) return { status: 'ignored', reason: 'not_mutating' };
    return { status: 'unmapped' };
  }
  const changes = applyEventSpec(event, row.spec);
  if (changes.length === 0) return { status: 'unresolved', reason: 'resource_id_not_found' };
  return { status: 'mapped', changes };
}

export function awsProvider(tables: MappingTables = loadMappingTables('aws')): ProviderAdapter {
  return {
    id: 'aws',
    falcoSources: ['aws_cloudtrail'],
    sequential: false,
    fromFalco: auditEventFromFalcoFields,
    recognises: isCloudTrailRecord,
    fromRecord: auditEventFromCloudTrail,
    resolve: (event) => resolveAws(event, tables),
  };
}
