import { exploreUrl } from './explore';
import { resourceDriftsQuery } from './logql';
import { logqlErrors } from './syntax';
import { resolutionsQuery, threeWayCountQuery, threeWayRowsQuery } from './threeWay';

describe('three-way queries', () => {
  const filters = {
    account_id: ['123456789012'],
    severity: ['critical', 'high'],
    user_name: ['alice'],
    resource_type: ['aws_s3_bucket'],
  };

  it('counts detections and resolutions per kind with one metric query', () => {
    expect(threeWayCountQuery('tfdrift', filters, '24h')).toBe(
      'sum by (change_type, event_type) (count_over_time({job="tfdrift", account_id="123456789012", severity=~"critical|high"} | json | __error__="" | resource_type="aws_s3_bucket" | user_name="alice" [24h]))',
    );
  });

  it('reads detection lines of one kind, and resolutions of the rows on screen by line filter', () => {
    expect(threeWayRowsQuery('tfdrift', filters, 'missing')).toBe(
      '{job="tfdrift", account_id="123456789012", severity=~"critical|high", change_type="missing"} | json | __error__="" | resource_type="aws_s3_bucket" | user_name="alice" | event_type="terraform_drift_detected"',
    );
    expect(resolutionsQuery('tfdrift', 'modified', ['ab12', 'cd.34'])).toBe(
      '{job="tfdrift", change_type="modified"} |~ "ab12|cd\\\\.34" | json | __error__="" | event_type="terraform_drift_resolved"',
    );
  });

  it("finds a resource's other drifts by id, else by address", () => {
    expect(
      resourceDriftsQuery('tfdrift', { account_id: '1', resource_id: 'sg-1', resource_address: 'a.b' }),
    ).toBe('{job="tfdrift", account_id="1"} |= "sg-1" | json | __error__="" | resource_id="sg-1"');
    expect(
      resourceDriftsQuery('tfdrift', { account_id: null, resource_id: null, resource_address: 'a.b' }),
    ).toBe('{job="tfdrift"} |= "a.b" | json | __error__="" | resource_address="a.b"');
    expect(
      resourceDriftsQuery('tfdrift', { account_id: null, resource_id: null, resource_address: null }),
    ).toBeUndefined();
  });

  it('produces queries that parse with the LogQL grammar', () => {
    for (const q of [
      threeWayCountQuery('tfdrift', filters, '90m'),
      threeWayRowsQuery('tfdrift', filters, 'modified'),
      resolutionsQuery('tfdrift', 'unmanaged', ['a', 'b']),
      resourceDriftsQuery('tfdrift', { account_id: '1', resource_id: 'sg-1', resource_address: null })!,
    ]) {
      expect({ q, errors: logqlErrors(q) }).toEqual({ q, errors: [] });
    }
  });
});

describe('Explore URLs', () => {
  it('open one pane with the exact queries, their data sources and the range', () => {
    const url = exploreUrl(
      [
        { datasource: { type: 'loki', uid: 'loki' }, expr: '{job="tfdrift"} | json' },
        { datasource: { type: 'prometheus', uid: 'prom' }, expr: 'sum(tfdrift_drifts_open)' },
      ],
      { raw: { from: 'now-6h', to: 'now' } },
      1,
    );
    const parsed = new URL(url, 'http://grafana');
    expect(parsed.pathname).toBe('/explore');
    expect(parsed.searchParams.get('schemaVersion')).toBe('1');
    expect(parsed.searchParams.get('orgId')).toBe('1');
    expect(JSON.parse(parsed.searchParams.get('panes')!)).toEqual({
      a: {
        datasource: 'loki',
        queries: [
          {
            refId: 'A',
            datasource: { type: 'loki', uid: 'loki' },
            expr: '{job="tfdrift"} | json',
            queryType: 'range',
            editorMode: 'code',
          },
          {
            refId: 'B',
            datasource: { type: 'prometheus', uid: 'prom' },
            expr: 'sum(tfdrift_drifts_open)',
            queryType: 'range',
            editorMode: 'code',
          },
        ],
        range: { from: 'now-6h', to: 'now' },
      },
    });
  });
});
