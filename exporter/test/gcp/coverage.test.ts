import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMPARATORS } from '../../src/detect/compare.js';
import { expandPaths, readInputFile } from '../../src/ingest/records.js';
import { loadMappingTables } from '../../src/providers/mapping/load.js';
import { gcpProvider, indexGcpTables } from '../../src/providers/gcp/adapter.js';
import { CORPUS } from '../helpers/cli.js';

const tables = loadMappingTables('gcp');

function tableTypes(): Set<string> {
  const types = new Set<string>();
  for (const s of tables.services)
    for (const row of Object.values(s.events)) {
      if (row.resource_type) types.add(row.resource_type);
      for (const t of row.targets ?? []) types.add(t.type);
      for (const t of Object.values(row.type_by_id_prefix ?? {})) types.add(t);
    }
  return types;
}

describe('GCP mapping tables', () => {
  it('map at least 250 methods to at least 100 google_* resource types', () => {
    const methods = tables.services.reduce((n, s) => n + Object.keys(s.events).length, 0);
    const types = tableTypes();
    process.stdout.write(`GCP tables: ${methods} methods → ${types.size} resource types across ${tables.services.length} services\n`);
    expect(methods).toBeGreaterThanOrEqual(250);
    expect(types.size).toBeGreaterThanOrEqual(100);
    for (const t of types) expect(t).toMatch(/^google_[a-z0-9_]+$/);
  });

  it('name a serviceName per table, use known comparators, and never collide across API versions', () => {
    expect(() => indexGcpTables(tables)).not.toThrow();
    for (const s of tables.services) {
      expect(s.event_source).toMatch(/(\.googleapis\.com|^k8s\.io)$/);
      for (const row of Object.values(s.events))
        for (const c of [...row.changes, ...(row.targets ?? []).flatMap((t) => t.changes)]) expect(COMPARATORS[c.compare], c.compare).toBeDefined();
    }
  });
});

describe('GCP corpus coverage (every LogEntry of test/fixtures/corpus/gcp)', () => {
  it('reads, classifies and resolves every record', async () => {
    const provider = gcpProvider(tables);
    const files = (await expandPaths([path.join(CORPUS, 'gcp')])).filter((f) => !f.endsWith('.index.json'));
    const c = { seen: 0, audit: 0, notAudit: 0, readOnly: 0, failed: 0, notMutating: 0, writes: 0, mapped: 0, idResolved: 0, unresolved: 0, unmapped: 0 };
    const unmapped = new Set<string>();
    const types = new Set<string>();
    for (const file of files)
      for (const item of await readInputFile(file, 'auto')) {
        c.seen++;
        if (item.kind !== 'record' || item.provider !== 'gcp') {
          c.notAudit++;
          continue;
        }
        let event;
        try {
          event = provider.fromRecord(item.value);
        } catch {
          c.notAudit++; // non-audit LogEntries and test stubs without methodName
          continue;
        }
        c.audit++;
        const res = provider.resolve(event);
        if (res.status === 'ignored') {
          if (res.reason === 'read_only') c.readOnly++;
          else if (res.reason === 'failed_call') c.failed++;
          else c.notMutating++;
          continue;
        }
        c.writes++;
        if (res.status === 'unmapped') {
          c.unmapped++;
          unmapped.add(`${event.eventSource} ${event.eventName}`);
        } else if (res.status === 'unresolved') c.unresolved++;
        else {
          c.mapped++;
          if (res.changes.every((ch) => ch.resourceId !== '' && ch.candidates.length > 0)) c.idResolved++;
          for (const ch of res.changes) types.add(ch.unmanagedType);
        }
      }
    process.stdout.write(
      `GCP corpus: ${c.seen} records seen, ${c.audit} audit entries (${c.notAudit} not audit logs), ${c.readOnly} read-only, ${c.failed} failed calls, ` +
        `${c.notMutating} non-mutating/documented-unmapped, ${c.writes} writes: ${c.mapped} mapped, ${c.idResolved} with resource ID resolved, ` +
        `${c.unresolved} unresolved, ${c.unmapped} unmapped; ${types.size} resource types reached\n`,
    );
    expect(c.seen).toBeGreaterThanOrEqual(226);
    expect(c.audit).toBeGreaterThanOrEqual(200);
    expect([...unmapped]).toEqual([]);
    expect(c.mapped).toBe(c.writes - c.unresolved);
    expect(c.idResolved).toBe(c.mapped);
    expect(c.unresolved).toBeLessThanOrEqual(2);
    expect(c.mapped).toBeGreaterThanOrEqual(90);
  });
});
