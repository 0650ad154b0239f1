/**
 * `tfdrift alerts apply|diff|delete`: TFDrift's Grafana-managed alert rules through Grafana's
 * alerting provisioning HTTP API (@tfdrift/alert-rules, the same module the plugin page uses).
 * Human-readable output goes to stderr; stdout carries only the `--json` result.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import {
  ApplyFailedError,
  applyPlan,
  buildAlerting,
  deleteAlerting,
  formatAppliedState,
  formatChanges,
  formatPreflight,
  GrafanaApiError,
  GrafanaClient,
  isPresetName,
  isRuleKey,
  planAlerting,
  PreflightError,
  summarizeChanges,
  type AlertRulesOptions,
  type BuiltAlerting,
  type Change,
  type MaintenanceWindow,
  type RuleKey,
  type RuleTuning,
} from '@tfdrift/alert-rules';
import { CliError, EXIT, fsErrorParts } from '../exit.js';

export interface AlertsIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

const processIo: AlertsIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
};

interface AlertsFlags {
  grafanaUrl?: string;
  token?: string;
  orgId?: string;
  preset?: string;
  datasourceUid?: string;
  prometheusDatasourceUid?: string;
  prometheus?: boolean;
  jobLabel?: string;
  folderUid?: string;
  ruleGroup?: string;
  contactPoint?: string;
  team?: string;
  productionAccount?: string[];
  config?: string;
  dryRun?: boolean;
  json?: boolean;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/**
 * Settings from a YAML/JSON file: an `alerts:` section (snake_case, as in the exporter config)
 * and the exporter's Loki job label (`outputs.loki.labels.job`) when the file is an exporter config.
 */
async function fromConfigFile(file: string): Promise<Partial<AlertRulesOptions>> {
  let doc: unknown;
  try {
    doc = parseYaml(await readFile(file, 'utf8'));
  } catch (err) {
    // The YAML message's first line only: the lines after it quote the file, which may hold a token.
    const yamlProblem = (err as Error).message.split('\n')[0].replace(/:$/, '');
    throw new CliError((err as NodeJS.ErrnoException).syscall ? fsErrorParts(err, file) : { where: file, what: `invalid YAML: ${yamlProblem}` }, EXIT.badInput);
  }
  const root = isObj(doc) ? doc : {};
  const a = isObj(root.alerts) ? root.alerts : {};
  const loki = isObj(root.outputs) && isObj(root.outputs.loki) ? root.outputs.loki : {};
  const out: Partial<AlertRulesOptions> = {
    jobLabel: str(a.job_label) ?? (isObj(loki.labels) ? str(loki.labels.job) : undefined),
    lokiDatasourceUid: str(a.loki_datasource_uid),
    prometheusDatasourceUid: str(a.prometheus_datasource_uid),
    folderUid: str(a.folder_uid),
    ruleGroup: str(a.rule_group),
    contactPoint: str(a.contact_point),
    team: str(a.team),
    grafanaUrl: str(a.grafana_url),
    runbookUrl: str(a.runbook_url),
  };
  if (a.preset !== undefined) {
    if (!isPresetName(a.preset)) throw new CliError({ where: `${file}: alerts.preset`, what: `expected small or large, got ${JSON.stringify(a.preset)}` }, EXIT.badInput);
    out.preset = a.preset;
  }
  if (Array.isArray(a.production_accounts)) out.productionAccounts = a.production_accounts.map(String);
  if (isObj(a.thresholds)) {
    const tuning: Partial<Record<RuleKey, Partial<RuleTuning>>> = {};
    for (const [key, value] of Object.entries(a.thresholds)) {
      if (!isRuleKey(key) || !isObj(value)) throw new CliError({ where: `${file}: alerts.thresholds.${key}`, what: 'not a known rule' }, EXIT.badInput);
      tuning[key] = {
        enabled: typeof value.enabled === 'boolean' ? value.enabled : undefined,
        threshold: typeof value.threshold === 'number' ? value.threshold : undefined,
        window: str(value.window),
        for: str(value.for),
      };
    }
    out.tuning = tuning;
  }
  if (Array.isArray(a.maintenance_windows)) {
    out.maintenanceWindows = a.maintenance_windows.map((w, i): MaintenanceWindow => {
      if (!isObj(w)) throw new CliError({ where: `${file}: alerts.maintenance_windows[${i}]`, what: 'expected a mapping' }, EXIT.badInput);
      const location = str(w.location) ?? 'UTC';
      if (w.weekdays !== undefined) {
        return { kind: 'weekly', weekdays: (w.weekdays as string[]).map((d) => String(d).toLowerCase()) as never, startTime: String(w.start_time ?? ''), endTime: String(w.end_time ?? ''), location };
      }
      return { kind: 'once', start: String(w.start ?? ''), end: String(w.end ?? ''), location };
    });
  }
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

async function resolveOptions(flags: AlertsFlags, io: AlertsIo): Promise<{ options: AlertRulesOptions; grafanaUrl: string; token?: string }> {
  const file = flags.config ? await fromConfigFile(flags.config) : {};
  const grafanaUrl = str(flags.grafanaUrl) ?? str(io.env.GRAFANA_URL) ?? file.grafanaUrl;
  if (!grafanaUrl) throw new CliError({ where: '--grafana-url', what: 'required', hint: 'or set GRAFANA_URL' }, EXIT.badInput);
  if (!/^https?:\/\//.test(grafanaUrl)) throw new CliError({ where: '--grafana-url', what: `expected an http:// or https:// URL, got "${grafanaUrl}"` }, EXIT.badInput);
  const preset = flags.preset ?? file.preset ?? 'small';
  if (!isPresetName(preset)) throw new CliError({ where: '--preset', what: `expected small or large, got "${preset}"` }, EXIT.badInput);
  const options: AlertRulesOptions = {
    ...file,
    preset,
    lokiDatasourceUid: flags.datasourceUid ?? file.lokiDatasourceUid ?? 'loki',
    prometheusDatasourceUid: flags.prometheus === false ? undefined : (flags.prometheusDatasourceUid ?? file.prometheusDatasourceUid ?? 'prometheus'),
    jobLabel: flags.jobLabel ?? file.jobLabel,
    folderUid: flags.folderUid ?? file.folderUid,
    ruleGroup: flags.ruleGroup ?? file.ruleGroup,
    contactPoint: flags.contactPoint ?? file.contactPoint,
    team: flags.team ?? file.team,
    productionAccounts: flags.productionAccount?.length ? flags.productionAccount : file.productionAccounts,
    // Links in notifications must be absolute: Grafana's URL is the best guess.
    grafanaUrl: file.grafanaUrl ?? grafanaUrl.replace(/\/+$/, ''),
  };
  return { options, grafanaUrl, token: str(flags.token) ?? str(io.env.GRAFANA_TOKEN) };
}

function build(options: AlertRulesOptions): BuiltAlerting {
  try {
    return buildAlerting(options);
  } catch (err) {
    throw new CliError({ where: 'alert settings', what: (err as Error).message }, EXIT.badInput);
  }
}

function changeJson(c: Change): Obj {
  return { kind: c.kind, action: c.action, id: c.id, title: c.title, fields: c.fields };
}

function report(io: AlertsIo, flags: AlertsFlags, command: string, url: string, built: BuiltAlerting, changes: Change[], written: boolean): void {
  for (const w of built.warnings) io.stderr(`warning: ${w}\n`);
  const text = formatChanges(changes);
  io.stderr(`${command} against ${url}${written ? '' : ' (dry run: nothing written)'}\n${text ? `${text}\n` : 'no changes\n'}${summarizeChanges(changes)}\n`);
  if (flags.json) {
    io.stdout(`${JSON.stringify({ command, grafana_url: url, dry_run: !written, changes: changes.map(changeJson), warnings: built.warnings })}\n`);
  }
}

async function run(command: 'apply' | 'diff' | 'delete', flags: AlertsFlags, io: AlertsIo): Promise<void> {
  const { options, grafanaUrl, token } = await resolveOptions(flags, io);
  const orgId = flags.orgId !== undefined ? Number(flags.orgId) : undefined;
  if (orgId !== undefined && !Number.isInteger(orgId)) throw new CliError({ where: '--org-id', what: `expected an integer, got "${flags.orgId}"` }, EXIT.badInput);
  const client = new GrafanaClient({ baseUrl: grafanaUrl, token, orgId });
  const built = build(options);
  const dryRun = command === 'diff' || flags.dryRun === true;
  try {
    if (command === 'delete') {
      const changes = await deleteAlerting(client, built, { dryRun });
      report(io, flags, command, grafanaUrl, built, changes, !dryRun);
      return;
    }
    const plan = await planAlerting(client, built);
    for (const c of plan.conflicts) {
      io.stderr(`conflict: rule "${c.title}" (${c.uid}) has provenance "${c.provenance}" and cannot be changed through the API\n`);
    }
    if (!dryRun) {
      await applyPlan(client, plan);
    }
    report(io, flags, command, grafanaUrl, built, plan.changes, !dryRun);
  } catch (err) {
    if (err instanceof GrafanaApiError) {
      reportFailure(io, flags, command, grafanaUrl, err);
      throw new CliError(err.message, EXIT.badInput);
    }
    throw err;
  }
}

/**
 * A preflight failure lists every check (nothing was written); a write failing midway lists
 * what Grafana holds after it, read again, resource by resource.
 */
function reportFailure(io: AlertsIo, flags: AlertsFlags, command: string, url: string, err: GrafanaApiError): void {
  if (err instanceof PreflightError) {
    io.stderr(`${command} against ${url}: preflight failed, nothing written\n${formatPreflight(err.checks)}\n`);
    if (flags.json) {
      io.stdout(`${JSON.stringify({ command, grafana_url: url, error: err.message, written: [], preflight: err.checks })}\n`);
    }
    return;
  }
  if (err instanceof ApplyFailedError) {
    const state = err.state ? `Grafana now (read again after the failure):\n${formatAppliedState(err.state)}\n` : `Grafana could not be read again: ${err.reReadError?.message}\n`;
    io.stderr(`${command} against ${url}: stopped at ${err.failed.map((c) => `${c.kind} ${c.title}`).join(', ')}\n${state}`);
    if (flags.json) {
      io.stdout(
        `${JSON.stringify({
          command, grafana_url: url, error: err.message,
          written: err.written.map(changeJson), failed: err.failed.map(changeJson),
          state: err.state ? err.state.changes.map((c) => ({ ...changeJson(c), applied: c.action === 'unchanged' })) : null,
        })}\n`,
      );
    }
  }
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

export function registerAlertsCommand(program: import('commander').Command, io: AlertsIo = processIo): void {
  const alerts = program.command('alerts').description("TFDrift's Grafana-managed alert rules, through Grafana's provisioning HTTP API");
  const common = (cmd: Command): Command =>
    cmd
      .option('--grafana-url <url>', 'Grafana base URL (or GRAFANA_URL)')
      .option('--token <token>', 'service-account token (or GRAFANA_TOKEN)')
      .option('--org-id <id>', 'Grafana organisation ID')
      .option('--preset <name>', 'small | large (default: small)')
      .option('--datasource-uid <uid>', 'Loki datasource UID (default: loki)')
      .option('--prometheus-datasource-uid <uid>', 'Prometheus datasource UID (default: prometheus)')
      .option('--no-prometheus', 'leave out the Prometheus rules (exporter down, state stale)')
      .option('--job-label <job>', 'Loki job label / Prometheus job of the exporter (default: tfdrift)')
      .option('--folder-uid <uid>', 'folder for the rules (default: tfdrift)')
      .option('--rule-group <name>', 'rule group name (default: tfdrift)')
      .option('--contact-point <name>', 'existing contact point for these alerts (default: the policy tree default)')
      .option('--team <team>', 'value of the team label (default: platform)')
      .option('--production-account <id>', 'production account/project/subscription ID (repeatable, or comma-separated)', collect)
      .option('--config <file>', 'YAML file with an `alerts:` section (thresholds, maintenance_windows, ...)')
      .option('--json', 'machine-readable result on stdout');
  common(alerts.command('apply').description('create or update the rules, mute timing and policy route (idempotent)'))
    .option('--dry-run', 'show what would change, write nothing')
    .action((flags: AlertsFlags) => run('apply', flags, io));
  common(alerts.command('diff').description('show what apply would change')).action((flags: AlertsFlags) => run('diff', flags, io));
  common(alerts.command('delete').description("remove TFDrift's rules, mute timing and policy route (the folder stays)"))
    .option('--dry-run', 'show what would be removed, write nothing')
    .action((flags: AlertsFlags) => run('delete', flags, io));
}
