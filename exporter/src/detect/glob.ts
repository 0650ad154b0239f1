/** `*` any run, `?` one character; whole-string, case-sensitive unless told otherwise. */
const compiled = new Map<string, RegExp>();

export function globToRegExp(glob: string, caseInsensitive = false): RegExp {
  const key = `${caseInsensitive ? 'i' : 's'}${glob}`;
  const hit = compiled.get(key);
  if (hit) return hit;
  const re = new RegExp(`^${globBody(glob)}$`, caseInsensitive ? 'i' : '');
  if (compiled.size < 10_000) compiled.set(key, re);
  return re;
}

function globBody(glob: string): string {
  return glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
}

/** A value test for a glob list, compiled once: one alternation instead of a regex per glob. */
export type GlobMatcher = (value: string | null | undefined) => boolean;

export function globMatcher(globs: readonly string[] | undefined, caseInsensitive = false): GlobMatcher {
  if (!globs || globs.length === 0) return () => true;
  const re = new RegExp(`^(?:${globs.map(globBody).join('|')})$`, caseInsensitive ? 'i' : '');
  return (value) => value !== null && value !== undefined && re.test(value);
}

export function matchesAny(value: string | null | undefined, globs: readonly string[] | undefined, caseInsensitive = false): boolean {
  if (!globs || globs.length === 0) return true;
  if (value === null || value === undefined) return false;
  return globs.some((g) => globToRegExp(g, caseInsensitive).test(value));
}
