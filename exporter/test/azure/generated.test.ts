import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { azureProvider } from '../../src/providers/azure/adapter.js';
import { loadMappingTables } from '../../src/providers/mapping/load.js';
import { EXPORTER_DIR } from '../helpers/cli.js';

/** azurerm type → the import ID its documentation gives (data/azurerm-import-ids.tsv). */
const importIds = new Map(
  readFileSync(path.join(EXPORTER_DIR, 'data/azurerm-import-ids.tsv'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t') as [string, string]),
);
const tables = loadMappingTables('azure');
const generated = tables.services.flatMap((s) => Object.entries(s.events).filter(([, spec]) => (spec.note ?? '').startsWith('generated ')).map(([op, spec]) => ({ op, spec })));

/** An activity record (diagnostic-settings export shape) for `op` on `id`: hand-written around the docs' import ID. */
let n = 0;
const record = (op: string, id: string) => ({
  time: '2024-01-01T00:00:00Z', resourceId: id, operationName: op, category: 'Administrative', resultType: 'Success',
  correlationId: `c-${++n}`, callerIpAddress: '203.0.113.9', identity: { claims: { name: 'alice@example.com' } }, properties: {},
});

describe('generated Azure rows: operations and IDs from the azurerm docs’ import IDs', () => {
  it('every target type is documented with an import ID, and that ID resolves through the row to the type with the same ID', () => {
    expect(generated.length).toBeGreaterThan(500);
    const azure = azureProvider();
    const bad: string[] = [];
    for (const { op, spec } of generated) {
      for (const t of spec.targets ?? []) {
        const id = importIds.get(t.type);
        if (!id) {
          bad.push(`${op}: ${t.type} has no documented import ID`);
          continue;
        }
        const r = azure.resolve(azure.fromRecord(record(op, id)));
        const hit = r.status === 'mapped' ? r.changes[0].candidates.find((c) => c.resourceType === t.type) : undefined;
        if (!hit || hit.lookup.value !== id || (r.status === 'mapped' && r.changes[0].resourceId !== id)) bad.push(`${op}: ${t.type} ${JSON.stringify(r).slice(0, 200)}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('the operation is the documented ID’s ARM type (namespace and type segments) with write or delete', () => {
    for (const { op, spec } of generated) {
      const id = importIds.get(spec.targets![0].type)!;
      const after = id.split(/\/providers\//i)[1].split('/');
      const armType = [after[0], ...after.slice(1).filter((_, i) => i % 2 === 0)].join('/');
      expect(op.toLowerCase()).toMatch(new RegExp(`^${armType.toLowerCase().replace(/\./g, '\\.')}/(write|delete)$`));
    }
  });
});
