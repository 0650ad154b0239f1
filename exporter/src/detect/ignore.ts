import { compileGlob, type CompiledGlob } from './glob.js';

interface IgnorePattern {
  negate: boolean;
  type: CompiledGlob;
  id: CompiledGlob;
  attribute: CompiledGlob | null;
}

/**
 * `.driftignore` semantics: patterns `TYPE.ID[.ATTRIBUTE]` in order, the last match decides,
 * `!` re-includes. A trailing snake_case word is read as the attribute; for IDs that contain
 * dots (`example.com`) end the pattern with `.*` to mean the whole resource.
 */
export class IgnoreRules {
  private readonly patterns: IgnorePattern[];

  constructor(lines: readonly string[]) {
    this.patterns = lines
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => {
        const negate = l.startsWith('!');
        const body = negate ? l.slice(1) : l;
        const first = body.indexOf('.');
        if (first < 0) return { negate, type: compileGlob(body), id: compileGlob('*'), attribute: null };
        const type = body.slice(0, first);
        const rest = body.slice(first + 1);
        const last = rest.lastIndexOf('.');
        // `aws_instance.i-1.tags` → id i-1, attribute tags; `aws_s3_bucket.my.bucket` is ambiguous: treat
        // the trailing part as an attribute only when it looks like one (snake_case word or `*`).
        if (last > 0 && rest.slice(last + 1) === '*') return { negate, type: compileGlob(type), id: compileGlob(rest.slice(0, last)), attribute: null };
        if (last > 0 && /^[a-z_][a-z0-9_]*$/.test(rest.slice(last + 1)))
          return { negate, type: compileGlob(type), id: compileGlob(rest.slice(0, last)), attribute: compileGlob(rest.slice(last + 1)) };
        return { negate, type: compileGlob(type), id: compileGlob(rest), attribute: null };
      });
  }

  get size(): number {
    return this.patterns.length;
  }

  private decide(type: string, id: string, attribute: string | null): boolean {
    let ignored = false;
    for (const p of this.patterns) {
      if (!p.type.test(type) || !p.id.test(id)) continue;
      if (p.attribute !== null && attribute === null) {
        // `!TYPE.ID.ATTR` re-includes part of the resource, so it is no longer ignored as a whole.
        if (p.negate) ignored = false;
        continue;
      }
      if (p.attribute !== null && !p.attribute.test((attribute as string).split('.')[0])) continue;
      ignored = !p.negate;
    }
    return ignored;
  }

  /** The whole resource is ignored (no attribute given). */
  ignoresResource(type: string, id: string): boolean {
    return this.decide(type, id, null);
  }

  ignoresAttribute(type: string, id: string, attribute: string): boolean {
    return this.decide(type, id, attribute);
  }
}
