/**
 * Tiny path language used by the mapping tables: `request.instancesSet.items.*.instanceId`.
 * `*` fans out over an array's elements; a missing step yields nothing (never throws).
 */
export function getPath(root: unknown, path: string): unknown[] {
  let current: unknown[] = [root];
  for (const key of path.split('.')) {
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
  return path.split('.').includes('*');
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
