import { useCallback, useEffect, useMemo, useState } from 'react';
import { useLocation } from 'react-router-dom';
import { rangeUtil, TimeRange, TimeZone } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import type { TimeWindow } from '../api/client';
import {
  DEFAULT_TIME,
  timeRangeFromUrl,
  urlTimeValue,
  UrlTimeParams,
  userTimeZone,
  windowOf,
} from '../utils/time';

export interface PageTime {
  range: TimeRange;
  window: TimeWindow;
  timeZone: TimeZone;
  /** `refresh` from the URL ('' = off). */
  refresh: string;
  setRange: (range: TimeRange | UrlTimeParams) => void;
  setRefresh: (interval: string) => void;
  setTimeZone: (timeZone: TimeZone) => void;
  /** Re-resolves a relative range at the current time, which re-runs the page's queries. */
  refreshNow: () => void;
}

const MIN_AUTO_REFRESH_MS = 5_000;

/**
 * The page's time range from the URL (`from`, `to`, `refresh`, `timezone`), written back with Grafana's
 * `locationService.partial`, so ranges survive reloads and links and the browser's back button works.
 */
export function usePageTime(defaults: UrlTimeParams = DEFAULT_TIME): PageTime {
  const location = useLocation();
  const params = useMemo(() => new URLSearchParams(location.search), [location.search]);
  const from = params.get('from') ?? undefined;
  const to = params.get('to') ?? undefined;
  const refresh = params.get('refresh') ?? '';
  const timeZone = params.get('timezone') || userTimeZone();
  const [tick, setTick] = useState(0);

  const range = useMemo(
    () => timeRangeFromUrl({ from, to }, defaults, timeZone),
    // tick re-resolves `now-…` at the current time
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [from, to, timeZone, tick, defaults.from, defaults.to],
  );
  const window = useMemo(() => windowOf(range), [range]);

  const refreshNow = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    if (!refresh) {
      return;
    }
    let ms = 0;
    try {
      ms = rangeUtil.intervalToMs(refresh);
    } catch {
      return;
    }
    const timer = setInterval(refreshNow, Math.max(MIN_AUTO_REFRESH_MS, ms));
    return () => clearInterval(timer);
  }, [refresh, refreshNow]);

  const setRange = useCallback((next: TimeRange | UrlTimeParams) => {
    const raw = 'raw' in next ? next.raw : next;
    locationService.partial({ from: urlTimeValue(raw.from), to: urlTimeValue(raw.to) });
  }, []);
  const setRefresh = useCallback((interval: string) => {
    locationService.partial({ refresh: interval || null });
  }, []);
  const setTimeZone = useCallback((tz: TimeZone) => {
    locationService.partial({ timezone: tz || null });
  }, []);

  return { range, window, timeZone, refresh, setRange, setRefresh, setTimeZone, refreshNow };
}
