import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { MAPPINGS_DIR, loadMappingTables, type MappingTables } from '../providers/mapping/load.js';
import type { EventSpec } from '../providers/mapping/schema.js';

/** DESIGN.md's `tfdrift coverage` JSON for one provider. */
export interface ProviderCoverage {
  events: number;
  resource_types: number;
  services: Record<string, { events: string[]; resource_types: string[] }>;
}
export type Coverage = Record<string, ProviderCoverage>;

/** Every Terraform type a row can report: its targets, prefix/ARN tables and unmanaged type. */
export function rowTypes(spec: EventSpec): string[] {
  const types = [
    spec.resource_type,
    spec.unmanaged_type,
    ...(spec.targets ?? []).map((t) => t.type),
    ...Object.values(spec.type_by_id_prefix ?? {}),
    ...Object.values(spec.type_by_arn ?? {}),
  ];
  return [...new Set(types.filter((t): t is string => typeof t === 'string'))];
}

/** True when the row turns the event into named Terraform attributes with values (not just "changed"). */
export function hasAttributeChanges(spec: EventSpec): boolean {
  return spec.changes.length > 0 || (spec.targets ?? []).some((t) => t.changes.length > 0);
}

const sorted = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();

/** Counted from the tables themselves: events are (event source, event name) rows, services the table's `service`. */
export function providerCoverage(tables: MappingTables): ProviderCoverage {
  const services: ProviderCoverage['services'] = {};
  const allTypes = new Set<string>();
  let events = 0;
  for (const table of tables.services) {
    const names = Object.keys(table.events);
    if (names.length === 0) continue;
    const entry = (services[table.service] ??= { events: [], resource_types: [] });
    for (const name of names) {
      events++;
      entry.events.push(name);
      for (const t of rowTypes(table.events[name])) {
        allTypes.add(t);
        entry.resource_types.push(t);
      }
    }
  }
  for (const s of Object.values(services)) {
    s.events = sorted(s.events);
    s.resource_types = sorted(s.resource_types);
  }
  const ordered = Object.fromEntries(Object.entries(services).sort(([a], [b]) => (a < b ? -1 : 1)));
  return { events, resource_types: allTypes.size, services: ordered };
}

export function awsCoverage(tables: MappingTables = loadMappingTables('aws')): ProviderCoverage {
  return providerCoverage(tables);
}

/** Rows whose events yield attribute-level changes (tables count, not corpus). */
export function attributeLevelEvents(tables: MappingTables): number {
  return tables.services.reduce((n, s) => n + Object.values(s.events).filter(hasAttributeChanges).length, 0);
}

/** Every provider directory under mappings/ (aws, gcp, azure, …), in a stable order. */
export function mappingProviders(dir = MAPPINGS_DIR): string[] {
  return readdirSync(dir)
    .filter((d) => statSync(path.join(dir, d)).isDirectory())
    .sort();
}

export function coverage(providers: string[] = mappingProviders(), dir = MAPPINGS_DIR): Coverage {
  const out: Coverage = {};
  for (const p of providers) out[p] = providerCoverage(loadMappingTables(p, path.join(dir, p)));
  return out;
}
