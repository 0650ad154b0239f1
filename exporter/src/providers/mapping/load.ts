import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { serviceTableSchema, type EventSpec, type ServiceTable } from './schema.js';
import { formatIssues } from '../../config/load.js';
import { readCompiledTables, tablesHash, yamlFiles, COMPILED_FORMAT, type CompiledMappings } from './compiled.js';

const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** exporter/mappings, from both src/ (tests) and dist/ (installed). */
export const MAPPINGS_DIR = path.join(PACKAGE_DIR, 'mappings');
/** Written by `npm run build` (scripts/compile-mappings.mjs); regenerate with `npm run build -w exporter`. */
export const COMPILED_MAPPINGS_FILE = path.join(PACKAGE_DIR, 'dist/mappings.json');

export interface MappingTables {
  provider: string;
  services: ServiceTable[];
  /** `${event_source}\u0000${eventName}` → row. */
  byEvent: Map<string, { service: ServiceTable; spec: EventSpec }>;
}

/**
 * A provider's mapping tables: from the build's compiled JSON when it is current, else parsed and
 * validated from the YAML (the source of truth; also for any other `dir`).
 */
export function loadMappingTables(provider: string, dir = path.join(MAPPINGS_DIR, provider)): MappingTables {
  const compiled = path.resolve(dir) === path.join(MAPPINGS_DIR, provider) ? readCompiledTables(COMPILED_MAPPINGS_FILE, provider, dir) : null;
  return compiled ? indexTables(provider, compiled.services, compiled.files, dir) : parseMappingTables(provider, dir);
}

/** The YAML tables of one provider, validated against the schema. */
export function parseMappingTables(provider: string, dir = path.join(MAPPINGS_DIR, provider)): MappingTables {
  const services: ServiceTable[] = [];
  const files = yamlFiles(dir);
  for (const file of files) {
    const where = path.join(dir, file);
    const doc = YAML.parseDocument(readFileSync(where, 'utf8'), { uniqueKeys: true });
    if (doc.errors.length > 0) throw new Error(`${where}: invalid YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
    const parsed = serviceTableSchema.safeParse(doc.toJS());
    if (!parsed.success) throw new Error(`${where}: invalid mapping table\n  ${formatIssues(parsed.error.issues).join('\n  ')}`);
    services.push(parsed.data);
  }
  return indexTables(provider, services, files, dir);
}

/** `services[i]` was read from `files[i]` (named in errors). */
function indexTables(provider: string, services: ServiceTable[], files: string[], dir: string): MappingTables {
  const byEvent = new Map<string, { service: ServiceTable; spec: EventSpec }>();
  for (const [i, table] of services.entries()) {
    for (const [name, spec] of Object.entries(table.events)) {
      const key = eventKey(table.event_source, name);
      if (byEvent.has(key)) throw new Error(`${path.join(dir, files[i])}: ${table.event_source} ${name} is mapped twice`);
      byEvent.set(key, { service: table, spec });
    }
  }
  return { provider, services, byEvent };
}

/** Every provider directory under `root`, parsed from YAML: what the build writes to dist/mappings.json. */
export function compileMappings(root = MAPPINGS_DIR): CompiledMappings {
  const providers: CompiledMappings['providers'] = {};
  for (const entry of readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const dir = path.join(root, entry.name);
    const files = yamlFiles(dir);
    providers[entry.name] = {
      files,
      sizes: files.map((f) => statSync(path.join(dir, f)).size),
      sha256: tablesHash(dir, files),
      services: parseMappingTables(entry.name, dir).services,
    };
  }
  return { format: COMPILED_FORMAT, providers };
}

export function eventKey(source: string, name: string): string {
  return `${source}\u0000${name}`;
}
