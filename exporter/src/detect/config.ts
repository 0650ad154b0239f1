import { z } from 'zod';
import { SEVERITIES, CHANGE_TYPES } from '../model/drift.js';

const globs = z.array(z.string().min(1)).optional();

export const VALUE_PREDICATES = ['public_cidr', 'wildcard_principal', 'public_acl'] as const;

export const severityRuleSchema = z.strictObject({
  name: z.string().min(1),
  severity: z.enum(SEVERITIES),
  description: z.string().optional(),
  match: z
    .strictObject({
      provider: z.array(z.enum(['aws', 'gcp', 'azure'])).optional(),
      resource_type: globs,
      /** Any changed attribute matches one of these globs. */
      attribute: globs,
      /** Every changed attribute matches (e.g. tags-only changes); needs at least one change. */
      only_attributes: globs,
      change_type: z.array(z.enum(CHANGE_TYPES)).optional(),
      event_name: globs,
      /** Matched against the principal's name, ARN and original user. */
      principal: globs,
      account_id: globs,
    })
    .prefault({}),
  /** Predicates on the new (actual) values of the changes. */
  value: z
    .strictObject({
      is: z.array(z.enum(VALUE_PREDICATES)).optional(),
      contains: z.string().optional(),
    })
    .optional(),
});
export type SeverityRule = z.infer<typeof severityRuleSchema>;

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM');
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export const maintenanceWindowSchema = z.union([
  z.strictObject({
    name: z.string().min(1),
    /** Weekly: days, local start/end time in `timezone` (IANA). End before start spans midnight. */
    days: z.array(z.enum(DAYS)).min(1),
    start: hhmm,
    end: hhmm,
    timezone: z.string().default('UTC'),
    accounts: globs,
  }),
  z.strictObject({
    name: z.string().min(1),
    /** One-off range, ISO-8601 with offset (2025-12-10T20:00Z). */
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    accounts: globs,
  }),
]);
export type MaintenanceWindow = z.infer<typeof maintenanceWindowSchema>;

export const detectionConfigSchema = z.strictObject({
  /** A repeat of an open drift within this window updates it instead of alerting again. */
  dedup_window_seconds: z.number().int().min(0).default(3600),
  /**
   * Bound on open drifts kept in memory and in storage.dir/open-drifts.json. Beyond it the drift
   * seen longest ago is evicted (tfdrift_drifts_evicted_total; never reported resolved). Sizing in
   * docs/production.md (about 2 KB of heap and 1.3 KB of disk per open drift).
   */
  max_open_drifts: z.number().int().min(1).default(20_000),
  /**
   * Hold a would-be drift this long and re-check it against state before emitting, so a
   * `terraform apply` whose state upload lands just after its API calls is not reported.
   */
  settle_seconds: z.number().min(0).default(0),
  /** Severity rules, first match wins; tried before the built-in defaults (set `defaults: false` to drop those). */
  severity_rules: z.array(severityRuleSchema).default([]),
  default_severity_rules: z.boolean().default(true),
  suppress: z
    .strictObject({
      /** Terraform/OpenTofu user agents are never drift. */
      terraform_user_agent: z.boolean().default(true),
      /** CI principals whose changes are intended (globs on name, ARN or original user). */
      principals: z.array(z.string().min(1)).default([]),
      /** AWS service principals and service-linked roles (autoscaling, ...). */
      service_principals: z.boolean().default(true),
    })
    .prefault({}),
  maintenance_windows: z.array(maintenanceWindowSchema).default([]),
  /**
   * `.driftignore`-style patterns `TYPE.ID[.ATTRIBUTE]` with `*` globs; `!` negates a previous match.
   * e.g. `aws_autoscaling_group.*.desired_capacity`, `aws_instance.i-0abc*`, `!aws_instance.i-0abc1.tags`.
   */
  ignore: z.array(z.string().min(1)).default([]),
}).superRefine((cfg, ctx) => {
  cfg.maintenance_windows.forEach((w, i) => {
    if ('timezone' in w) {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: w.timezone });
      } catch {
        ctx.addIssue({ code: 'custom', path: ['maintenance_windows', i, 'timezone'], message: `unknown time zone "${w.timezone}" (expected an IANA name such as Asia/Tokyo)` });
      }
    } else if (Date.parse(w.to) <= Date.parse(w.from)) {
      ctx.addIssue({ code: 'custom', path: ['maintenance_windows', i, 'to'], message: 'must be after "from"' });
    }
  });
});
export type DetectionConfig = z.infer<typeof detectionConfigSchema>;
