import { escapeRegex, labelMatchers, matcherFor, quote, renderMatcher } from './filters';

describe('filters', () => {
  it('quotes values as LogQL/PromQL string literals', () => {
    expect(quote('plain')).toBe('"plain"');
    expect(quote('a"b\\c')).toBe('"a\\"b\\\\c"');
  });

  it('uses = for one value, =~ with escaped alternatives for several, nothing for none', () => {
    expect(matcherFor('region', [])).toBeUndefined();
    expect(matcherFor('region', undefined)).toBeUndefined();
    expect(matcherFor('region', ['us-east-1'])).toEqual({ label: 'region', op: '=', value: 'us-east-1' });
    expect(renderMatcher(matcherFor('resource_type', ['a.b', 'c'])!)).toBe('resource_type=~"a\\\\.b|c"');
    expect(matcherFor('region', ['x', 'x', ''])).toEqual({ label: 'region', op: '=', value: 'x' });
  });

  it('turns a dashboard variable into a regex matcher Grafana interpolates', () => {
    expect(renderMatcher(matcherFor('account_id', { variable: 'account_id' })!)).toBe(
      'account_id=~"${account_id:regex}"',
    );
  });

  it('escapes every regex metacharacter', () => {
    const value = 'a.b*c+d?e^f$g{h}i(j)k|l[m]n\\o';
    expect(new RegExp(`^${escapeRegex(value)}$`).test(value)).toBe(true);
  });

  it('only makes matchers for stream labels, in a stable order', () => {
    const matchers = labelMatchers({
      severity: ['critical'],
      resource_type: ['aws_s3_bucket'],
      provider: ['aws'],
    });
    expect(matchers.map((m) => m.label)).toEqual(['provider', 'severity']);
  });
});
