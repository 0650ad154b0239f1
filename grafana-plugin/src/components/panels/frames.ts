import {
  applyFieldOverrides,
  DataFrame,
  FieldColorModeId,
  FieldType,
  GrafanaTheme2,
  TimeZone,
  toDataFrame,
} from '@grafana/data';
import { BarAlignment, GraphDrawStyle, StackingMode } from '@grafana/schema';
import type { Series } from '../../api/parse';

/**
 * Prometheus/Loki matrix series as Grafana DataFrames for TimeSeries: one frame per series, named by
 * `labelKey`, stacked bars in `colors` (theme colour names), ordered by `order`, with display processors.
 */
export function barSeriesFrames(opts: {
  series: Series[];
  labelKey: string;
  colors: Record<string, string>;
  order: readonly string[];
  theme: GrafanaTheme2;
  timeZone: TimeZone;
}): DataFrame[] {
  const rank = (name: string) => {
    const i = opts.order.indexOf(name);
    return i < 0 ? opts.order.length : i;
  };
  const frames = opts.series
    // A series without samples has nothing to plot (and an empty time field cannot be aligned).
    .filter((s) => s.points.length > 0)
    .sort((a, b) => rank(a.labels[opts.labelKey] ?? '') - rank(b.labels[opts.labelKey] ?? ''))
    .map((s) => {
      const name = s.labels[opts.labelKey] ?? '';
      // Time ascending, one value per time: the frames are outer-joined on time by the chart.
      const points = [...s.points].sort((a, b) => a[0] - b[0]);
      return toDataFrame({
        name,
        fields: [
          { name: 'Time', type: FieldType.time, values: points.map((p) => p[0]), config: {} },
          {
            name,
            type: FieldType.number,
            values: points.map((p) => p[1]),
            config: {
              displayName: name,
              decimals: 0,
              min: 0,
              color: opts.colors[name]
                ? { mode: FieldColorModeId.Fixed, fixedColor: opts.colors[name] }
                : { mode: FieldColorModeId.PaletteClassic },
              custom: {
                drawStyle: GraphDrawStyle.Bars,
                // A count_over_time sample at t counts the step before t.
                barAlignment: BarAlignment.Before,
                fillOpacity: 80,
                lineWidth: 1,
                stacking: { mode: StackingMode.Normal, group: 'A' },
                axisSoftMin: 0,
              },
            },
          },
        ],
      });
    });
  return applyFieldOverrides({
    data: frames,
    fieldConfig: { defaults: {}, overrides: [] },
    replaceVariables: (v) => v,
    theme: opts.theme,
    timeZone: opts.timeZone,
  });
}

/**
 * True when TimeSeries (GraphNG) can align `frames` on time: at least one frame, each with a time field and a
 * number field of the same, non-zero length. GraphNG throws on anything else, so render a no-data state instead.
 */
export function canAlignOnTime(frames: DataFrame[]): boolean {
  return (
    frames.length > 0 &&
    frames.every((frame) => {
      const time = frame.fields.find((f) => f.type === FieldType.time);
      const values = frame.fields.filter((f) => f.type === FieldType.number);
      return (
        time !== undefined &&
        time.values.length > 0 &&
        values.length > 0 &&
        values.every((f) => f.values.length === time.values.length)
      );
    })
  );
}
