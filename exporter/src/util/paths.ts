import { InputError } from './errors.js';
/**
 * Tiny path language used by the mapping tables: `request.instancesSet.items.*.instanceId`.
 * `*` fans out over an array's elements; a missing step yields nothing (never throws).
 */
const pathKeys = new Map<string, { keys: string[]; fanOut: boolean }>();

/** Split once: mapping paths come from the tables, so the set is bounded. */
function compiledPath(path: string): { keys: string[]; fanOut: boolean } {
  let hit = pathKeys.get(path);
  if (!hit) {
    const keys = path.split('.');
    hit = { keys, fanOut: keys.includes('*') };
    if (pathKeys.size < 50_000) pathKeys.set(path, hit);
  }
  return hit;
}

export function getPath(root: unknown, path: string): unknown[] {
  const { keys, fanOut } = compiledPath(path);
  if (!fanOut) {
    // One value at most: walk without building a list per step.
    let value = root;
    for (const key of keys) {
      if (value === null || typeof value !== 'object') return [];
      value = (value as Record<string, unknown>)[key];
      if (value === undefined || value === null) return [];
    }
    return [value];
  }
  return walkAll(root, keys);
}

/** The general walk: a list of values per step, `*` fanning out over arrays. */
export function walkAll(root: unknown, keys: readonly string[]): unknown[] {
  let current: unknown[] = [root];
  for (const key of keys) {
    const next: unknown[] = [];
    for (const value of current) {
      if (value === null || typeof value !== 'object') continue;
      if (key === '*') {
        if (Array.isArray(value)) next.push(...value.filter((c) => c !== undefined && c !== null));
        continue;
      }
      const child = (value as Record<string, unknown>)[key];
      if (child !== undefined && child !== null) next.push(child);
    }
    current = next;
  }
  return current;
}

/** True when a mapping path fans out (its value is the list of everything it reaches). */
export function isFanOut(path: string): boolean {
  return compiledPath(path).fanOut;
}

export function firstString(root: unknown, paths: readonly string[]): string | null {
  for (const p of paths) {
    for (const v of getPath(root, p)) {
      if (typeof v === 'string' && v !== '') return v;
      if (typeof v === 'number') return String(v);
    }
  }
  return null;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function str(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/** Parses strings that hold a JSON object or array (Falco fields, exports that stringify nested objects); anything else as given. */
/** A Falco output field that carries JSON (`ct.request`, `gcp.policyDelta`): undefined when absent, InputError when not JSON. */
export function parseJsonOutputField(raw: string | null, name: string): unknown {
  if (raw === null) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new InputError(`${name} is not valid JSON`, 'bad_output_field');
  }
}

export function parseJsonLike(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  if (!t.startsWith('{') && !t.startsWith('[')) return v;
  try {
    return JSON.parse(t);
  } catch {
    return v;
  }
}
