import {
  driftsIncreaseBy,
  eventLagP95,
  inputConnected,
  METRICS,
  openDriftsBy,
  stateAgeSeconds,
} from './promql';
import { promqlErrors } from './syntax';

describe('PromQL builders', () => {
  it('uses the metric names fixed by DESIGN.md', () => {
    expect(Object.values(METRICS)).toEqual([
      'tfdrift_drifts_total',
      'tfdrift_drifts_open',
      'tfdrift_input_connected',
      'tfdrift_state_last_success_timestamp_seconds',
      'tfdrift_state_resources',
      'tfdrift_events_received_total',
      'tfdrift_events_failed_total',
      'tfdrift_event_lag_seconds',
      'tfdrift_output_queue_length',
      'tfdrift_build_info',
    ]);
  });

  it('sums open drifts by labels, ignoring region (not a label of the metric)', () => {
    expect(openDriftsBy({ account_id: ['123456789012'], region: ['us-east-1'] }, ['change_type'])).toBe(
      'sum by (change_type) (tfdrift_drifts_open{account_id="123456789012"})',
    );
    expect(openDriftsBy({}, [])).toBe('sum(tfdrift_drifts_open)');
  });

  it('filters the counter by resource_type, which is one of its labels', () => {
    expect(
      driftsIncreaseBy({ severity: ['critical'], resource_type: ['aws_s3_bucket'] }, ['account_id'], '1h'),
    ).toBe(
      'sum by (account_id) (increase(tfdrift_drifts_total{severity="critical", resource_type="aws_s3_bucket"}[1h]))',
    );
  });

  it('builds the exporter health queries', () => {
    expect(inputConnected()).toBe('max by (input) (tfdrift_input_connected)');
    expect(stateAgeSeconds()).toBe('time() - max by (state) (tfdrift_state_last_success_timestamp_seconds)');
    expect(eventLagP95('5m')).toBe(
      'histogram_quantile(0.95, sum by (le) (rate(tfdrift_event_lag_seconds_bucket[5m])))',
    );
  });

  it('produces queries that parse with the PromQL grammar', () => {
    const queries = [
      openDriftsBy({ account_id: { variable: 'account_id' }, severity: ['a', 'b'] }, ['change_type']),
      driftsIncreaseBy({ provider: ['aws'] }, [], '$__range'),
      inputConnected(),
      stateAgeSeconds(),
      eventLagP95('$__rate_interval'),
    ];
    for (const q of queries) {
      expect({ q, errors: promqlErrors(q) }).toEqual({ q, errors: [] });
    }
    expect(promqlErrors('sum by (x (foo)')).not.toEqual([]);
  });
});
