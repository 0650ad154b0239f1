import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { MAPPINGS_DIR, loadMappingTables } from '../providers/mapping/load.js';
import type { ServiceTable } from '../providers/mapping/schema.js';
import { AWS_FALCO_OUTPUT_FIELDS } from '../providers/aws/falco-fields.js';

/**
 * Falco rules from the mapping tables: Falco sends only the fields a rule's `output` names,
 * so each rule names every field the exporter reads, and only mapped write events match.
 */

export interface GeneratedFile {
  name: string;
  content: string;
}

interface PluginTarget {
  provider: string;
  /** Falco plugin event source. */
  source: string;
  plugin: { name: string; version: string };
  fields: readonly string[];
  /** A condition selecting this service's mapped write events. */
  condition(table: ServiceTable, listName: string): string;
  /** Entries of the Falco list for this service. */
  items(table: ServiceTable): string[];
  /** Macro every rule adds (read-only / failed calls excluded), or null. */
  baseMacro: { name: string; condition: string } | null;
  label: string;
}

/** Services whose changes are security controls: Falco priority WARNING, others NOTICE. */
const SECURITY_SERVICES = new Set([
  'iam', 'sts', 'kms', 'cloudtrail', 'organizations', 'guardduty', 'securityhub', 'config', 'access-analyzer', 'accessanalyzer',
  'sso', 'identitystore', 'secretsmanager', 'cloudkms', 'iap', 'admin', 'clientauthconfig', 'logging', 'orgpolicy',
  'cloudresourcemanager', 'securitycenter', 'apikeys', 'billing',
]);

/** The gcpaudit plugin fields the exporter reads (DESIGN.md); the GCP adapter's list must be a subset. */
export const GCP_RULE_OUTPUT_FIELDS = [
  'gcp.time', 'gcp.user', 'gcp.callerIP', 'gcp.userAgent', 'gcp.serviceName', 'gcp.methodName',
  'gcp.resourceName', 'gcp.resourceType', 'gcp.resourceLabels', 'gcp.projectId', 'gcp.location',
  'gcp.request', 'gcp.policyDelta', 'gcp.authorizationInfo',
] as const;

const quote = (s: string): string => JSON.stringify(s);

/** Falco list items: bare words where Falco's tokenizer allows, quoted otherwise. */
function listItem(s: string): string {
  return /^[A-Za-z0-9_.:/-]+$/.test(s) ? s : quote(s);
}

/**
 * GCP method names carry API versions (`v1.compute.firewalls.insert`,
 * `google.container.v1.ClusterManager.CreateCluster`) that the tables leave out. The version
 * sits before the first capitalised token (google.* RPC names) or before everything (REST
 * names), so matching the suffix from there covers every version.
 */
export function gcpMethodSuffix(key: string): string {
  const tokens = key.split('.');
  const firstUpper = tokens.findIndex((t) => /^[A-Z]/.test(t));
  return firstUpper > 0 ? `.${tokens.slice(firstUpper).join('.')}` : key;
}

/**
 * The oldest plugin versions that extract every field the rules' outputs name: cloudtrail
 * 0.16.0 added ct.originaluser, gcpaudit 0.6.0 added gcp.time (recorded in
 * provisioning/falco/keys/falco-keys.json and checked by test/falco/keys.test.ts).
 */
export const PLUGIN_REQUIREMENTS = [
  { name: 'cloudtrail', version: '0.16.0' },
  { name: 'gcpaudit', version: '0.6.0' },
] as const;
const required = (name: string): { name: string; version: string } => ({ ...PLUGIN_REQUIREMENTS.find((p) => p.name === name)! });

const TARGETS: Record<string, PluginTarget> = {
  aws: {
    provider: 'aws',
    source: 'aws_cloudtrail',
    plugin: required('cloudtrail'),
    fields: AWS_FALCO_OUTPUT_FIELDS,
    label: 'AWS',
    baseMacro: { name: 'tfdrift_aws_successful_write', condition: 'ct.readonly=false and not ct.error exists' },
    items: (t) => Object.keys(t.events).sort(),
    condition: (t, list) => `ct.src=${quote(t.event_source)} and ct.name in (${list}) and tfdrift_aws_successful_write`,
  },
  gcp: {
    provider: 'gcp',
    source: 'gcp_auditlog',
    plugin: required('gcpaudit'),
    fields: GCP_RULE_OUTPUT_FIELDS,
    label: 'GCP',
    baseMacro: null,
    items: (t) => [...new Set(Object.keys(t.events).map(gcpMethodSuffix))].sort(),
    condition: (t, _list) => `gcp.serviceName=${quote(t.event_source)} and tfdrift_gcp_${slug(t.service)}_methods`,
  },
};

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
}

function outputFor(target: PluginTarget): string {
  const head = target.provider === 'aws' ? 'AWS write %ct.name on %ct.src by %ct.user' : 'GCP write %gcp.methodName on %gcp.serviceName by %gcp.user';
  return `Terraform drift candidate: ${head} | ${target.fields.map((f) => `${f}=%${f}`).join(' ')}`;
}

/** The rules file for one provider, or null when its tables map no events. */
export function generateProviderRules(provider: string, tables: ServiceTable[]): GeneratedFile | null {
  const target = TARGETS[provider];
  if (!target) return null;
  const services = tables.filter((t) => Object.keys(t.events).length > 0).sort((a, b) => a.service.localeCompare(b.service));
  if (services.length === 0) return null;
  const doc: Record<string, unknown>[] = [{ required_plugin_versions: [target.plugin] }];
  if (target.baseMacro) doc.push({ macro: target.baseMacro.name, condition: target.baseMacro.condition });
  for (const t of services) {
    const name = `tfdrift_${provider}_${slug(t.service)}`;
    const items = target.items(t);
    if (provider === 'gcp') {
      doc.push({
        macro: `${name}_methods`,
        condition: `(${items.map((s) => `gcp.methodName endswith ${quote(s)}`).join(' or ')})`,
      });
    } else {
      doc.push({ list: `${name}_write_events`, items: items.map(listItem) });
    }
    const events = Object.keys(t.events).length;
    doc.push({
      rule: `Terraform drift: ${target.label} ${t.service} write`,
      desc: `A successful write to ${t.event_source} that TFDrift's mapping tables tie to Terraform resources (${events} events). Generated by "tfdrift rules generate"; do not edit.`,
      condition: target.condition(t, `${name}_write_events`),
      output: outputFor(target),
      priority: SECURITY_SERVICES.has(t.service.toLowerCase()) ? 'WARNING' : 'NOTICE',
      source: target.source,
      tags: ['cloud', provider, `${provider}_${slug(t.service)}`, 'terraform_drift', 'tfdrift'],
    });
  }
  const header =
    `# Falco rules for TFDrift: ${target.source} (${target.plugin.name} plugin).\n` +
    `# GENERATED by \`tfdrift rules generate\` from exporter/mappings/${provider}/*.yaml — do not edit;\n` +
    `# change the mapping tables and regenerate. ${services.length} rules, ${services.reduce((n, t) => n + Object.keys(t.events).length, 0)} write events.\n` +
    `# Each rule's output names every field the exporter reads (${target.fields.length} fields).\n\n`;
  const body = YAML.stringify(doc, { lineWidth: 0, indent: 2, indentSeq: true }).replace(/\n- (required_plugin_versions|macro|list|rule):/g, '\n\n- $1:');
  return { name: `tfdrift_${target.source}_rules.yaml`, content: header + body };
}

/** Every provider directory under the mappings (Azure has no Falco plugin, so none there). */
export function generateRules(mappingsDir = MAPPINGS_DIR): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  if (!existsSync(mappingsDir)) return files;
  for (const provider of readdirSync(mappingsDir).sort()) {
    const dir = path.join(mappingsDir, provider);
    if (!statSync(dir).isDirectory() || !TARGETS[provider]) continue;
    if (!readdirSync(dir).some((f) => f.endsWith('.yaml'))) continue;
    const file = generateProviderRules(provider, loadMappingTables(provider, dir).services);
    if (file) files.push(file);
  }
  return files;
}
