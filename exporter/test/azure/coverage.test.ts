import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMPARATORS } from '../../src/detect/compare.js';
import { expandPaths, readInputFile } from '../../src/ingest/records.js';
import { loadMappingTables } from '../../src/providers/mapping/load.js';
import { azureProvider, indexAzureTables } from '../../src/providers/azure/adapter.js';
import { CORPUS } from '../helpers/cli.js';

const tables = loadMappingTables('azure');

describe('Azure mapping tables', () => {
  it('map at least 150 operations to at least 80 azurerm_* resource types', () => {
    const types = new Set<string>();
    let ops = 0;
    for (const s of tables.services)
      for (const row of Object.values(s.events)) {
        ops++;
        if (row.resource_type) types.add(row.resource_type);
        for (const t of row.targets ?? []) types.add(t.type);
      }
    process.stdout.write(`Azure tables: ${ops} operations → ${types.size} resource types across ${tables.services.length} resource providers\n`);
    expect(ops).toBeGreaterThanOrEqual(150);
    expect(types.size).toBeGreaterThanOrEqual(80);
    for (const t of types) expect(t).toMatch(/^azurerm_[a-z0-9_]+$/);
  });

  it('key operations under their namespace, without case-insensitive duplicates, with known comparators', () => {
    expect(() => indexAzureTables(tables)).not.toThrow();
    for (const s of tables.services) {
      expect(s.event_source).toMatch(/^Microsoft\.[A-Za-z]+$/);
      for (const [op, row] of Object.entries(s.events)) {
        expect(op).toMatch(/\/(write|delete|action)$/);
        for (const c of [...row.changes, ...(row.targets ?? []).flatMap((t) => t.changes)]) expect(COMPARATORS[c.compare], c.compare).toBeDefined();
      }
    }
  });
});

describe('Azure corpus coverage (every activity record of test/fixtures/corpus/azure)', () => {
  it('reads, classifies and resolves every record', async () => {
    const provider = azureProvider({ tables });
    const files = (await expandPaths([path.join(CORPUS, 'azure')])).filter((f) => !f.endsWith('.index.json'));
    const c = { seen: 0, parsed: 0, readOnly: 0, failed: 0, notChange: 0, writes: 0, mapped: 0, idResolved: 0, unresolved: 0, unmapped: 0 };
    const unmapped = new Set<string>();
    const types = new Set<string>();
    for (const file of files)
      for (const item of await readInputFile(file, 'auto')) {
        c.seen++;
        expect(item.kind === 'record' && item.provider === 'azure', item.where).toBe(true);
        if (item.kind !== 'record') continue;
        const event = provider.fromRecord(item.value);
        c.parsed++;
        const res = provider.resolve(event);
        if (res.status === 'ignored') {
          if (res.reason === 'read_only') c.readOnly++;
          else if (res.reason === 'failed_call') c.failed++;
          else c.notChange++;
          continue;
        }
        c.writes++;
        if (res.status === 'unmapped') {
          c.unmapped++;
          unmapped.add(event.eventName);
        } else if (res.status === 'unresolved') c.unresolved++;
        else {
          c.mapped++;
          if (res.changes.every((ch) => ch.resourceId.startsWith('/subscriptions/') && ch.candidates.length > 0)) c.idResolved++;
          for (const ch of res.changes) types.add(ch.unmanagedType);
        }
      }
    process.stdout.write(
      `Azure corpus: ${c.seen} records seen, ${c.parsed} parsed, ${c.readOnly} read, ${c.failed} failed, ` +
        `${c.notChange} not a completed change (Started/Accepted, duplicates, data plane, policy/advisor, documented actions), ` +
        `${c.writes} writes: ${c.mapped} mapped, ${c.idResolved} with ARM ID resolved, ${c.unresolved} unresolved, ${c.unmapped} unmapped; ${types.size} resource types reached\n`,
    );
    expect(c.seen).toBe(218);
    expect(c.parsed).toBe(218);
    expect([...unmapped]).toEqual([]);
    expect(c.unresolved).toBe(0);
    expect(c.idResolved).toBe(c.mapped);
    expect(c.mapped).toBeGreaterThanOrEqual(100);
  });
});
