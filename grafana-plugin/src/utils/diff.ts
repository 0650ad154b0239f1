/** A line diff of expected vs actual values, for the drift detail page. */
export interface DiffLine {
  kind: 'same' | 'removed' | 'added';
  text: string;
}

/** Stable pretty JSON: object keys sorted so that key order never shows up as drift. */
export function prettyValue(value: unknown): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      return v.map(sortKeys);
    }
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v as Record<string, unknown>)
          .sort()
          .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return value === undefined ? 'undefined' : JSON.stringify(sortKeys(value), null, 2);
}

/** Longest-common-subsequence line diff (values here are small: attribute documents). */
export function diffLines(expected: string, actual: string): DiffLine[] {
  const a = expected.split('\n');
  const b = actual.split('\n');
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ kind: 'same', text: a[i] });
      i++;
      j++;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
      out.push({ kind: 'removed', text: a[i++] });
    } else {
      out.push({ kind: 'added', text: b[j++] });
    }
  }
  a.slice(i).forEach((text) => out.push({ kind: 'removed', text }));
  b.slice(j).forEach((text) => out.push({ kind: 'added', text }));
  return out;
}

export function diffValues(expected: unknown, actual: unknown): DiffLine[] {
  return diffLines(prettyValue(expected), prettyValue(actual));
}
