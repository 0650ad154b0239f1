import { z } from 'zod';
import { CHANGE_OPS } from '../types.js';

const pathOrConst = z.union([z.string().min(1), z.strictObject({ const: z.unknown() })]);

export const changeSpecSchema = z.strictObject({
  attribute: z.string().min(1),
  value: pathOrConst,
  op: z.enum(CHANGE_OPS).default('set'),
  compare: z.string().default('scalar'),
  /** The value the event means when the path is absent (PutBucketLogging without LoggingEnabled = logging off). */
  absent: z.unknown().optional(),
  /** The call changes this attribute but the event may not carry the value: then `actual: null`, detail "value not in the event". */
  implied: z.boolean().optional(),
});

const kindSchema = z.enum(['create', 'modify', 'delete']);

/**
 * Narrows the state resources a target finds to those the event's value concerns: a state
 * resource matches when comparator(event value) and comparator(resource attributes) share an
 * element (RevokeSecurityGroupIngress → the aws_security_group_rule resources it removed).
 */
export const matchSpecSchema = z.strictObject({
  compare: z.string().min(1),
  value: z.string().min(1),
  /** State attributes that must equal these constants (aws_security_group_rule `type: ingress`). */
  attributes: z.record(z.string(), z.string()).optional(),
  /** Compare with this state attribute (`groups` of aws_iam_user_group_membership) instead of the whole resource. */
  attribute: z.string().optional(),
});

export const targetSpecSchema = z.strictObject({
  type: z.string().regex(/^[a-z0-9]+_[a-z0-9_]+$/, 'a Terraform resource type'),
  /** Where this target's ID lives when it differs from the row's (ModifySecurityGroupRules: the sgr- ID). */
  id: z.array(z.string().min(1)).min(1).optional(),
  match: matchSpecSchema.optional(),
  /** State attribute the ID is compared with (default `id`). */
  lookup: z.string().default('id'),
  /** Further state attributes that must match: attribute → event path. */
  also: z.record(z.string(), z.string()).optional(),
  /** Overrides the row's kind for this target (DeleteBucketPolicy deletes aws_s3_bucket_policy). */
  kind: kindSchema.optional(),
  changes: z.array(changeSpecSchema).default([]),
  /** The attribute a call concerns when no value can be compared (AddPermission → `policy`). */
  call_attribute: z.string().optional(),
  /**
   * The relation modelled as its own resource (group membership, a security-group rule): when
   * the state holds such resources under this lookup but none `match`es, the event's one is unmanaged.
   */
  separate: z.boolean().optional(),
  /** The unmanaged sub-resource's ID in Terraform's form (`{request.userName}/{request.groupName}`). */
  unmanaged_id: z.array(z.string().min(1)).min(1).optional(),
});

export const eventSpecSchema = z
  .strictObject({
    kind: kindSchema,
    /** Paths (first that yields values wins); `*` fans out to one resource per element. */
    id: z.array(z.string().min(1)).min(1),
    /** Kind chosen by a value of the event (`item.action`: CREATE → create); `none` = not a change. */
    kind_by: z.strictObject({ path: z.string().min(1), map: z.record(z.string(), z.enum(['create', 'modify', 'delete', 'none'])) }).optional(),
    /** Pull the resource ID out of an ARN (last `/` or `:` segment) when the path yields ARNs. */
    id_from_arn: z.boolean().default(false),
    /** When the resolved ID is an ARN, look it up whole in this state attribute (e.g. `arn`) instead of `lookup`. */
    arn_lookup: z.string().optional(),
    resource_type: z.string().optional(),
    /** For events naming ARNs of several types (AddTagsToResource): ARN resource prefix → type, longest first. */
    type_by_arn: z.record(z.string(), z.string()).optional(),
    /** For events spanning types (CreateTags): ID prefix → resource type. */
    type_by_id_prefix: z.record(z.string(), z.string()).optional(),
    lookup: z.string().default('id'),
    /** Type reported as unmanaged when no state manages any target (default: the first target's). */
    unmanaged_type: z.string().optional(),
    changes: z.array(changeSpecSchema).default([]),
    targets: z.array(targetSpecSchema).optional(),
    /** The attribute a call concerns when no value can be compared (AddPermission → `policy`). */
    call_attribute: z.string().optional(),
    note: z.string().optional(),
  })
  .superRefine((row, ctx) => {
    const ways = [row.resource_type, row.targets, row.type_by_id_prefix, row.type_by_arn].filter((x) => x !== undefined).length;
    if (ways !== 1) ctx.addIssue({ code: 'custom', message: 'exactly one of resource_type, targets, type_by_id_prefix, type_by_arn' });
  });

export const serviceTableSchema = z.strictObject({
  service: z.string().min(1),
  /** AWS eventSource, GCP serviceName, Azure resource provider namespace. */
  event_source: z.string().min(1),
  events: z.record(z.string(), eventSpecSchema),
  /** Write events deliberately not mapped, each with its reason. */
  unmapped: z.record(z.string(), z.string()).default({}),
});

export type ChangeSpec = z.infer<typeof changeSpecSchema>;
export type TargetSpec = z.infer<typeof targetSpecSchema>;
export type MatchSpec = z.infer<typeof matchSpecSchema>;
export type EventSpec = z.infer<typeof eventSpecSchema>;
export type ServiceTable = z.infer<typeof serviceTableSchema>;
