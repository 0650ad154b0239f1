import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { serviceTableSchema, type EventSpec, type ServiceTable } from './schema.js';
import { formatIssues } from '../../config/load.js';

/** exporter/mappings, from both src/ (tests) and dist/ (installed). */
export const MAPPINGS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../mappings');

export interface MappingTables {
  provider: string;
  services: ServiceTable[];
  /** `${event_source}\u0000${eventName}` → row. */
  byEvent: Map<string, { service: ServiceTable; spec: EventSpec }>;
}

export function loadMappingTables(provider: string, dir = path.join(MAPPINGS_DIR, provider)): MappingTables {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
  const services: ServiceTable[] = [];
  const byEvent = new Map<string, { service: ServiceTable; spec: EventSpec }>();
  for (const file of files) {
    const where = path.join(dir, file);
    const doc = YAML.parseDocument(readFileSync(where, 'utf8'), { uniqueKeys: true });
    if (doc.errors.length > 0) throw new Error(`${where}: invalid YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
    const parsed = serviceTableSchema.safeParse(doc.toJS());
    if (!parsed.success) throw new Error(`${where}: invalid mapping table\n  ${formatIssues(parsed.error.issues).join('\n  ')}`);
    const table = parsed.data;
    services.push(table);
    for (const [name, spec] of Object.entries(table.events)) {
      const key = eventKey(table.event_source, name);
      if (byEvent.has(key)) throw new Error(`${where}: ${table.event_source} ${name} is mapped twice`);
      byEvent.set(key, { service: table, spec });
    }
  }
  return { provider, services, byEvent };
}

export function eventKey(source: string, name: string): string {
  return `${source}\u0000${name}`;
}
