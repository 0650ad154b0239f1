import { describe, expect, it } from 'vitest';
import { loadMappingTables } from '../../src/providers/mapping/load.js';
import { findOperation } from './api-models.js';

const tables = loadMappingTables('aws');
const rows = tables.services.flatMap((s) => Object.entries(s.events).map(([name, spec]) => ({ source: s.event_source, name, spec, generated: (spec.note ?? '').startsWith('generated:') })));

/** `request.clusterName` → `clusterName`: the top-level member a plain path reads, if that is what it is. */
function topMember(p: string, root: 'request' | 'response'): string | null {
  const m = new RegExp(`^${root}\\.([A-Za-z0-9_]+)`).exec(p);
  return m ? m[1] : null;
}

describe('every mapped AWS event is an operation of its service’s API (aws-sdk v2 service models)', () => {
  it('all mapped event names exist as operations', () => {
    const missing = rows.filter((r) => !findOperation(r.source, r.name)).map((r) => `${r.source} ${r.name}`);
    process.stdout.write(`aws: ${rows.length - missing.length} of ${rows.length} mapped events verified against the API operation lists\n`);
    expect(missing).toEqual([]);
  });

  it('generated rows read their ID from a member of the operation’s input (or output, for IDs AWS assigns)', () => {
    const bad: string[] = [];
    for (const r of rows.filter((x) => x.generated)) {
      const op = findOperation(r.source, r.name)!;
      const shape = op.model.operations[op.name];
      const members = (root: 'request' | 'response'): string[] => Object.keys((root === 'request' ? shape.input?.members : shape.output?.members) ?? {}).map((k) => k.toLowerCase());
      for (const p of r.spec.id) {
        const root = p.startsWith('request.') ? 'request' : 'response';
        const top = topMember(p, root);
        if (!top || !members(root).includes(top.toLowerCase())) bad.push(`${r.source} ${r.name}: ${p}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
