import { parseDriftLine, parseMatrix, parseStreams, parseVector } from './parse';
import { proxyPath, errorMessage, stepSeconds } from './client';

// Answers in the formats documented for Loki's and Prometheus's HTTP APIs.
const lokiStreams = {
  status: 'success',
  data: {
    resultType: 'streams',
    result: [
      {
        stream: { job: 'tfdrift', severity: 'critical', change_type: 'modified' },
        values: [
          [
            '1774779330123000000',
            '{"event_type":"terraform_drift_detected","drift_id":"a","change_type":"modified"}',
          ],
          ['1774779390000000000', 'not json'],
        ],
      },
      {
        stream: { job: 'tfdrift' },
        values: [['1774779400000000000', '{"event_type":"terraform_drift_resolved","drift_id":"a"}']],
      },
    ],
    stats: { summary: { bytesProcessedPerSecond: 1 } },
  },
};

describe('response parsers', () => {
  it('reads Loki streams newest first, with drift records parsed', () => {
    const entries = parseStreams(lokiStreams);
    expect(entries.map((e) => e.time)).toEqual([1774779400000, 1774779390000, 1774779330123]);
    expect(entries[0].record?.event_type).toBe('terraform_drift_resolved');
    expect(entries[1].record).toBeNull();
    expect(entries[2].labels.severity).toBe('critical');
  });

  it('reads vectors and scalars', () => {
    const vector = {
      status: 'success',
      data: {
        resultType: 'vector',
        result: [{ metric: { change_type: 'missing' }, value: [1774779400.5, '3'] }],
      },
    };
    expect(parseVector(vector)).toEqual([{ labels: { change_type: 'missing' }, value: 3 }]);
    expect(parseVector({ status: 'success', data: { resultType: 'scalar', result: [1, '42'] } })).toEqual([
      { labels: {}, value: 42 },
    ]);
  });

  it('reads matrices with millisecond timestamps', () => {
    const matrix = {
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          {
            metric: { severity: 'high' },
            values: [
              [1774779300, '1'],
              [1774779360, '+Inf'],
            ],
          },
        ],
      },
    };
    expect(parseMatrix(matrix)).toEqual([
      {
        labels: { severity: 'high' },
        points: [
          [1774779300000, 1],
          [1774779360000, Infinity],
        ],
      },
    ]);
  });

  it('rejects error answers and unexpected result types with the server message', () => {
    expect(() =>
      parseVector({ status: 'error', errorType: 'bad_data', error: 'parse error at char 5' }),
    ).toThrow('parse error at char 5');
    expect(() => parseMatrix({ status: 'success', data: { resultType: 'streams', result: [] } })).toThrow(
      /expected matrix/,
    );
  });

  it('only accepts JSON lines that look like drift records', () => {
    expect(parseDriftLine('{"drift_id":"x","event_type":"terraform_drift_detected"}')?.drift_id).toBe('x');
    expect(parseDriftLine('{"msg":"hello"}')).toBeNull();
    expect(parseDriftLine('level=info msg=x')).toBeNull();
  });
});

describe('client helpers', () => {
  it('routes through the Grafana datasource proxy by uid', () => {
    expect(proxyPath('loki', '/loki/api/v1/query_range')).toBe(
      '/api/datasources/proxy/uid/loki/loki/api/v1/query_range',
    );
    expect(proxyPath('a b', 'api/v1/query')).toBe('/api/datasources/proxy/uid/a%20b/api/v1/query');
  });

  it('extracts messages from Loki text, Prometheus JSON and Grafana errors', () => {
    expect(errorMessage({ status: 400, data: 'parse error : syntax error' })).toBe(
      '400: parse error : syntax error',
    );
    expect(errorMessage({ status: 422, data: { status: 'error', error: 'bad_data' } })).toBe('422: bad_data');
    expect(errorMessage({ status: 404, data: { message: 'Data source not found' } })).toBe(
      '404: Data source not found',
    );
    expect(errorMessage(new Error('offline'))).toBe('offline');
  });

  it('picks whole-minute steps', () => {
    expect(stepSeconds({ from: 0, to: 3_600_000 }, 60)).toBe(60);
    expect(stepSeconds({ from: 0, to: 24 * 3_600_000 }, 48)).toBe(1800);
  });
});
