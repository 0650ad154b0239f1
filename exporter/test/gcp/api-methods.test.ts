import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMappingTables } from '../../src/providers/mapping/load.js';
import { methodKey } from '../../src/providers/gcp/names.js';
import { EXPORTER_DIR } from '../helpers/cli.js';

const data = (file: string): string[][] =>
  readFileSync(path.join(EXPORTER_DIR, 'data', file), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t'));

/** serviceName + method without version, from googleapis' service definitions (data/gcp-api-write-methods.tsv). */
const apiMethods = new Set(data('gcp-api-write-methods.tsv').map(([host, key]) => `${host} ${key}`));
/** google resource type → its first documented import format (data/google-import-ids.tsv). */
const importFormat = new Map(data('google-import-ids.tsv').map(([type, format]) => [type, format]));

const tables = loadMappingTables('gcp');
const rows = tables.services.flatMap((s) => Object.entries(s.events).map(([name, spec]) => ({ source: s.event_source, name, spec, generated: (spec.note ?? '').startsWith('generated:') })));

describe('GCP methods against the API definitions (googleapis protos) and types against the provider’s import formats', () => {
  it('every mapped method named after an RPC (google.…Service.Method) is a write RPC of that serviceName', () => {
    const rpcNamed = rows.filter((r) => r.name.startsWith('google.'));
    const missing = rpcNamed.filter((r) => !apiMethods.has(`${r.source} ${methodKey(r.name)}`)).map((r) => `${r.source} ${r.name}`);
    process.stdout.write(`gcp: ${rpcNamed.length - missing.length} of ${rpcNamed.length} RPC-named mapped methods verified against googleapis (${rows.length - rpcNamed.length} more use Discovery-style names: compute, storage, cloudsql…)\n`);
    expect(rows.filter((r) => r.generated).every((r) => apiMethods.has(`${r.source} ${methodKey(r.name)}`))).toBe(true);
    // Hand-written rows predate this check; the ones googleapis does not list are named here.
    expect(missing.filter((m) => rows.find((r) => `${r.source} ${r.name}` === m)?.generated)).toEqual([]);
  });

  it('every generated row reports a type whose documented import ID is the RPC’s resource pattern', () => {
    const bad: string[] = [];
    for (const r of rows.filter((x) => x.generated)) {
      const m = /\((\/v[^)]+)\)$/.exec(r.spec.note ?? '');
      const http = m![1].replace(/^\/v\d\w*\//, '');
      const pattern = http.startsWith('{parent=') ? `${/^\{parent=([^}]+)\}(\/\w+)$/.exec(http)![1]}${/\}(\/\w+)$/.exec(http)![1]}/*` : /^\{[\w.]*name=([^}]+)\}$/.exec(http)![1];
      for (const t of [r.spec.resource_type, ...(r.spec.targets ?? []).map((x) => x.type)].filter((x): x is string => !!x)) {
        const format = importFormat.get(t);
        if (!format || format.replace(/\{\{\w+\}\}/g, '*') !== pattern) bad.push(`${r.name}: ${t} (${format}) vs ${pattern}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
