import type { AuditEvent, FalcoContext, ProviderId } from '../model/event.js';
import type { ResourceLookup } from '../state/index.js';

/** `add_statements`/`remove_statements`: policy statements added or removed by Sid (AddPermission / RemovePermission). */
export const CHANGE_OPS = ['set', 'add', 'remove', 'merge', 'unset_keys', 'add_statements', 'remove_statements'] as const;
export type ChangeOp = (typeof CHANGE_OPS)[number];

/** One attribute the event sets, in Terraform's naming, with the value the event carries. */
export interface AttributeChange {
  /** Terraform attribute path, dotted (`versioning.0.enabled`). */
  attribute: string;
  op: ChangeOp;
  value: unknown;
  /** Name of the semantic comparator (detect/compare.ts). */
  compare: string;
  /** Set when the event implies the attribute without carrying its value (`actual: null`, this as `detail`). */
  detail?: string;
}

/** Keeps only the state resources whose attributes share an element with the event's value. */
export interface ResourceMatch {
  compare: string;
  value: unknown;
  attributes?: Record<string, string>;
  /** Compare with this state attribute (`groups`) instead of the whole resource. */
  attribute?: string;
}

export interface TargetCandidate {
  resourceType: string;
  lookup: ResourceLookup;
  match?: ResourceMatch;
  kind: 'create' | 'modify' | 'delete';
  changes: AttributeChange[];
  /** The attribute a call that the table cannot break down into values concerns (AddPermission → `policy`). */
  callAttribute?: string;
  /** The relation as its own resource: state holding others under the lookup but not this one → unmanaged. */
  separate?: boolean;
  /** This sub-resource's ID when reported unmanaged. */
  unmanagedId?: string;
  /** The target names attributes but the event touches none of them (tried after the targets it does concern). */
  unconcerned?: boolean;
}

/** One resource an event touches; candidates are tried in order against state. */
export interface ResourceChange {
  resourceId: string;
  candidates: TargetCandidate[];
  /** Type reported when no state manages the resource. */
  unmanagedType: string;
  /** Kind reported when unmanaged (create or modify produce `unmanaged`). */
  kind: 'create' | 'modify' | 'delete';
}

export type Resolution =
  | { status: 'mapped'; changes: ResourceChange[] }
  | { status: 'ignored'; reason: 'read_only' | 'failed_call' | 'not_mutating' }
  | { status: 'unmapped' }
  | { status: 'unresolved'; reason: string };

/** A cloud: how its records become AuditEvents and how events resolve to resources. */
export interface ProviderAdapter {
  readonly id: ProviderId;
  /** Falco `source` values this provider handles. */
  readonly falcoSources: readonly string[];
  /**
   * resolve() remembers earlier records (multi-part operations fold into one): all of this
   * provider's records must pass one resolver, in order — never split across threads.
   */
  readonly sequential: boolean;
  /** From a Falco alert's output_fields; throws InputError on unusable fields. */
  fromFalco(fields: Record<string, unknown>, falco: FalcoContext): AuditEvent;
  /** True when a raw record (not a Falco alert) is this provider's native shape. */
  recognises(record: unknown): boolean;
  /** From a native record; throws InputError on unusable records. */
  fromRecord(record: unknown): AuditEvent;
  resolve(event: AuditEvent): Resolution;
}
