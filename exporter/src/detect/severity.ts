import type { Severity } from '../model/drift.js';
import type { AuditEvent } from '../model/event.js';
import type { SeverityRule } from './config.js';
import type { DriftDraft } from './detector.js';
import { globMatcher } from './glob.js';

/**
 * Built-in rules, first match wins. Public exposure, audit logging and identity changes are
 * what attackers and hurried humans do first, so they are critical.
 */
export const DEFAULT_SEVERITY_RULES: SeverityRule[] = [
  { name: 'public-network-exposure', severity: 'critical', description: 'a rule now admits the whole internet (0.0.0.0/0, ::/0, any /0, Azure "Internet")', match: {}, value: { is: ['public_cidr'] } },
  { name: 'public-principal', severity: 'critical', description: 'a policy now grants to everyone (Principal "*", allUsers, allAuthenticatedUsers)', match: {}, value: { is: ['wildcard_principal'] } },
  { name: 'public-acl', severity: 'critical', description: 'a public ACL (public-read, AllUsers)', match: {}, value: { is: ['public_acl'] } },
  { name: 'tags-only', severity: 'low', description: 'only tags or labels changed', match: { only_attributes: ['tags', 'tags_all', 'labels', 'tags.*'] } },
  { name: 'audit-logging', severity: 'critical', description: 'audit logging changed or deleted', match: { resource_type: ['aws_cloudtrail*', 'aws_config_*', 'aws_guardduty_*', 'google_logging_*', 'azurerm_monitor_diagnostic_setting*', 'azurerm_monitor_log_profile'], change_type: ['modified', 'missing'] } },
  { name: 'identity-changed', severity: 'critical', description: 'IAM roles, users, policies or bindings changed or deleted', match: { resource_type: ['aws_iam_*', 'google_*iam*', 'google_service_account*', 'google_project_iam_*', 'azurerm_role_*', 'azurerm_user_assigned_identity'], change_type: ['modified', 'missing'] } },
  { name: 'identity-unmanaged', severity: 'high', description: 'IAM principals or policies created outside Terraform', match: { resource_type: ['aws_iam_*', 'google_*iam*', 'google_service_account*', 'azurerm_role_*'], change_type: ['unmanaged'] } },
  { name: 'network-security', severity: 'high', description: 'firewalls, security groups, network ACLs', match: { resource_type: ['*security_group*', '*firewall*', '*network_acl*', 'azurerm_network_security_*'] } },
  { name: 'keys-and-secrets', severity: 'high', description: 'KMS keys, key vaults, secrets', match: { resource_type: ['aws_kms_*', 'google_kms_*', 'azurerm_key_vault*', 'aws_secretsmanager_*'] } },
  { name: 'data-protection', severity: 'high', description: 'encryption, versioning, public access blocks, bucket policies', match: { attribute: ['*encryption*', '*versioning*', 'policy', '*public_access*', 'block_public_*'] } },
  { name: 'deleted', severity: 'high', description: 'a managed resource was deleted', match: { change_type: ['missing'] } },
  { name: 'unmanaged', severity: 'medium', description: 'anything else created outside Terraform', match: { change_type: ['unmanaged'] } },
  { name: 'default', severity: 'medium', description: 'everything else', match: {} },
];

function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      out.push(k);
      strings(x, out);
    }
  return out;
}

const PREDICATES: Record<string, (actual: unknown) => boolean> = {
  public_cidr: (a) =>
    strings(a).some((s) => /(^|[\s"'])(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F]*:[0-9a-fA-F:]*)\/0\b/.test(s) || /^Internet$|\bfrom Internet$/.test(s)),
  wildcard_principal: (a) => {
    const text = JSON.stringify(a ?? null);
    return /"Principal":"\*"|"Principal":\{"AWS":\["\*"\]\}|"AWS":"\*"|allUsers|allAuthenticatedUsers/.test(text);
  },
  public_acl: (a) => strings(a).some((s) => /^(public-read|public-read-write|authenticated-read)$|acs\.amazonaws\.com\/groups\/global\/AllUsers|^allUsers$/.test(s)),
};

/** What a change brought in: for lists the new items only (a revoke must not inherit an old open rule). */
function introduced(c: DriftDraft['changes'][number]): unknown {
  if (Array.isArray(c.actual) && Array.isArray(c.expected)) {
    const before = new Set(c.expected.map((x) => JSON.stringify(x)));
    return c.actual.filter((x) => !before.has(JSON.stringify(x)));
  }
  return c.actual;
}

type CompiledRule = { rule: SeverityRule; test: (d: DriftDraft, e: AuditEvent) => boolean };

/** Turns a rule into one predicate, its glob lists into one regex each (rules run on every drift). */
function compileRule(rule: SeverityRule): CompiledRule {
  const m = rule.match;
  const providers = m.provider ? new Set<string>(m.provider) : null;
  const changeTypes = m.change_type ? new Set<string>(m.change_type) : null;
  const type = globMatcher(m.resource_type);
  const eventName = globMatcher(m.event_name);
  const account = globMatcher(m.account_id);
  const principal = m.principal ? globMatcher(m.principal) : null;
  const attribute = m.attribute ? globMatcher(m.attribute) : null;
  const only = m.only_attributes ? globMatcher(m.only_attributes) : null;
  const value = rule.value;
  const test = (d: DriftDraft, e: AuditEvent): boolean => {
    if (providers && !providers.has(e.provider)) return false;
    if (changeTypes && !changeTypes.has(d.changeType)) return false;
    if (!type(d.resourceType) || !eventName(e.eventName) || !account(e.accountId)) return false;
    if (principal && !(principal(e.principal.name) || principal(e.principal.arn) || principal(e.principal.originalUser))) return false;
    if (attribute && !d.changes.some((c) => attribute(c.attribute))) return false;
    if (only && (d.changes.length === 0 || !d.changes.every((c) => only(c.attribute)))) return false;
    if (value) {
      const actuals = d.changes.map(introduced);
      if (value.is && !value.is.every((p) => actuals.some((a) => PREDICATES[p](a)))) return false;
      if (value.contains !== undefined && !actuals.some((a) => JSON.stringify(a ?? null).includes(value.contains!))) return false;
    }
    return true;
  };
  return { rule, test };
}

const compiledSets = new WeakMap<readonly SeverityRule[], CompiledRule[]>();

/** First matching rule wins: configured rules, then (unless disabled) the defaults. */
export function classifySeverity(d: DriftDraft, e: AuditEvent, rules: readonly SeverityRule[]): { severity: Severity; rule: string } {
  let compiled = compiledSets.get(rules);
  if (!compiled) {
    compiled = rules.map(compileRule);
    compiledSets.set(rules, compiled);
  }
  for (const c of compiled) if (c.test(d, e)) return { severity: c.rule.severity, rule: c.rule.name };
  return { severity: 'medium', rule: 'fallback' };
}

/** Back-compat helper: defaults only. */
export function defaultSeverity(d: DriftDraft, e?: AuditEvent): Severity {
  const event = e ?? ({ provider: 'aws', eventName: '', accountId: null, principal: { name: null, arn: null, originalUser: null } } as unknown as AuditEvent);
  return classifySeverity(d, event, DEFAULT_SEVERITY_RULES).severity;
}
