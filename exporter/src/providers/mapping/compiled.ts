/**
 * The mapping tables compiled at build time (`npm run build` → dist/mappings.json): the YAML files
 * parsed and validated once, so start-up reads one JSON file instead of parsing ~400 kB of YAML.
 * The YAML stays the source: the compiled tables are used only while they are what the YAML says
 * now (same files, same sizes, and either none modified since the build or the same content hash;
 * npm sets install times in package order, so an installed package is checked by content).
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ServiceTable } from './schema.js';

export const COMPILED_FORMAT = 2;

export interface CompiledProvider {
  /** The YAML file names the tables came from, in order, with their sizes and the hash of all of them. */
  files: string[];
  sizes: number[];
  sha256: string;
  services: ServiceTable[];
}

export interface CompiledMappings {
  format: typeof COMPILED_FORMAT;
  providers: Record<string, CompiledProvider>;
}

export const yamlFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

/** Hash of a provider's tables: every file name and content, in order. */
export function tablesHash(dir: string, files: string[]): string {
  const hash = createHash('sha256');
  for (const f of files) hash.update(`${f}\u0000`).update(readFileSync(path.join(dir, f))).update('\u0000');
  return hash.digest('hex');
}

/** The compiled tables of one provider when they are current for `dir`, else null. */
export function readCompiledTables(compiledFile: string, provider: string, dir: string): CompiledProvider | null {
  let builtAt: number;
  try {
    builtAt = statSync(compiledFile).mtimeMs;
  } catch {
    return null;
  }
  const compiled = cachedCompiled(compiledFile, builtAt);
  const entry = compiled?.format === COMPILED_FORMAT ? compiled.providers[provider] : undefined;
  if (!entry) return null;
  try {
    const files = yamlFiles(dir);
    if (files.join('\n') !== entry.files.join('\n')) return null; // a table added or removed
    const stats = files.map((f) => statSync(path.join(dir, f)));
    if (stats.some((st, i) => st.size !== entry.sizes[i])) return null;
    // Nothing touched since the build (a checkout after `npm run build`), or the same content.
    if (stats.every((st) => st.mtimeMs <= builtAt) || tablesHash(dir, files) === entry.sha256) return entry;
    return null;
  } catch {
    return null;
  }
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
