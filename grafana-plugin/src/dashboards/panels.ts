/** Minimal typed builders for Grafana dashboard JSON (schemaVersion 39, Grafana 11–13). */
export const LOKI = { type: 'loki', uid: 'loki' } as const;
export const PROMETHEUS = { type: 'prometheus', uid: 'prometheus' } as const;
export type DatasourceRef = typeof LOKI | typeof PROMETHEUS;

export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Target {
  refId: string;
  datasource: DatasourceRef;
  expr: string;
  legendFormat?: string;
  instant?: boolean;
  range?: boolean;
  queryType?: 'range' | 'instant';
  format?: 'table' | 'time_series';
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  gridPos: GridPos;
  datasource: DatasourceRef;
  targets: Target[];
  options?: Record<string, unknown>;
  fieldConfig?: Record<string, unknown>;
  transformations?: Array<Record<string, unknown>>;
  links?: Array<Record<string, unknown>>;
}

/** A LogQL target: range queries feed time series, instant ones feed stats, bars and tables. */
export function lokiTarget(
  refId: string,
  expr: string,
  mode: 'range' | 'instant',
  legendFormat?: string,
): Target {
  return { refId, datasource: LOKI, expr, queryType: mode, ...(legendFormat ? { legendFormat } : {}) };
}

export function promTarget(
  refId: string,
  expr: string,
  mode: 'range' | 'instant',
  legendFormat?: string,
): Target {
  return {
    refId,
    datasource: PROMETHEUS,
    expr,
    instant: mode === 'instant',
    range: mode === 'range',
    ...(legendFormat ? { legendFormat } : {}),
  };
}

const SEVERITY_COLORS: Record<string, string> = {
  critical: 'red',
  high: 'orange',
  medium: 'blue',
  low: 'green',
  info: 'purple',
};

/** Fixed colors per severity series so every panel agrees. */
export function severityOverrides() {
  return Object.entries(SEVERITY_COLORS).map(([name, color]) => ({
    matcher: { id: 'byName', options: name },
    properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: color } }],
  }));
}

export function panel(p: Omit<Panel, 'datasource'> & { datasource?: DatasourceRef }): Panel {
  return { datasource: p.targets[0].datasource, ...p };
}

export function stat(
  id: number,
  title: string,
  gridPos: GridPos,
  target: Target,
  extra: Partial<Panel> = {},
): Panel {
  return panel({
    id,
    type: 'stat',
    title,
    gridPos,
    targets: [target],
    options: {
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      colorMode: 'value',
      graphMode: 'none',
      textMode: 'value_and_name',
    },
    fieldConfig: { defaults: { unit: 'none', noValue: '0' }, overrides: [] },
    ...extra,
  });
}

export function barGauge(id: number, title: string, gridPos: GridPos, target: Target): Panel {
  return panel({
    id,
    type: 'bargauge',
    title,
    gridPos,
    targets: [target],
    options: {
      orientation: 'horizontal',
      displayMode: 'basic',
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      showUnfilled: true,
    },
    fieldConfig: { defaults: { unit: 'none', min: 0 }, overrides: [] },
  });
}

export function timeSeriesBars(id: number, title: string, gridPos: GridPos, target: Target): Panel {
  return panel({
    id,
    type: 'timeseries',
    title,
    gridPos,
    targets: [target],
    options: {
      legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
    fieldConfig: {
      defaults: {
        unit: 'none',
        custom: {
          drawStyle: 'bars',
          fillOpacity: 80,
          stacking: { mode: 'normal', group: 'A' },
          lineWidth: 1,
        },
      },
      overrides: severityOverrides(),
    },
  });
}

export function table(id: number, title: string, gridPos: GridPos, target: Target): Panel {
  return panel({
    id,
    type: 'table',
    title,
    gridPos,
    targets: [{ ...target, format: 'table' }],
    transformations: [
      {
        id: 'organize',
        options: { excludeByName: { Time: true }, renameByName: { Value: 'drifts', 'Value #A': 'drifts' } },
      },
    ],
    options: { showHeader: true, sortBy: [{ displayName: 'drifts', desc: true }] },
    fieldConfig: { defaults: {}, overrides: [] },
  });
}

export function logs(id: number, title: string, gridPos: GridPos, target: Target): Panel {
  return panel({
    id,
    type: 'logs',
    title,
    gridPos,
    targets: [target],
    options: {
      showTime: true,
      wrapLogMessage: true,
      prettifyLogMessage: true,
      enableLogDetails: true,
      sortOrder: 'Descending',
      dedupStrategy: 'none',
    },
  });
}

/** A Loki label_values variable (multi-select with "All" as `.*`). */
export function labelVariable(name: string, label: string, job: string, multi = true) {
  return {
    name,
    label,
    type: 'query',
    datasource: LOKI,
    query: `label_values({job="${job}"}, ${name})`,
    definition: `label_values({job="${job}"}, ${name})`,
    refresh: 2,
    sort: 1,
    multi,
    includeAll: multi,
    ...(multi
      ? { allValue: '.*', current: { selected: true, text: ['All'], value: ['$__all'] } }
      : { current: {} }),
    options: [],
    hide: 0,
  };
}
