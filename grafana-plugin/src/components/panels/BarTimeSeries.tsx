import React from 'react';
import { css } from '@emotion/css';
import { DataFrame, GrafanaTheme2, TimeRange, TimeZone } from '@grafana/data';
import { LegendDisplayMode, TooltipDisplayMode } from '@grafana/schema';
import { TimeSeries, useStyles2 } from '@grafana/ui';
import { canAlignOnTime } from './frames';

/**
 * Grafana's TimeSeries for frames from `barSeriesFrames`, or a no-data message when there is nothing to align
 * on time (GraphNG throws on frames it cannot align, e.g. none at all).
 */
export function BarTimeSeries(props: {
  frames: DataFrame[];
  timeRange: TimeRange;
  timeZone: TimeZone;
  width: number;
  height: number;
  emptyText: string;
}) {
  const styles = useStyles2(getStyles);
  if (!canAlignOnTime(props.frames)) {
    return (
      <div className={styles.empty} style={{ height: props.height }} data-testid="chart-no-data">
        {props.emptyText}
      </div>
    );
  }
  return (
    <TimeSeries
      frames={props.frames}
      timeRange={props.timeRange}
      timeZone={props.timeZone}
      width={props.width}
      height={props.height}
      legend={{
        showLegend: true,
        displayMode: LegendDisplayMode.List,
        placement: 'bottom',
        calcs: ['sum'],
      }}
      options={{ tooltip: { mode: TooltipDisplayMode.Multi, sort: 'desc' } }}
    />
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  empty: css({
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'center',
    color: theme.colors.text.secondary,
  }),
});
