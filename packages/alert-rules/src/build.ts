/**
 * Pure builder: preset + user edits → the folder, rule group, mute timing and notification
 * route TFDrift manages in Grafana. No I/O and no Node built-ins: runs in the plugin too.
 */
import { durationSeconds } from './duration.js';
import type { AlertQuery, AlertRuleGroup, MuteTimeInterval, ProvisionedAlertRule, Route } from './grafana-types.js';
import { buildMuteTiming, type MaintenanceWindow } from './maintenance.js';
import {
  LOKI_RULES,
  PROMETHEUS_RULES,
  RULE_KEYS,
  resolveTuning,
  type PresetName,
  type RuleKey,
  type RuleTuning,
  type Tuning,
} from './presets.js';
import { logqlFor, promqlFor, type QueryContext } from './queries.js';
import { isValidUid, ruleUid } from './uid.js';

export const PLUGIN_ID = 'tfdrift-drift-app';
export const EXPR_DATASOURCE_UID = '__expr__';
export const DEFAULT_JOB = 'tfdrift';
export const DEFAULT_FOLDER_UID = 'tfdrift';
export const DEFAULT_FOLDER_TITLE = 'TFDrift';
export const DEFAULT_RULE_GROUP = 'tfdrift';
export const DEFAULT_TEAM = 'platform';
/** Labels every TFDrift rule carries; the notification route matches on `tfdrift_job`. */
export const RULE_KEY_LABEL = 'tfdrift_alert';
export const RULE_JOB_LABEL = 'tfdrift_job';

export interface AlertRulesOptions {
  preset: PresetName;
  lokiDatasourceUid: string;
  /** Without it the Prometheus rules (exporter down, state stale) are left out. */
  prometheusDatasourceUid?: string;
  /** Loki stream label `job` and Prometheus scrape job of the exporter. */
  jobLabel?: string;
  folderUid?: string;
  folderTitle?: string;
  ruleGroup?: string;
  /** Rule group evaluation interval, e.g. `1m`. */
  evaluationInterval?: string;
  team?: string;
  tuning?: Partial<Record<RuleKey, Partial<RuleTuning>>>;
  productionAccounts?: string[];
  maintenanceWindows?: MaintenanceWindow[];
  /** Contact point name for these alerts; unset keeps the policy tree's default receiver. */
  contactPoint?: string;
  /** Grafana's public URL, so links in notifications are absolute; empty gives relative links. */
  grafanaUrl?: string;
  /** Where runbooks live; `#runbook-<rule>` is appended. Defaults to the plugin's Alert rules page. */
  runbookUrl?: string;
}

export interface BuiltAlerting {
  folder: { uid: string; title: string };
  group: AlertRuleGroup;
  /** Undefined when no maintenance window is configured. */
  muteTiming?: MuteTimeInterval;
  /** Name the mute timing has (or had), so apply can delete it when windows are removed. */
  muteTimingName: string;
  /** The child route of the notification policy tree for these alerts. */
  route: Route;
  /** UIDs of every rule TFDrift could manage in this scope, built or not (to delete disabled ones). */
  allRuleUids: Record<RuleKey, string>;
  tuning: Tuning;
  warnings: string[];
}

interface RuleText {
  title: string;
  summary: string;
  description: string;
  /** A filtered three-way view, or the drift detail page for per-drift rules. */
  link: 'three-way' | 'detail' | 'overview';
  linkParams?: Record<string, string>;
}

function ruleText(key: RuleKey, t: RuleTuning, ctx: QueryContext): RuleText {
  const acct = '{{ $labels.provider }} account {{ $labels.account_id }}';
  const count = '{{ $values.B.Value }}';
  const who = '{{ $labels.user_name }} changed {{ $labels.resource_type }} {{ $labels.resource_id }} in {{ $labels.provider }} account {{ $labels.account_id }} ({{ $labels.region }})';
  const accounts = ctx.productionAccounts.length > 0 ? `production accounts (${ctx.productionAccounts.join(', ')})` : 'any account (no production accounts configured)';
  switch (key) {
    case 'critical':
    case 'high':
      return {
        title: `TFDrift: ${key} drift`,
        summary: `${count} ${key} Terraform drift(s) in ${acct} within ${t.window}`,
        description: `More than ${t.threshold} drifts of severity ${key} were detected in ${acct} in the last ${t.window}. The three-way view lists each resource, who changed it, from where and how.`,
        link: 'three-way',
        linkParams: { severity: key },
      };
    case 'drift_rate':
      return {
        title: 'TFDrift: drift rate',
        summary: `${count} Terraform drifts in ${acct} within ${t.window}`,
        description: `More than ${t.threshold} drifts of any severity were detected in ${acct} in the last ${t.window}: changes are being made outside Terraform at an unusual rate.`,
        link: 'three-way',
      };
    case 'unmanaged_production':
      return {
        title: 'TFDrift: unmanaged resource in production',
        summary: `Unmanaged ${'{{ $labels.resource_type }}'} ${'{{ $labels.resource_id }}'} in ${acct}`,
        description: `${who}; no loaded Terraform state manages it. Watched: ${accounts}.`,
        link: 'detail',
      };
    case 'iam_change':
      return {
        title: 'TFDrift: IAM change outside Terraform',
        summary: `IAM drift on ${'{{ $labels.resource_type }}'} ${'{{ $labels.resource_id }}'} in ${acct}`,
        description: `${who}. Identity and permission changes outside Terraform are a security signal: confirm with the user, then re-apply Terraform or import the change.`,
        link: 'detail',
      };
    case 'public_exposure':
      return {
        title: 'TFDrift: public exposure',
        summary: `${'{{ $labels.resource_type }}'} ${'{{ $labels.resource_id }}'} opened to the internet in ${acct}`,
        description: `${who}; the change mentions a world-open CIDR (0.0.0.0/0, ::/0) or a public principal (allUsers, "*").`,
        link: 'detail',
      };
    case 'exporter_down':
      return {
        title: 'TFDrift: exporter down',
        summary: `No healthy TFDrift exporter (job ${ctx.jobLabel}) for ${t.for}`,
        description: `Prometheus sees fewer than ${t.threshold} TFDrift exporter(s) up for job "${ctx.jobLabel}": drift is not being detected. Check the exporter process and the scrape target.`,
        link: 'overview',
      };
    case 'state_stale':
      return {
        title: 'TFDrift: Terraform state stale',
        summary: 'Terraform state {{ $labels.state }} last loaded {{ $values.B.Value }}s ago',
        description: `The exporter has not loaded state "{{ $labels.state }}" successfully for more than ${t.threshold}s: drift is compared with an old state. Check tfdrift_state_load_errors_total and the backend credentials.`,
        link: 'overview',
      };
    case 'no_state_for_account':
      return {
        title: 'TFDrift: events of an account without Terraform state',
        summary: '{{ $values.B.Value }} audit event(s) suppressed in {{ $labels.job }}: their account has no loaded Terraform state',
        description: `Within ${t.window}, more than ${t.threshold} write events came from an account (AWS account, GCP project, Azure subscription) that no loaded state covers, so they were suppressed (tfdrift_events_suppressed_total{reason="no_state_for_account"}) instead of being reported as drift. Add a state for that account (states[].account_id) or stop sending its events.`,
        link: 'overview',
      };
  }
}

function linkFor(text: RuleText, base: string, t: RuleTuning): string {
  const app = `${base}/a/${PLUGIN_ID}`;
  if (text.link === 'detail') {
    return `${app}/drift/{{ $labels.drift_id }}`;
  }
  if (text.link === 'overview') {
    return `${app}/overview`;
  }
  const params = ['provider={{ $labels.provider }}', 'account_id={{ $labels.account_id }}'];
  for (const [k, v] of Object.entries(text.linkParams ?? {})) {
    params.push(`${k}=${v}`);
  }
  params.push(`range=${rangeFor(t.window)}`);
  return `${app}/three-way?${params.join('&')}`;
}

/** The smallest of the plugin's quick ranges that covers the rule's window. */
function rangeFor(window: string): string {
  const seconds = durationSeconds(window);
  return seconds <= 3600 ? '1h' : seconds <= 6 * 3600 ? '6h' : seconds <= 86400 ? '24h' : '7d';
}

function expressionQueries(t: RuleTuning, key: RuleKey): AlertQuery[] {
  const expr = { type: '__expr__', uid: EXPR_DATASOURCE_UID };
  const op = key === 'exporter_down' ? 'lt' : 'gt';
  return [
    {
      refId: 'B',
      queryType: '',
      relativeTimeRange: { from: 0, to: 0 },
      datasourceUid: EXPR_DATASOURCE_UID,
      // `last` of an instant query is its value; dropNN ignores NaN from empty buckets.
      model: { refId: 'B', type: 'reduce', expression: 'A', reducer: 'last', settings: { mode: 'dropNN' }, datasource: expr, intervalMs: 1000, maxDataPoints: 43200 },
    },
    {
      refId: 'C',
      queryType: '',
      relativeTimeRange: { from: 0, to: 0 },
      datasourceUid: EXPR_DATASOURCE_UID,
      model: {
        refId: 'C',
        type: 'threshold',
        expression: 'B',
        conditions: [{ evaluator: { type: op, params: [t.threshold] } }],
        datasource: expr,
        intervalMs: 1000,
        maxDataPoints: 43200,
      },
    },
  ];
}

function sourceQuery(key: RuleKey, t: RuleTuning, ctx: QueryContext, loki: string, prom: string | undefined): AlertQuery {
  const from = Math.max(durationSeconds(t.window), 60);
  if (LOKI_RULES.includes(key)) {
    return {
      refId: 'A',
      queryType: '',
      relativeTimeRange: { from, to: 0 },
      datasourceUid: loki,
      model: {
        refId: 'A',
        expr: logqlFor(key, t, ctx),
        queryType: 'instant',
        editorMode: 'code',
        datasource: { type: 'loki', uid: loki },
        intervalMs: 1000,
        maxDataPoints: 43200,
      },
    };
  }
  return {
    refId: 'A',
    queryType: '',
    relativeTimeRange: { from, to: 0 },
    datasourceUid: prom ?? '',
    model: {
      refId: 'A',
      expr: promqlFor(key, ctx, t.window),
      instant: true,
      range: false,
      editorMode: 'code',
      datasource: { type: 'prometheus', uid: prom },
      intervalMs: 1000,
      maxDataPoints: 43200,
    },
  };
}

function requireUid(what: string, uid: string): string {
  if (!isValidUid(uid)) {
    throw new Error(`${what} "${uid}" is not a valid Grafana UID (1-40 characters of a-z, A-Z, 0-9, - and _)`);
  }
  return uid;
}

export function buildAlerting(options: AlertRulesOptions): BuiltAlerting {
  const jobLabel = options.jobLabel?.trim() || DEFAULT_JOB;
  const folderUid = requireUid('folder UID', options.folderUid?.trim() || DEFAULT_FOLDER_UID);
  const groupName = options.ruleGroup?.trim() || DEFAULT_RULE_GROUP;
  const team = options.team?.trim() || DEFAULT_TEAM;
  const base = (options.grafanaUrl ?? '').replace(/\/+$/, '');
  const runbookBase = options.runbookUrl?.trim() || `${base}/a/${PLUGIN_ID}/alert-rules`;
  const lokiUid = options.lokiDatasourceUid?.trim();
  if (!lokiUid) {
    throw new Error('a Loki datasource UID is required');
  }
  const promUid = options.prometheusDatasourceUid?.trim() || undefined;
  const tuning = resolveTuning(options.preset, options.tuning);
  const ctx: QueryContext = {
    jobLabel,
    productionAccounts: (options.productionAccounts ?? []).map((a) => a.trim()).filter((a) => a !== ''),
  };
  const scopeSuffix = jobLabel === DEFAULT_JOB ? '' : ` [${jobLabel}]`;
  const warnings: string[] = [];
  const allRuleUids = {} as Record<RuleKey, string>;
  const rules: ProvisionedAlertRule[] = [];

  for (const key of RULE_KEYS) {
    const uid = ruleUid(key, jobLabel);
    allRuleUids[key] = uid;
    const t = tuning[key];
    if (!t.enabled) {
      continue;
    }
    validateTuning(key, t);
    if (PROMETHEUS_RULES.includes(key) && !promUid) {
      warnings.push(`rule ${key} left out: no Prometheus datasource UID given`);
      continue;
    }
    const text = ruleText(key, t, ctx);
    rules.push({
      uid,
      title: `${text.title}${scopeSuffix}`,
      folderUID: folderUid,
      ruleGroup: groupName,
      condition: 'C',
      data: [sourceQuery(key, t, ctx, lokiUid, promUid), ...expressionQueries(t, key)],
      // No drift lines in the window is the normal, healthy case; the exporter rule alerts on absence.
      noDataState: key === 'exporter_down' ? 'Alerting' : 'OK',
      execErrState: 'Error',
      for: t.for,
      labels: { team, severity: t.severity, [RULE_KEY_LABEL]: key, [RULE_JOB_LABEL]: jobLabel },
      annotations: {
        summary: text.summary,
        description: text.description,
        runbook_url: `${runbookBase}#runbook-${key.replace(/_/g, '-')}`,
        drift_view_url: linkFor(text, base, t),
      },
      isPaused: false,
    });
  }
  if (ctx.productionAccounts.length === 0 && tuning.unmanaged_production.enabled) {
    warnings.push('no production accounts configured: the unmanaged-resource rule watches every account');
  }

  const muteTimingName = jobLabel === DEFAULT_JOB ? 'tfdrift-maintenance' : `tfdrift-maintenance-${jobLabel}`;
  const muteTiming = buildMuteTiming(muteTimingName, options.maintenanceWindows ?? []);
  const route: Route = {
    object_matchers: [[RULE_JOB_LABEL, '=', jobLabel]],
    group_by: ['grafana_folder', 'alertname', 'account_id'],
    continue: false,
    mute_time_intervals: muteTiming ? [muteTiming.name] : [],
  };
  const contactPoint = options.contactPoint?.trim();
  if (contactPoint) {
    route.receiver = contactPoint;
  }
  return {
    folder: { uid: folderUid, title: options.folderTitle?.trim() || DEFAULT_FOLDER_TITLE },
    group: { title: groupName, folderUid, interval: durationSeconds(options.evaluationInterval ?? '1m'), rules },
    muteTiming,
    muteTimingName,
    route,
    allRuleUids,
    tuning,
    warnings,
  };
}

function validateTuning(key: RuleKey, t: RuleTuning): void {
  if (!Number.isFinite(t.threshold) || t.threshold < 0) {
    throw new Error(`rule ${key}: threshold must be a number ≥ 0`);
  }
  for (const [name, value] of [['window', t.window], ['for', t.for]] as const) {
    try {
      durationSeconds(value);
    } catch (err) {
      throw new Error(`rule ${key}: ${name}: ${(err as Error).message}`);
    }
  }
}
