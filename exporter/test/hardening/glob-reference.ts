/**
 * Reference glob semantics by dynamic programming over (value position, pattern position): obviously
 * correct and polynomial, used to check the production matcher (detect/glob.ts) on arbitrary inputs.
 */
export function referenceGlobMatch(glob: string, value: string, caseInsensitive = false): boolean {
  const f = (s: string): string => (caseInsensitive ? [...Array(s.length).keys()].map((i) => (s[i].toLowerCase().length === 1 ? s[i].toLowerCase() : s[i])).join('') : s);
  const g = f(glob);
  const v = f(value);
  // ok[j] = pattern prefix of length j matches the value prefix processed so far.
  let ok = new Array<boolean>(g.length + 1).fill(false);
  ok[0] = true;
  for (let j = 1; j <= g.length; j++) ok[j] = ok[j - 1] && g[j - 1] === '*';
  for (let i = 1; i <= v.length; i++) {
    const next = new Array<boolean>(g.length + 1).fill(false);
    for (let j = 1; j <= g.length; j++) {
      const c = g[j - 1];
      if (c === '*') next[j] = next[j - 1] || ok[j];
      else next[j] = ok[j - 1] && (c === '?' || c === v[i - 1]);
    }
    ok = next;
  }
  return ok[g.length];
}
