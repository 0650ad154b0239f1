export { VERSION } from './version.js';
export type { AuditEvent, ProviderId } from './model/event.js';
export type { DriftRecord } from './model/drift.js';
export { driftRecordSchema, validateDriftRecord } from './model/drift.js';
