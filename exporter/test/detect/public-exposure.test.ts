import { PUBLIC_EXPOSURE_PATTERN } from '@tfdrift/alert-rules';
import { describe, expect, it } from 'vitest';
import type { DriftDraft } from '../../src/detect/detector.js';
import { defaultSeverity } from '../../src/detect/severity.js';

/** The LogQL line filter as a JS RegExp: RE2's `(?i)` prefix becomes the `i` flag (the rest is common syntax). */
const lineFilter = new RegExp(PUBLIC_EXPOSURE_PATTERN.replace(/^\(\?i\)/, ''), 'i');

const draft = (actual: unknown, expected: unknown = []): DriftDraft => ({
  changeType: 'modified', resourceType: 'aws_security_group', resourceId: 'sg-1', resource: null,
  changes: [{ attribute: 'ingress', expected, actual }],
});

const PUBLIC = ['tcp 22 from 0.0.0.0/0', 'tcp 22 from 208.236.235.254/0', 'all from ::/0', 'tcp 443 from 2001:db8::/0', 'udp 53 from 10.0.0.0/0'];
const PRIVATE = ['tcp 22 from 10.0.0.0/8', 'tcp 22 from 0.0.0.0/16', 'all from ::/64', 'tcp 443 from 2001:db8::/32', 'tcp 22 from 192.168.0.0/04'];

describe('public exposure: any /0, IPv4 and IPv6, not only the literal 0.0.0.0/0', () => {
  it.each(PUBLIC)('severity: a rule admitting %s is critical', (rule) => {
    expect(defaultSeverity(draft([rule]))).toBe('critical');
  });

  it.each(PRIVATE)('severity: a rule admitting %s is not public', (rule) => {
    expect(defaultSeverity(draft([rule]))).not.toBe('critical');
  });

  it.each(PUBLIC)('the public_exposure alert rule’s line filter matches a drift line with %s', (rule) => {
    expect(lineFilter.test(JSON.stringify({ changes: [{ attribute: 'ingress', actual: [rule] }] }))).toBe(true);
  });

  it.each(PRIVATE)('the line filter leaves a drift line with %s alone', (rule) => {
    expect(lineFilter.test(JSON.stringify({ changes: [{ attribute: 'ingress', actual: [rule] }], resource_id: 'sg-1', event: { time: '2026-03-29T10:15:08Z' } }))).toBe(false);
  });

  it('a revoke of an old world-open rule is not exposure (only what a change brings in counts)', () => {
    expect(defaultSeverity(draft([], ['tcp 22 from ::/0']))).not.toBe('critical');
  });
});
