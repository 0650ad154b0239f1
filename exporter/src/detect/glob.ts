/** `*` any run, `?` one character; whole-string, case-sensitive unless told otherwise. */
export function globToRegExp(glob: string, caseInsensitive = false): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, caseInsensitive ? 'i' : '');
}

export function matchesAny(value: string | null | undefined, globs: readonly string[] | undefined, caseInsensitive = false): boolean {
  if (!globs || globs.length === 0) return true;
  if (value === null || value === undefined) return false;
  return globs.some((g) => globToRegExp(g, caseInsensitive).test(value));
}
