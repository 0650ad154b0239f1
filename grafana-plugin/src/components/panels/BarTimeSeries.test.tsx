import React from 'react';
import { render, screen } from '@testing-library/react';
import { createTheme, dateTime, FieldType, toDataFrame } from '@grafana/data';
import { BarTimeSeries } from './BarTimeSeries';
import { barSeriesFrames, canAlignOnTime } from './frames';

const theme = createTheme();
const range = { from: dateTime(0), to: dateTime(3_600_000), raw: { from: 'now-1h', to: 'now' } };
const frames = (series: Array<{ labels: Record<string, string>; points: Array<[number, number]> }>) =>
  barSeriesFrames({ series, labelKey: 'severity', colors: {}, order: ['high'], theme, timeZone: 'utc' });

describe('BarTimeSeries', () => {
  it.each([
    ['no series (Loki answered an empty matrix)', []],
    ['only series without samples', [{ labels: { severity: 'high' }, points: [] }]],
  ])('shows a no-data message instead of crashing GraphNG for %s', (_name, series) => {
    const built = frames(series as never);
    expect(canAlignOnTime(built)).toBe(false);
    render(
      <BarTimeSeries frames={built} timeRange={range} timeZone="utc" width={400} height={200} emptyText="Nothing" />,
    );
    expect(screen.getByTestId('chart-no-data')).toHaveTextContent('Nothing');
  });
});

describe('barSeriesFrames', () => {
  it('builds frames that align on time: samples sorted by time, empty series dropped', () => {
    const built = frames([
      { labels: { severity: 'high' }, points: [[2000, 1], [1000, 3]] },
      { labels: { severity: 'low' }, points: [] },
    ]);
    expect(built).toHaveLength(1);
    expect(built[0].fields[0].values).toEqual([1000, 2000]);
    expect(built[0].fields[1].values).toEqual([3, 1]);
    expect(canAlignOnTime(built)).toBe(true);
  });

  it('says frames without a time field, or with fields of different lengths, cannot be aligned', () => {
    const noTime = toDataFrame({ fields: [{ name: 'v', type: FieldType.number, values: [1] }] });
    const ragged = toDataFrame({
      fields: [
        { name: 'Time', type: FieldType.time, values: [1, 2] },
        { name: 'v', type: FieldType.number, values: [1] },
      ],
    });
    expect(canAlignOnTime([noTime])).toBe(false);
    expect(canAlignOnTime([ragged])).toBe(false);
  });
});
