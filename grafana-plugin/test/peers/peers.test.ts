import { loadFixtureRecords } from '../fixtures/records';
import { flattenJson, handleLokiRequest, jsonField } from './loki';
import { handlePrometheusRequest } from './prometheus';

const NOW = Date.parse('2026-04-01T12:00:00Z');
const records = loadFixtureRecords(NOW);
const ns = (ms: number) => `${ms}000000`;

describe('Loki peer', () => {
  it('answers log queries as streams of [ns string, line] newest first, labels extended by | json', () => {
    const res = handleLokiRequest(
      '/loki/api/v1/query_range',
      {
        query:
          '{job="tfdrift", account_id="123456789012"} | json | __error__="" | resource_type="aws_s3_bucket"',
        start: ns(NOW - 86_400_000),
        end: ns(NOW),
      },
      records,
      NOW,
    );
    expect(res.status).toBe(200);
    const body = res.body as {
      status: string;
      data: { resultType: string; result: Array<{ stream: Record<string, string>; values: string[][] }> };
    };
    expect(body.status).toBe('success');
    expect(body.data.resultType).toBe('streams');
    expect(body.data.result).toHaveLength(1);
    expect(body.data.result[0].stream).toMatchObject({
      job: 'tfdrift',
      account_id: '123456789012',
      resource_type: 'aws_s3_bucket',
      user_name: 'bob',
    });
    expect(body.data.result[0].values[0][0]).toMatch(/^\d{19}$/);
    expect(JSON.parse(body.data.result[0].values[0][1]).drift_id).toBe('2b7d9e41c0a85f13');
  });

  it('answers metric queries as vector (instant) and matrix (range) with [seconds, "value"] samples', () => {
    const q =
      'sum by (change_type) (count_over_time({job="tfdrift"} | json | __error__="" | event_type="terraform_drift_detected" [1d]))';
    const vector = handleLokiRequest('/loki/api/v1/query', { query: q, time: ns(NOW) }, records, NOW)
      .body as {
      data: {
        resultType: string;
        result: Array<{ metric: Record<string, string>; value: [number, string] }>;
      };
    };
    expect(vector.data.resultType).toBe('vector');
    const counts = Object.fromEntries(vector.data.result.map((s) => [s.metric.change_type, s.value[1]]));
    expect(counts).toEqual({ modified: '3', unmanaged: '3', missing: '1' });
    const matrix = handleLokiRequest(
      '/loki/api/v1/query_range',
      { query: q, start: ns(NOW - 3_600_000), end: ns(NOW), step: '600' },
      records,
      NOW,
    ).body as { data: { resultType: string; result: Array<{ values: Array<[number, string]> }> } };
    expect(matrix.data.resultType).toBe('matrix');
    expect(typeof matrix.data.result[0].values[0][0]).toBe('number');
    expect(typeof matrix.data.result[0].values[0][1]).toBe('string');
  });

  it('rejects what real Loki rejects: selectors without a non-empty matcher, unparsable queries', () => {
    expect(handleLokiRequest('/loki/api/v1/query', { query: '{job=""}' }, records, NOW).status).toBe(400);
    expect(
      handleLokiRequest('/loki/api/v1/query', { query: 'sum(count_over_time({job="a"}[5m]' }, records, NOW)
        .status,
    ).toBe(400);
    expect(handleLokiRequest('/loki/api/v1/nope', {}, records, NOW).status).toBe(404);
  });

  it('lists label values and flattens nested JSON like Loki', () => {
    const body = handleLokiRequest('/loki/api/v1/label/region/values', {}, records, NOW).body as {
      data: string[];
    };
    expect(body.data).toEqual(['eu-west-1', 'europe-west1', 'us-east-1', 'westeurope']);
    expect(flattenJson({ user: { name: 'a', arn: null }, changes: [1] })).toEqual({
      user_name: 'a',
      user_arn: '',
    });
  });
});

describe('Prometheus peer', () => {
  it('exposes the exporter metrics for the records and evaluates aggregations', () => {
    const res = handlePrometheusRequest(
      '/api/v1/query',
      { query: 'sum by (change_type) (tfdrift_drifts_open)', time: String(NOW / 1000) },
      records,
      NOW,
    );
    const body = res.body as {
      data: {
        resultType: string;
        result: Array<{ metric: Record<string, string>; value: [number, string] }>;
      };
    };
    expect(body.data.resultType).toBe('vector');
    expect(Object.fromEntries(body.data.result.map((s) => [s.metric.change_type, s.value[1]]))).toEqual({
      modified: '2',
      unmanaged: '3',
      missing: '1',
    });
  });

  it('computes increase() over the counter and scalar arithmetic', () => {
    const inc = handlePrometheusRequest(
      '/api/v1/query',
      { query: 'sum (increase(tfdrift_drifts_total{severity="critical"}[1d]))' },
      records,
      NOW,
    ).body as { data: { result: Array<{ value: [number, string] }> } };
    expect(inc.data.result[0].value[1]).toBe('2');
    const age = handlePrometheusRequest(
      '/api/v1/query',
      { query: 'time() - max by (state) (tfdrift_state_last_success_timestamp_seconds)' },
      records,
      NOW,
    ).body as { data: { result: Array<{ metric: { state: string }; value: [number, string] }> } };
    expect(age.data.result.find((s) => s.metric.state === 'staging')?.value[1]).toBe('7200');
  });

  it('answers matrices for range queries and bad_data errors for unknown expressions', () => {
    const matrix = handlePrometheusRequest(
      '/api/v1/query_range',
      {
        query: 'tfdrift_input_connected',
        start: String(NOW / 1000 - 600),
        end: String(NOW / 1000),
        step: '300',
      },
      records,
      NOW,
    ).body as { data: { resultType: string; result: Array<{ values: unknown[] }> } };
    expect(matrix.data.resultType).toBe('matrix');
    expect(matrix.data.result[0].values).toHaveLength(3);
    const bad = handlePrometheusRequest('/api/v1/query', { query: 'nonsense(' }, records, NOW);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ status: 'error', errorType: 'bad_data' });
  });
});

describe('Loki peer limits and paging', () => {
  const logs = (params: Record<string, string>) =>
    handleLokiRequest('/loki/api/v1/query_range', params, records, NOW) as {
      status: number;
      body: { data: { result: Array<{ values: string[][] }> } } | string;
    };
  const lines = (params: Record<string, string>) => {
    const res = logs(params);
    if (typeof res.body === 'string') {
      throw new Error(res.body);
    }
    return res.body.data.result.flatMap((r) => r.values);
  };

  it('treats end as exclusive at nanosecond precision (paging cursors are oldest + 1 ns)', () => {
    const all = lines({ query: '{job="tfdrift"}', start: ns(NOW - 86_400_000), end: ns(NOW), limit: '100' });
    const oldest = all[all.length - 1][0];
    const upTo = lines({ query: '{job="tfdrift"}', start: ns(NOW - 86_400_000), end: oldest, limit: '100' });
    expect(upTo.some(([t]) => t === oldest)).toBe(false);
    const withOldest = lines({
      query: '{job="tfdrift"}',
      start: ns(NOW - 86_400_000),
      end: (BigInt(oldest) + BigInt(1)).toString(),
      limit: '100',
    });
    expect(withOldest.filter(([t]) => t === oldest)).toHaveLength(all.filter(([t]) => t === oldest).length);
  });

  it('filters lines by regex (|~) before | json', () => {
    const got = lines({
      query: '{job="tfdrift"} |~ "9f3c1a7e5b2d4c60|c4e8a2f06d1b9357" | json | __error__=""',
      start: ns(NOW - 86_400_000),
      end: ns(NOW),
    });
    expect(got.map(([, l]) => JSON.parse(l).drift_id).sort()).toEqual([
      '9f3c1a7e5b2d4c60',
      'c4e8a2f06d1b9357',
    ]);
  });

  it("refuses what Loki's default limits refuse", () => {
    const tooMany = logs({
      query: '{job="tfdrift"}',
      limit: '5001',
      start: ns(NOW - 3_600_000),
      end: ns(NOW),
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatch(/max entries limit per query exceeded/);
    const tooLong = logs({ query: '{job="tfdrift"}', start: ns(NOW - 31 * 86_400_000), end: ns(NOW) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toMatch(/the query time range exceeds the limit/);
  });

  it('serves its config (retention) and label values within the asked window', () => {
    const config = handleLokiRequest('/config', {}, records, NOW);
    expect(config.body).toMatch(/retention_enabled: true/);
    expect(config.body).toMatch(/retention_period: 2160h/);
    const values = (start: number) =>
      (
        handleLokiRequest('/loki/api/v1/label/job/values', { start: ns(start), end: ns(NOW) }, records, NOW)
          .body as {
          data: string[];
        }
      ).data;
    expect(values(NOW - 86_400_000)).toEqual(['tfdrift']);
    expect(values(NOW - 1000)).toEqual([]);
  });

  it('reads | json fields from nested objects the way Loki flattens them', () => {
    const record = { resource_type: 'aws_s3_bucket', user: { name: 'bob', arn: null }, changes: [{ a: 1 }] };
    expect(jsonField(record, 'resource_type')).toBe('aws_s3_bucket');
    expect(jsonField(record, 'user_name')).toBe('bob');
    expect(jsonField(record, 'user_arn')).toBe('');
    expect(jsonField(record, 'changes')).toBeUndefined();
    expect(jsonField(record, 'nothing')).toBeUndefined();
    expect(flattenJson(record)).toMatchObject({
      resource_type: 'aws_s3_bucket',
      user_name: 'bob',
      user_arn: '',
    });
  });
});
