import type { DriftFilters } from '../../queries/filters';
import { CHANGE_TYPES, ChangeType } from '../../types/drift';

/** URL parameter → filter key. The shared filter bar keeps every filter in the URL. */
export const THREE_WAY_FILTERS = [
  { param: 'account_id', key: 'account_id', label: 'Account' },
  { param: 'region', key: 'region', label: 'Region' },
  { param: 'provider', key: 'provider', label: 'Provider' },
  { param: 'resource_type', key: 'resource_type', label: 'Resource type' },
  { param: 'severity', key: 'severity', label: 'Severity' },
  { param: 'user', key: 'user_name', label: 'User' },
] as const;
export type ThreeWayFilterKey = (typeof THREE_WAY_FILTERS)[number]['key'];

export const SORT_COLUMNS = ['time', 'resource', 'severity', 'account', 'region', 'user'] as const;
export type SortColumn = (typeof SORT_COLUMNS)[number];
export interface SortState {
  column: SortColumn;
  desc: boolean;
}
export const DEFAULT_SORT: SortState = { column: 'time', desc: true };

export interface ThreeWayState {
  filters: DriftFilters;
  tab: ChangeType;
  sort: SortState;
  /** 1-based */
  page: number;
}

export function stateFromParams(params: URLSearchParams): ThreeWayState {
  const filters: DriftFilters = {};
  for (const f of THREE_WAY_FILTERS) {
    const values = params
      .getAll(f.param)
      .flatMap((v) => v.split(','))
      .filter((v) => v !== '');
    if (values.length > 0) {
      filters[f.key] = [...new Set(values)];
    }
  }
  const tab = params.get('tab');
  const [column, dir] = (params.get('sort') ?? '').split(':');
  const page = Number(params.get('page'));
  return {
    filters,
    tab: CHANGE_TYPES.includes(tab as ChangeType) ? (tab as ChangeType) : CHANGE_TYPES[0],
    sort: SORT_COLUMNS.includes(column as SortColumn)
      ? { column: column as SortColumn, desc: dir !== 'asc' }
      : DEFAULT_SORT,
    page: Number.isInteger(page) && page > 1 ? page : 1,
  };
}

/** The URL parameters of a state; null removes a parameter (for locationService.partial). */
export function paramsFromState(state: ThreeWayState): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const f of THREE_WAY_FILTERS) {
    const v = state.filters[f.key];
    out[f.param] = Array.isArray(v) && v.length > 0 ? v.join(',') : null;
  }
  out.tab = state.tab === CHANGE_TYPES[0] ? null : state.tab;
  const sortDefault = state.sort.column === DEFAULT_SORT.column && state.sort.desc === DEFAULT_SORT.desc;
  out.sort = sortDefault ? null : `${state.sort.column}:${state.sort.desc ? 'desc' : 'asc'}`;
  out.page = state.page > 1 ? String(state.page) : null;
  return out;
}
