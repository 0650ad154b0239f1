import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileGlob, globMatcher, matchesAny } from '../../src/detect/glob.js';
import { IgnoreRules } from '../../src/detect/ignore.js';
import { referenceGlobMatch } from './glob-reference.js';

// Issue 16 item 3: `*a*a*a*a*a*a*a*a*a*a*b` against 40 `a`s took 30 s in one regex test(). The matcher
// has no regular expressions now; these check it equals a reference on arbitrary and pathological
// inputs (the old implementation would time the suite out on the pathological ones). How long the
// slowest match takes is measured by `npm run bench` (glob section).
const pathologicalGlob = fc
  .tuple(fc.integer({ min: 1, max: 30 }), fc.constantFrom('a', 'ab', '?', 'a?'), fc.constantFrom('b', 'c', '', '?b'))
  .map(([n, unit, end]) => `*${`${unit}*`.repeat(n)}${end}`);
const longValue = fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.constantFrom('a', 'ab', 'aa'), fc.constantFrom('', 'b', 'c')).map(([n, unit, end]) => unit.repeat(n) + end);

describe('glob matcher (linear, no backtracking)', () => {
  it('equals the reference matcher on arbitrary globs and values, both cases', () => {
    const glob = fc.stringMatching(/^[ab*?.+()[\]$^\\Aİ]{0,10}$/);
    const value = fc.stringMatching(/^[ab.+()$^\\AİI\n]{0,14}$/);
    fc.assert(
      fc.property(glob, value, fc.boolean(), (g, v, ci) => {
        expect(compileGlob(g, ci).test(v)).toBe(referenceGlobMatch(g, v, ci));
      }),
      { numRuns: 5000 },
    );
  });

  it('equals the reference matcher on pathological star-heavy globs against long values', () => {
    fc.assert(
      fc.property(pathologicalGlob, longValue, (g, v) => {
        expect(compileGlob(g).test(v)).toBe(referenceGlobMatch(g, v));
      }),
      { numRuns: 150 },
    );
  });

  it('answers the issue example (10 stars, 40 `a`s, no `b`) and its 100,000-character version', () => {
    const glob = `*${'a*'.repeat(10)}b`;
    expect(compileGlob(glob).test('a'.repeat(40))).toBe(false);
    expect(compileGlob(glob).test(`${'a'.repeat(40)}b`)).toBe(true);
    expect(compileGlob(glob).test('a'.repeat(100_000))).toBe(false);
    expect(globMatcher([glob, 'x*'])('a'.repeat(100_000))).toBe(false);
    expect(matchesAny(`ci-${'a'.repeat(50_000)}`, ['ci-*a*a*a*a*a*a*a*a*b'])).toBe(false);
  });

  it('keeps the documented semantics: whole string, `?` one character, regex metacharacters literal', () => {
    expect(compileGlob('aws_iam_*').test('aws_iam_role')).toBe(true);
    expect(compileGlob('aws_iam_*').test('xaws_iam_role')).toBe(false);
    expect(compileGlob('i-?').test('i-1')).toBe(true);
    expect(compileGlob('i-?').test('i-12')).toBe(false);
    expect(compileGlob('a.b').test('axb')).toBe(false);
    expect(compileGlob('(x)+').test('(x)+')).toBe(true);
    expect(compileGlob('*admin*', true).test('arn:aws:iam::1:role/ADMIN')).toBe(true);
    expect(compileGlob('ab*ba').test('aba')).toBe(false); // head and tail must not overlap
  });

  it('drives .driftignore patterns the same way', () => {
    const rules = new IgnoreRules([`aws_instance.*a*a*a*a*a*a*a*a*b`, 'aws_s3_bucket.*.tags']);
    expect(rules.ignoresResource('aws_instance', 'a'.repeat(40))).toBe(false);
    expect(rules.ignoresResource('aws_instance', `${'a'.repeat(40)}b`)).toBe(true);
    expect(rules.ignoresAttribute('aws_s3_bucket', 'logs', 'tags')).toBe(true);
  });
});
