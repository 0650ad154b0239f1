/**
 * Records the configuration keys Falco and its cloud plugins accept, from their source, into
 * provisioning/falco/keys/falco-keys.json (checked by test/falco/keys.test.ts).
 *
 *   git clone https://github.com/falcosecurity/falco && git clone https://github.com/falcosecurity/plugins
 *   node --import tsx scripts/record-falco-keys.ts ../falco ../plugins
 *
 * Falco's keys come from its config JSON schema (userspace/falco/config_json_schema.h at tags
 * 0.44.1 and 0.43.0, the schema Falco validates falco.yaml against, plus the keys
 * userspace/falco/configuration.cpp reads); each plugin's init_config keys from
 * the `json:"…"` tags of its PluginConfig structs, and its fields from the extractor table, at
 * the minimum version the generated rules require. Only names are recorded (Apache-2.0 sources).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLUGIN_REQUIREMENTS } from '../src/rules/generate.js';

const [falcoRepo, pluginsRepo] = process.argv.slice(2);
/** 0.44.1 for falco*.yaml; 0.43.0 for the gRPC config of the last Falco that has the gRPC output. */
const FALCO_TAGS = ['0.44.1', '0.43.0'];
const git = (repo: string, ...args: string[]): string => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
const show = (repo: string, ref: string, file: string): string => git(repo, 'show', `${ref}:${file}`);

type Schema = { $ref?: string; properties?: Record<string, Schema>; items?: Schema; oneOf?: Schema[]; anyOf?: Schema[] };

function falcoKeys(tag: string): string[] {
  const header = show(falcoRepo, tag, 'userspace/falco/config_json_schema.h');
  const body = header.slice(header.indexOf('LONG_STRING_CONST(\n') + 'LONG_STRING_CONST(\n'.length, header.lastIndexOf(')'));
  const doc = JSON.parse(body.slice(0, body.lastIndexOf('}') + 1)) as { definitions: Record<string, Schema> };
  const keys: string[] = [];
  const walk = (s: Schema, prefix: string, depth: number): void => {
    if (depth > 6) return;
    if (s.$ref) return walk(doc.definitions[s.$ref.split('/').pop()!], prefix, depth + 1);
    if (s.items) return walk(s.items, `${prefix}[]`, depth + 1);
    for (const alt of [...(s.oneOf ?? []), ...(s.anyOf ?? [])]) walk(alt, prefix, depth + 1);
    for (const [k, v] of Object.entries(s.properties ?? {})) {
      const p = prefix ? `${prefix}.${k}` : k;
      keys.push(p);
      walk(v, p, depth + 1);
    }
  };
  walk(doc.definitions.FalcoConfig, '', 0);
  // The schema does not list every key configuration.cpp reads (0.43's grpc.private_key, …): add those.
  const cpp = show(falcoRepo, tag, 'userspace/falco/configuration.cpp');
  for (const m of cpp.matchAll(/(?:get_scalar|get_sequence|get_node|is_defined)[^(]*\(\s*[^"]{0,40}"([\w.]+)"/g)) keys.push(m[1]);
  return [...new Set(keys)].sort();
}

function pluginAt(name: string, version: string): { commit: string; init_config: string[]; fields: string[] } {
  const tag = `plugins/${name}/v${version}`;
  const dir = `plugins/${name}/pkg/${name}`;
  const files = git(pluginsRepo, 'ls-tree', '--name-only', tag, `${dir}/`).split('\n').filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'));
  const init = new Set<string>();
  const fields = new Set<string>();
  for (const f of files) {
    const src = show(pluginsRepo, tag, f);
    // Init config: the fields of every struct named PluginConfig* (nested ones prefixed by their key).
    for (const m of src.matchAll(/type (PluginConfig\w*) struct \{([\s\S]*?)\n\}/g))
      for (const t of m[2].matchAll(/^\s*\w+\s+(\w+)\s+`json:"([^",]+)/gm)) init.add(`${m[1]}:${t[1]}:${t[2]}`);
    for (const m of src.matchAll(/Name:\s*"([a-zA-Z]+\.[\w.]+)"/g)) fields.add(m[1]);
  }
  // Flatten nested config structs: PluginConfig.aws (type PluginConfigAWS) → aws.profile.
  const entries = [...init].map((e) => e.split(':'));
  const keysOf = (struct: string, prefix: string): string[] =>
    entries.filter(([s]) => s === struct).flatMap(([, type, key]) => {
      const nested = entries.some(([s]) => s === type);
      return nested ? keysOf(type, `${prefix}${key}.`) : [`${prefix}${key}`];
    });
  return { commit: git(pluginsRepo, 'rev-parse', `${tag}^{commit}`).trim(), init_config: keysOf('PluginConfig', '').sort(), fields: [...fields].sort() };
}

const out = {
  source: {
    falco: {
      repository: 'https://github.com/falcosecurity/falco', files: ['userspace/falco/config_json_schema.h', 'userspace/falco/configuration.cpp'], license: 'Apache-2.0',
      commits: Object.fromEntries(FALCO_TAGS.map((t) => [t, git(falcoRepo, 'rev-parse', `${t}^{commit}`).trim()])),
    },
    plugins: { repository: 'https://github.com/falcosecurity/plugins', files: 'plugins/<name>/pkg/<name>/*.go at tag plugins/<name>/v<version>', license: 'Apache-2.0' },
    recorded_by: 'exporter/scripts/record-falco-keys.ts',
  },
  falco: Object.fromEntries(FALCO_TAGS.map((t) => [t, falcoKeys(t)])),
  plugins: Object.fromEntries(
    [...PLUGIN_REQUIREMENTS, { name: 'json', version: '0.7.3' }].map((p) => [p.name, { version: p.version, ...pluginAt(p.name, p.version) }]),
  ),
};
const target = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../provisioning/falco/keys/falco-keys.json');
writeFileSync(target, `${JSON.stringify(out, null, 2)}\n`);
process.stderr.write(`wrote ${target}\n`);
