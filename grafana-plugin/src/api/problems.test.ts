import { classifyError, QueryError } from './problems';

describe('page problems', () => {
  it('names the cause and the fix for each kind of failure', () => {
    const notConfigured = classifyError(
      new QueryError('404: Data source not found', 404, 'loki'),
      'Loki',
      'loki',
    );
    expect(notConfigured).toMatchObject({
      kind: 'not-configured',
      title: 'Loki data source "loki" is not configured',
    });
    expect(notConfigured.fix).toMatch(/Configuration page/);

    const down = classifyError(new QueryError('502: Bad Gateway', 502, 'loki'), 'Loki', 'loki');
    expect(down).toMatchObject({
      kind: 'unreachable',
      title: 'Loki is unreachable',
      detail: '502: Bad Gateway',
    });
    expect(classifyError(new Error('Failed to fetch'), 'Loki', 'loki').kind).toBe('unreachable');

    const denied = classifyError(new QueryError('403: forbidden', 403, 'prom'), 'Prometheus', 'prom');
    expect(denied).toMatchObject({ kind: 'rejected', title: 'Prometheus rejected the query (403)' });
    expect(denied.fix).toMatch(/credentials/);
    expect(
      classifyError(
        new QueryError('400: the query time range exceeds the limit', 400, 'loki'),
        'Loki',
        'loki',
      ).fix,
    ).toMatch(/shorter time range/);
    expect(classifyError(new QueryError('500: boom', 500, 'loki'), 'Loki', 'loki').kind).toBe('error');
  });
});
