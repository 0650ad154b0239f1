import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';

type Def = { type: string; [k: string]: unknown };
type Schema = { _zod: { def: Def } };

function unwrap(s: Schema): Schema {
  for (;;) {
    const d = s._zod.def;
    if (['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch'].includes(d.type)) s = d.innerType as Schema;
    else if (d.type === 'pipe') s = d.in as Schema;
    else return s;
  }
}

/** Every key path the schema accepts; array elements as `[]`, union members merged. */
function schemaPaths(s: Schema, prefix: string, out: Set<string>): void {
  const d = unwrap(s)._zod.def;
  if (d.type === 'object') {
    for (const [k, v] of Object.entries(d.shape as Record<string, Schema>)) {
      const p = prefix ? `${prefix}.${k}` : k;
      out.add(p);
      schemaPaths(v, p, out);
    }
  } else if (d.type === 'array') schemaPaths(d.element as Schema, `${prefix}[]`, out);
  else if (d.type === 'union') for (const o of d.options as Schema[]) schemaPaths(o, prefix, out);
}

/** Every key path present in a YAML document (maps under `labels`/record-typed keys included). */
function docPaths(v: unknown, prefix: string, out: Set<string>): void {
  if (Array.isArray(v)) for (const x of v) docPaths(x, `${prefix}[]`, out);
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      const p = prefix ? `${prefix}.${k}` : k;
      out.add(p);
      docPaths(x, p, out);
    }
}

describe('exporter/config.example.yaml', () => {
  it('documents every configuration key the schema accepts', () => {
    const expected = new Set<string>();
    schemaPaths(configSchema as unknown as Schema, '', expected);
    const text = readFileSync(path.resolve(__dirname, '../../config.example.yaml'), 'utf8');
    const present = new Set<string>();
    docPaths(YAML.parse(text), '', present);
    const missing = [...expected].filter((p) => !present.has(p)).sort();
    expect(missing).toEqual([]);
    expect(expected.size).toBeGreaterThan(40);
  });
});
