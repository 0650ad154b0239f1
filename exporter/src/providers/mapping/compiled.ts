/**
 * The mapping tables compiled at build time (`npm run build` → dist/mappings.json): the YAML files
 * parsed and validated once, so start-up reads one JSON file instead of parsing ~400 kB of YAML.
 * The YAML stays the source; the compiled file is used only while it is at least as new as every
 * table (a table edited, added or removed since the build means the YAML is read instead).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ServiceTable } from './schema.js';

export const COMPILED_FORMAT = 1;

export interface CompiledMappings {
  format: typeof COMPILED_FORMAT;
  /** provider → its tables, in file-name order; `files` lists the YAML file names they came from. */
  providers: Record<string, { files: string[]; services: ServiceTable[] }>;
}

export const yamlFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

/** The compiled tables of one provider when they are current for `dir`, else null. */
export function readCompiledTables(compiledFile: string, provider: string, dir: string): { files: string[]; services: ServiceTable[] } | null {
  let builtAt: number;
  try {
    builtAt = statSync(compiledFile).mtimeMs;
  } catch {
    return null;
  }
  const compiled = cachedCompiled(compiledFile, builtAt);
  const entry = compiled?.format === COMPILED_FORMAT ? compiled.providers[provider] : undefined;
  if (!entry) return null;
  let files: string[];
  try {
    if (statSync(dir).mtimeMs > builtAt) return null; // a table added or removed
    files = yamlFiles(dir);
    if (files.join('\n') !== entry.files.join('\n')) return null;
    for (const f of files) if (statSync(path.join(dir, f)).mtimeMs > builtAt) return null;
  } catch {
    return null;
  }
  return entry;
}

let cache: { file: string; builtAt: number; value: CompiledMappings | null } | null = null;

function cachedCompiled(file: string, builtAt: number): CompiledMappings | null {
  if (cache?.file !== file || cache.builtAt !== builtAt) {
    let value: CompiledMappings | null = null;
    try {
      value = JSON.parse(readFileSync(file, 'utf8')) as CompiledMappings;
    } catch {
      value = null; // unreadable or half-written: the YAML is read instead
    }
    cache = { file, builtAt, value };
  }
  return cache.value;
}
