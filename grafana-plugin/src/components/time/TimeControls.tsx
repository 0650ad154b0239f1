import React from 'react';
import { RefreshPicker, Stack, TimeRangePicker } from '@grafana/ui';
import type { PageTime } from '../../hooks/useTimeRange';
import { shiftRange, zoomOut } from '../../utils/time';

/** Grafana's own time range and refresh pickers, bound to the page's URL time state. */
export function TimeControls({ time, loading }: { time: PageTime; loading?: boolean }) {
  return (
    <Stack gap={1} alignItems="center" data-testid="time-controls">
      <TimeRangePicker
        value={time.range}
        timeZone={time.timeZone}
        onChange={time.setRange}
        onChangeTimeZone={time.setTimeZone}
        onMoveBackward={() => time.setRange(shiftRange(time.range, -1))}
        onMoveForward={() => time.setRange(shiftRange(time.range, 1))}
        onZoom={() => time.setRange(zoomOut(time.range))}
      />
      <RefreshPicker
        value={time.refresh}
        onRefresh={time.refreshNow}
        onIntervalChanged={time.setRefresh}
        isLoading={loading}
        tooltip="Refresh"
      />
    </Stack>
  );
}
