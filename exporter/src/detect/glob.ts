/** `*` any run, `?` one character; whole-string, case-sensitive unless told otherwise. */
const compiled = new Map<string, RegExp>();

export function globToRegExp(glob: string, caseInsensitive = false): RegExp {
  const key = `${caseInsensitive ? 'i' : 's'}${glob}`;
  const hit = compiled.get(key);
  if (hit) return hit;
  const re = compile(glob, caseInsensitive);
  if (compiled.size < 10_000) compiled.set(key, re);
  return re;
}

function compile(glob: string, caseInsensitive: boolean): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, caseInsensitive ? 'i' : '');
}

export function matchesAny(value: string | null | undefined, globs: readonly string[] | undefined, caseInsensitive = false): boolean {
  if (!globs || globs.length === 0) return true;
  if (value === null || value === undefined) return false;
  return globs.some((g) => globToRegExp(g, caseInsensitive).test(value));
}
