/**
 * LogQL and PromQL of each rule. Stream-label matchers first (cheap, indexed), a line filter
 * where one narrows the lines, then `| json` extracting only the fields the rule needs, guarded
 * by `__error__=""` so a malformed line never turns into an alert-evaluation error.
 */
import type { RuleKey, RuleTuning } from './presets.js';

/** Quotes a LogQL/PromQL double-quoted string literal. */
export function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** Escapes RE2 metacharacters so a literal value can sit inside `=~`. */
export function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Labels an aggregate rule keeps: bounded stream labels only (one alert per account). */
export const ACCOUNT_GROUPING = ['provider', 'account_id'] as const;
/** Labels an event rule keeps: one alert per drift, with who and what, for the notification. */
export const DRIFT_GROUPING = ['provider', 'account_id', 'region', 'resource_type', 'resource_id', 'user_name', 'drift_id'] as const;

/** Fields pulled out of the drift record by `| json` for event rules (label = JSON path). */
const DRIFT_FIELDS: Array<[string, string]> = [
  ['event_type', 'event_type'],
  ['drift_id', 'drift_id'],
  ['resource_type', 'resource_type'],
  ['resource_id', 'resource_id'],
  ['user_name', 'user.name'],
];

/** Terraform resource types whose drift is an identity/permission change, across the three clouds. */
export const IAM_RESOURCE_TYPES =
  'aws_iam_.+|aws_organizations_policy.*|aws_ssoadmin_.+|aws_kms_key_policy|google_.*iam_.+|google_service_account.*|google_project_iam_custom_role|azurerm_role_.+|azurerm_user_assigned_identity|azuread_.+';

/**
 * Line-level signs that something became reachable by anyone: world-open CIDRs (any IPv4 or
 * IPv6 prefix of length 0, not only 0.0.0.0/0 and ::/0), public
 * principals in bucket/IAM policies, GCP allUsers bindings, S3 AllUsers grants, Azure NSG
 * rules open to any source. Case-insensitive because providers disagree on spelling.
 */
export const PUBLIC_EXPOSURE_PATTERN =
  '(?i)\\b(\\d{1,3}\\.){3}\\d{1,3}/0\\b|[0-9a-f]*:[0-9a-f:]*/0\\b|allusers|allauthenticatedusers|"principal":\\s*"\\*"|"principal":\\s*\\{\\s*"aws":\\s*"\\*"|"source_address_prefix":\\s*"(\\*|internet)"';

export interface QueryContext {
  jobLabel: string;
  /** Production account IDs (AWS account, GCP project, Azure subscription); empty means every account. */
  productionAccounts: string[];
}

function selector(matchers: Array<[string, string, string]>): string {
  return `{${matchers.map(([label, op, value]) => `${label}${op}${quote(value)}`).join(', ')}}`;
}

function jsonStage(fields: Array<[string, string]>): string {
  return `| json ${fields.map(([label, path]) => `${label}=${quote(path)}`).join(', ')}`;
}

/** `sum by (…) (count_over_time(<pipeline> [window]))`. */
function countQuery(pipeline: string, window: string, grouping: readonly string[]): string {
  return `sum by (${grouping.join(', ')}) (count_over_time(${pipeline} [${window}]))`;
}

const DETECTED = '| __error__="" | event_type="terraform_drift_detected"';

export function logqlFor(key: RuleKey, tuning: RuleTuning, ctx: QueryContext): string {
  const job: [string, string, string] = ['job', '=', ctx.jobLabel];
  const eventOnly = jsonStage([['event_type', 'event_type']]);
  const driftFields = jsonStage(DRIFT_FIELDS);
  switch (key) {
    case 'critical':
    case 'high':
      return countQuery(`${selector([job, ['severity', '=', key]])} ${eventOnly} ${DETECTED}`, tuning.window, ACCOUNT_GROUPING);
    case 'drift_rate':
      return countQuery(`${selector([job])} ${eventOnly} ${DETECTED}`, tuning.window, ACCOUNT_GROUPING);
    case 'unmanaged_production': {
      const matchers: Array<[string, string, string]> = [job, ['change_type', '=', 'unmanaged']];
      if (ctx.productionAccounts.length > 0) {
        matchers.push(['account_id', '=~', ctx.productionAccounts.map(escapeRegex).join('|')]);
      }
      return countQuery(`${selector(matchers)} ${driftFields} ${DETECTED}`, tuning.window, DRIFT_GROUPING);
    }
    case 'iam_change':
      return countQuery(
        `${selector([job])} ${driftFields} ${DETECTED} | resource_type=~${quote(IAM_RESOURCE_TYPES)}`,
        tuning.window,
        DRIFT_GROUPING,
      );
    case 'public_exposure':
      return countQuery(
        `${selector([job])} |~ \`${PUBLIC_EXPOSURE_PATTERN}\` ${driftFields} ${DETECTED}`,
        tuning.window,
        DRIFT_GROUPING,
      );
    default:
      throw new Error(`rule ${key} is not a LogQL rule`);
  }
}

export function promqlFor(key: RuleKey, ctx: QueryContext, window = '15m'): string {
  const job = `job=${quote(ctx.jobLabel)}`;
  switch (key) {
    case 'exporter_down':
      // Counts healthy exporters; `or vector(0)` makes "target gone from Prometheus" a 0, not NoData.
      return `count(up{${job}} == 1) or vector(0)`;
    case 'state_stale':
      // max by (state): the freshest load of each state across the fleet's exporters.
      return `time() - max by (state) (tfdrift_state_last_success_timestamp_seconds{${job}})`;
    case 'no_state_for_account':
      // One series per remaining label set (reason, and provider where the exporter labels it),
      // summed across a fleet of exporters: no instance/exporter label survives, no double alert.
      return `sum without (instance, exporter) (increase(tfdrift_events_suppressed_total{${job}, reason="no_state_for_account"}[${window}]))`;
    default:
      throw new Error(`rule ${key} is not a PromQL rule`);
  }
}
