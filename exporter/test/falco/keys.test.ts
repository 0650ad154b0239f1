/**
 * The Falco configurations we ship use only keys Falco and its plugins read: checked against
 * provisioning/falco/keys/falco-keys.json, recorded from Falco 0.44.1 / 0.43.0 and the plugins'
 * sources (scripts/record-falco-keys.ts). A misspelt key is silently ignored by Falco
 * (`maxout_stand_messages`), so nothing else would catch it.
 */
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { PLUGIN_REQUIREMENTS } from '../../src/rules/generate.js';
import { parseConfig } from '../../src/config/load.js';
import { listFiles, readText, readYaml, type Doc } from '../stack/stack.js';

interface KeyList {
  falco: Record<string, string[]>;
  plugins: Record<string, { version: string; init_config: string[]; fields: string[] }>;
}
const KEYS = JSON.parse(readText('provisioning/falco/keys/falco-keys.json')) as KeyList;

/** Dotted paths of a YAML document, `[]` for list items; init_config is left to the plugin check. */
function paths(node: unknown, prefix = ''): string[] {
  if (Array.isArray(node)) return node.flatMap((item) => paths(item, `${prefix}[]`));
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([k, v]) => {
    const p = prefix ? `${prefix}.${k}` : k;
    if (p === 'plugins[].init_config' || p === 'static_fields') return [p];
    return [p, ...paths(v, p)];
  });
}
const semver = (v: string): number[] => v.split('.').map(Number);
const atLeast = (v: string, min: string): boolean => {
  const [a, b] = [semver(v), semver(min)];
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
};

/** Everything wrong with one Falco configuration: unknown keys, unknown init_config keys, rules for plugins it does not load. */
export function falcoConfigProblems(doc: Doc, falcoVersion: string): string[] {
  const known = new Set(KEYS.falco[falcoVersion]);
  const problems = paths(doc).filter((p) => !known.has(p)).map((p) => `${p}: not a Falco ${falcoVersion} key`);
  const loaded: string[] = doc.load_plugins ?? [];
  for (const plugin of (doc.plugins ?? []) as Doc[]) {
    const recorded = KEYS.plugins[plugin.name];
    if (!recorded) {
      problems.push(`plugins.${plugin.name}: no recorded key list`);
      continue;
    }
    const init = typeof plugin.init_config === 'string' ? JSON.parse(plugin.init_config) : (plugin.init_config ?? {});
    for (const p of paths(init)) if (!recorded.init_config.some((k) => k === p || k.startsWith(`${p}.`))) problems.push(`plugins.${plugin.name}.init_config.${p}: not a key of ${plugin.name} ${recorded.version}`);
  }
  for (const name of loaded) if (!(doc.plugins ?? []).some((p: Doc) => p.name === name)) problems.push(`load_plugins: ${name} has no plugins entry`);
  for (const file of (doc.rules_files ?? []) as string[]) {
    const local = file.replace('/etc/falco/rules.d', 'rules');
    const rules = YAML.parse(readText(local)) as Doc[];
    for (const req of rules.flatMap((r) => r.required_plugin_versions ?? []))
      if (!loaded.includes(req.name)) problems.push(`rules_files: ${file} requires plugin ${req.name}, which load_plugins does not load (Falco exits)`);
  }
  return problems;
}

const FALCO_CONFIGS = listFiles('provisioning/falco').filter((f) => /\/falco[\w.-]*\.yaml$/.test(f));

describe('Falco configurations in provisioning/falco', () => {
  it('are there per cloud: AWS only, GCP only, both, and gRPC for 0.43', () => {
    expect(FALCO_CONFIGS.map((f) => f.split('/').pop()).sort()).toEqual(['falco-aws.yaml', 'falco-gcp.yaml', 'falco-grpc-0.43.yaml', 'falco.yaml']);
  });

  for (const file of FALCO_CONFIGS) {
    it(`${file} uses only keys Falco and its plugins read, and rules only for the plugins it loads`, () => {
      const version = file.includes('0.43') ? '0.43.0' : '0.44.1';
      expect(falcoConfigProblems(readYaml(file), version)).toEqual([]);
    });
  }

  it('the check catches what Falco would silently ignore or die on', () => {
    const broken = YAML.parse(`
load_plugins: [cloudtrail]
rules_files: [/etc/falco/rules.d/tfdrift_gcp_auditlog_rules.yaml]
plugins:
  - { name: cloudtrail, library_path: libcloudtrail.so, init_config: { sqsDelete: true } }
  - name: gcpaudit
    library_path: libgcpaudit.so
    init_config: { project_id: p, sub_id: s, maxout_stand_messages: 1000 }
http_output: { enabled: true, url: "http://x", compress_upload: true }
`);
    expect(falcoConfigProblems(broken, '0.44.1')).toEqual([
      'http_output.compress_upload: not a Falco 0.44.1 key',
      'plugins.gcpaudit.init_config.sub_id: not a key of gcpaudit 0.6.0',
      'plugins.gcpaudit.init_config.maxout_stand_messages: not a key of gcpaudit 0.6.0',
      'rules_files: /etc/falco/rules.d/tfdrift_gcp_auditlog_rules.yaml requires plugin gcpaudit, which load_plugins does not load (Falco exits)',
    ]);
  });

  it('exporter-grpc.yaml is a valid exporter config fragment', () => {
    expect(() => parseConfig(readYaml('provisioning/falco/exporter-grpc.yaml'))).not.toThrow();
  });
});

describe('Helm values for the falcosecurity/falco chart (deploy/helm/falco-values.yaml)', () => {
  const values = readYaml('deploy/helm/falco-values.yaml');
  const text = readText('deploy/helm/falco-values.yaml');

  it('merge into falco.yaml with Falco 0.44.1 keys only, and rules only for the loaded plugins', () => {
    expect(falcoConfigProblems(values.falco, '0.44.1')).toEqual([]);
    expect(values.falco.engine.kind).toBe('nodriver');
    expect(values.driver.enabled).toBe(false);
    expect(values.falco.json_include_output_fields_property).toBe(true);
  });

  it('install every loaded plugin with falcoctl and pass every variable the config reads', () => {
    const refs: string[] = values.falcoctl.config.artifact.install.refs;
    for (const name of values.falco.load_plugins) expect(refs.map((r) => r.split(':')[0])).toContain(name);
    const env = (values.extra.env as Doc[]).map((e) => e.name);
    const used = [...JSON.stringify(values.falco).matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => m[1]);
    expect(used).toContain('TFDRIFT_SERVER_TOKEN');
    for (const name of used) expect(env, name).toContain(name);
  });

  it('tell the operator to mount exactly the rules files it names (customRules → /etc/falco/rules.d)', () => {
    const mounted = [...text.matchAll(/customRules\.([\w\\.]+)=(rules\/[\w.]+)/g)].map((m) => [m[1].replace(/\\\./g, '.'), m[2]]);
    expect(mounted.length).toBeGreaterThan(0);
    for (const [name, file] of mounted) expect(`rules/${name}`).toBe(file);
    expect(values.falco.rules_files).toEqual(mounted.map(([name]) => `/etc/falco/rules.d/${name}`));
  });
});

describe('generated rules', () => {
  const files = listFiles('rules').filter((f) => f.endsWith('.yaml'));

  it('require the plugin versions that extract every field their outputs name', () => {
    expect(files.length).toBe(2);
    for (const file of files) {
      const rules = YAML.parse(readText(file)) as Doc[];
      const [req] = rules.flatMap((r) => r.required_plugin_versions ?? []);
      const min = PLUGIN_REQUIREMENTS.find((p) => p.name === req.name);
      expect(req.version, file).toBe(min?.version);
      const recorded = KEYS.plugins[req.name];
      expect(recorded.version).toBe(req.version);
      const used = new Set(rules.flatMap((r) => [...String(r.output ?? '').matchAll(/%([a-zA-Z]+\.[\w.]+)/g)].map((m) => m[1])));
      expect(used.size).toBeGreaterThan(10);
      expect([...used].filter((f) => !recorded.fields.includes(f)), `${file}: fields ${req.name} ${req.version} does not extract`).toEqual([]);
    }
  });

  it('cloudtrail ≥ 0.16.0 (ct.originaluser) and gcpaudit ≥ 0.6.0 (gcp.time)', () => {
    expect(atLeast(PLUGIN_REQUIREMENTS.find((p) => p.name === 'cloudtrail')!.version, '0.16.0')).toBe(true);
    expect(KEYS.plugins.cloudtrail.fields).toContain('ct.originaluser');
    expect(KEYS.plugins.gcpaudit.fields).toContain('gcp.time');
  });
});
