import { DriftFilters, Matcher, labelMatchers, matcherFor, renderMatcher } from './filters';

/**
 * PromQL builders over the exporter's metrics (names fixed by DESIGN.md). tfdrift_drifts_open and
 * tfdrift_drifts_total carry provider, account_id, change_type, severity (and resource_type on
 * _total) but no region, so a region filter is not applied to them.
 */
export const METRICS = {
  driftsTotal: 'tfdrift_drifts_total',
  driftsOpen: 'tfdrift_drifts_open',
  inputConnected: 'tfdrift_input_connected',
  stateLastSuccess: 'tfdrift_state_last_success_timestamp_seconds',
  stateResources: 'tfdrift_state_resources',
  eventsReceived: 'tfdrift_events_received_total',
  eventsFailed: 'tfdrift_events_failed_total',
  eventLag: 'tfdrift_event_lag_seconds',
  outputQueue: 'tfdrift_output_queue_length',
  buildInfo: 'tfdrift_build_info',
} as const;

function metricMatchers(filters: DriftFilters, withResourceType: boolean): Matcher[] {
  const noRegion: DriftFilters = { ...filters, region: undefined };
  const matchers = labelMatchers(noRegion);
  // resource_type is a real label on tfdrift_drifts_total (not on _open), so it filters there too.
  const rt = withResourceType ? matcherFor('resource_type', filters.resource_type) : undefined;
  return rt ? [...matchers, rt] : matchers;
}

export function selector(metric: string, matchers: Matcher[] = []): string {
  return matchers.length === 0 ? metric : `${metric}{${matchers.map(renderMatcher).join(', ')}}`;
}

/** Open drifts now (computed by the exporter at scrape), summed by the given labels. */
export function openDriftsBy(filters: DriftFilters, by: string[]): string {
  const sel = selector(METRICS.driftsOpen, metricMatchers(filters, false));
  return by.length > 0 ? `sum by (${by.join(', ')}) (${sel})` : `sum(${sel})`;
}

/** Drifts detected in a window, from the counter. */
export function driftsIncreaseBy(filters: DriftFilters, by: string[], range: string): string {
  const sel = selector(METRICS.driftsTotal, metricMatchers(filters, true));
  const agg = by.length > 0 ? `sum by (${by.join(', ')})` : 'sum';
  return `${agg} (increase(${sel}[${range}]))`;
}

/** 1 per connected input, 0 when disconnected. */
export function inputConnected(): string {
  return `max by (input) (${METRICS.inputConnected})`;
}

/** Seconds since each state last loaded successfully. */
export function stateAgeSeconds(): string {
  return `time() - max by (state) (${METRICS.stateLastSuccess})`;
}

/** p95 of detection time minus event time. */
export function eventLagP95(range: string): string {
  return `histogram_quantile(0.95, sum by (le) (rate(${METRICS.eventLag}_bucket[${range}])))`;
}
