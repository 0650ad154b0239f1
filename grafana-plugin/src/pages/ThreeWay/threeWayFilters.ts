import type { DriftFilters } from '../../queries/filters';
import { DEFAULT_RANGE, isRangeKey, RangeKey } from '../../utils/time';

/** The filters the three-way view keeps in the URL, so a filtered view can be shared. */
export const THREE_WAY_FILTER_KEYS = [
  'account_id',
  'region',
  'provider',
  'severity',
  'resource_type',
] as const;
export type ThreeWayFilterKey = (typeof THREE_WAY_FILTER_KEYS)[number];

export interface ThreeWayState {
  filters: DriftFilters;
  range: RangeKey;
  showResolved: boolean;
}

export function stateFromParams(params: URLSearchParams): ThreeWayState {
  const filters: DriftFilters = {};
  for (const key of THREE_WAY_FILTER_KEYS) {
    const values = params
      .getAll(key)
      .flatMap((v) => v.split(','))
      .filter((v) => v !== '');
    if (values.length > 0) {
      filters[key] = values;
    }
  }
  const range = params.get('range');
  return {
    filters,
    range: isRangeKey(range) ? range : DEFAULT_RANGE,
    showResolved: params.get('resolved') === '1',
  };
}

export function paramsFromState(state: ThreeWayState): Record<string, string> {
  const out: Record<string, string> = { range: state.range };
  for (const key of THREE_WAY_FILTER_KEYS) {
    const v = state.filters[key];
    if (Array.isArray(v) && v.length > 0) {
      out[key] = v.join(',');
    }
  }
  if (state.showResolved) {
    out.resolved = '1';
  }
  return out;
}
