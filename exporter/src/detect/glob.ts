/**
 * `*` any run (including none), `?` one character; whole-string, case-sensitive unless told otherwise.
 *
 * Globs come from config but run on fields the sender controls (principals, resource names), so they
 * are matched without regular expressions: the pattern splits at its stars into literal pieces
 * (`?` allowed inside), the first anchored at the start, the last at the end, and each middle piece
 * taken at its leftmost place after the previous one. Leftmost is always right for star-separated
 * pieces, so there is no backtracking: the cost is at most value length × pattern length.
 */
export interface CompiledGlob {
  test(value: string): boolean;
}

const ANY = -1; // `?` in a piece

/** Per-character case folding that keeps the length (so `?` still means one character). */
function fold(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const lower = c.toLowerCase();
    out += lower.length === 1 ? lower : c;
  }
  return out;
}

function piece(text: string): number[] {
  const codes = new Array<number>(text.length);
  for (let i = 0; i < text.length; i++) codes[i] = text[i] === '?' ? ANY : text.charCodeAt(i);
  return codes;
}

function matchesAt(value: string, at: number, p: readonly number[]): boolean {
  for (let j = 0; j < p.length; j++) {
    const c = p[j];
    if (c !== ANY && value.charCodeAt(at + j) !== c) return false;
  }
  return true;
}

/** Leftmost index in [from, to - p.length] where the piece matches, or -1. */
function find(value: string, p: readonly number[], from: number, to: number): number {
  for (let i = from; i + p.length <= to; i++) if (matchesAt(value, i, p)) return i;
  return -1;
}

class Glob implements CompiledGlob {
  private readonly exact: number[] | null;
  private readonly head: number[];
  private readonly tail: number[];
  private readonly middle: number[][];

  constructor(
    glob: string,
    private readonly caseInsensitive: boolean,
  ) {
    const parts = (caseInsensitive ? fold(glob) : glob).split('*');
    this.exact = parts.length === 1 ? piece(parts[0]) : null;
    this.head = piece(parts[0]);
    this.tail = piece(parts[parts.length - 1]);
    this.middle = parts.slice(1, -1).filter((p) => p !== '').map(piece);
  }

  test(raw: string): boolean {
    const value = this.caseInsensitive ? fold(raw) : raw;
    if (this.exact) return value.length === this.exact.length && matchesAt(value, 0, this.exact);
    const { head, tail } = this;
    if (head.length + tail.length > value.length) return false;
    if (!matchesAt(value, 0, head) || !matchesAt(value, value.length - tail.length, tail)) return false;
    let pos = head.length;
    const end = value.length - tail.length;
    for (const p of this.middle) {
      const at = find(value, p, pos, end);
      if (at < 0) return false;
      pos = at + p.length;
    }
    return true;
  }
}

const compiled = new Map<string, CompiledGlob>();

export function compileGlob(glob: string, caseInsensitive = false): CompiledGlob {
  const key = `${caseInsensitive ? 'i' : 's'}${glob}`;
  const hit = compiled.get(key);
  if (hit) return hit;
  const g = new Glob(glob, caseInsensitive);
  if (compiled.size < 10_000) compiled.set(key, g);
  return g;
}

/** A value test for a glob list, compiled once. */
export type GlobMatcher = (value: string | null | undefined) => boolean;

export function globMatcher(globs: readonly string[] | undefined, caseInsensitive = false): GlobMatcher {
  if (!globs || globs.length === 0) return () => true;
  const list = globs.map((g) => compileGlob(g, caseInsensitive));
  return (value) => value !== null && value !== undefined && list.some((g) => g.test(value));
}

export function matchesAny(value: string | null | undefined, globs: readonly string[] | undefined, caseInsensitive = false): boolean {
  if (!globs || globs.length === 0) return true;
  if (value === null || value === undefined) return false;
  return globs.some((g) => compileGlob(g, caseInsensitive).test(value));
}
