import {
  driftCountBy,
  driftHistoryQuery,
  driftLogQuery,
  overviewLogQueries,
  streamSelector,
  topDriftCountBy,
} from './logql';
import { logqlErrors } from './syntax';

describe('LogQL builders', () => {
  it('builds the stream selector from job and label filters only', () => {
    expect(streamSelector('tfdrift')).toBe('{job="tfdrift"}');
    expect(
      streamSelector('tfdrift', {
        account_id: ['123456789012'],
        severity: ['critical', 'high'],
        resource_type: ['x'],
      }),
    ).toBe('{job="tfdrift", account_id="123456789012", severity=~"critical|high"}');
  });

  it('puts label filters first, then | json guarded by __error__, then json field filters', () => {
    expect(
      driftLogQuery({ job: 'tfdrift', filters: { region: ['eu-west-1'], resource_type: ['aws_iam_role'] } }),
    ).toBe('{job="tfdrift", region="eu-west-1"} | json | __error__="" | resource_type="aws_iam_role"');
  });

  it('counts detections by labels over a range', () => {
    expect(
      driftCountBy({
        job: 'tfdrift',
        filters: { change_type: ['unmanaged'] },
        by: ['account_id'],
        range: '1h',
      }),
    ).toBe(
      'sum by (account_id) (count_over_time({job="tfdrift", change_type="unmanaged"} | json | __error__="" | event_type="terraform_drift_detected" [1h]))',
    );
    expect(driftCountBy({ job: 'j', by: [], range: '$__range' })).toBe(
      'sum (count_over_time({job="j"} | json | __error__="" | event_type="terraform_drift_detected" [$__range]))',
    );
  });

  it('ranks top users by the json-flattened user_name field', () => {
    expect(topDriftCountBy({ job: 'tfdrift', by: ['user_name'], range: '24h', limit: 10 })).toBe(
      'topk(10, sum by (user_name) (count_over_time({job="tfdrift"} | json | __error__="" | event_type="terraform_drift_detected" [24h])))',
    );
  });

  it('finds the history of a drift with a line filter before parsing', () => {
    expect(driftHistoryQuery('tfdrift', '9f3c1a7e5b2d4c60')).toBe(
      '{job="tfdrift"} |= "9f3c1a7e5b2d4c60" | json | __error__="" | drift_id="9f3c1a7e5b2d4c60"',
    );
  });

  it('keeps hostile filter values inside their string literal', () => {
    const q = driftLogQuery({ job: 'tfdrift', filters: { account_id: ['1"} |= "x'] } });
    expect(q).toBe('{job="tfdrift", account_id="1\\"} |= \\"x"} | json | __error__=""');
    expect(logqlErrors(q)).toEqual([]);
  });

  it('produces queries that parse with the LogQL grammar', () => {
    const filters = {
      account_id: ['a', 'b'],
      severity: { variable: 'severity' },
      resource_type: ['aws_instance'],
    };
    const queries = [
      ...Object.values(overviewLogQueries('tfdrift', filters, '$__range')),
      ...Object.values(overviewLogQueries('tfdrift', {}, '24h')),
      driftHistoryQuery('tfdrift', 'abc'),
      driftLogQuery({ job: 'tfdrift', filters }),
    ];
    for (const q of queries) {
      expect({ q, errors: logqlErrors(q) }).toEqual({ q, errors: [] });
    }
    expect(logqlErrors('sum by (x) (count_over_time({job="a"} | json [5m]')).not.toEqual([]);
  });
});
