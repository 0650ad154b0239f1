import {
  dateMath,
  dateTime,
  DateTime,
  dateTimeFormat,
  getTimeZone,
  isDateTime,
  RawTimeRange,
  TimeRange,
  TimeZone,
} from '@grafana/data';
import type { TimeWindow } from '../api/client';

/**
 * Time ranges the way Grafana keeps them in the URL: `from` / `to` are relative expressions
 * (`now-24h`, `now/d`) or absolute epoch milliseconds; `refresh` an interval such as `1m`.
 */
export interface UrlTimeParams {
  from: string;
  to: string;
}

export const DEFAULT_TIME: UrlTimeParams = { from: 'now-24h', to: 'now' };

/** One URL value as a time: epoch ms, an ISO date, or date math (`now-7d`). */
export function parseUrlTime(value: string, roundUp: boolean, timeZone?: TimeZone): DateTime | undefined {
  if (/^\d{10,}$/.test(value)) {
    return dateTime(Number(value));
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : dateTime(ms);
  }
  return dateMath.toDateTime(value, { roundUp, timezone: timeZone });
}

/** The TimeRange of URL `from`/`to` (defaults for missing or unparsable values), resolved at `now`. */
export function timeRangeFromUrl(
  params: Partial<UrlTimeParams>,
  defaults: UrlTimeParams = DEFAULT_TIME,
  timeZone?: TimeZone,
): TimeRange {
  const pick = (value: string | undefined, fallback: string, roundUp: boolean) => {
    const parsed = value ? parseUrlTime(value, roundUp, timeZone) : undefined;
    return parsed?.isValid()
      ? { raw: value!, time: parsed }
      : { raw: fallback, time: parseUrlTime(fallback, roundUp, timeZone)! };
  };
  let from = pick(params.from, defaults.from, false);
  let to = pick(params.to, defaults.to, true);
  if (from.time.valueOf() > to.time.valueOf()) {
    [from, to] = [
      { raw: defaults.from, time: parseUrlTime(defaults.from, false, timeZone)! },
      { raw: defaults.to, time: parseUrlTime(defaults.to, true, timeZone)! },
    ];
  }
  const raw: RawTimeRange = {
    from: isRelative(from.raw) ? from.raw : from.time,
    to: isRelative(to.raw) ? to.raw : to.time,
  };
  return { from: from.time, to: to.time, raw };
}

const isRelative = (value: string) => value.startsWith('now');

/** A raw range value as Grafana writes it into the URL: relative text kept, absolute as epoch ms. */
export function urlTimeValue(value: string | DateTime): string {
  if (isDateTime(value)) {
    return String(value.valueOf());
  }
  return isRelative(value) ? value : String(parseUrlTime(value, false)?.valueOf() ?? value);
}

export function windowOf(range: TimeRange): TimeWindow {
  return { from: range.from.valueOf(), to: range.to.valueOf() };
}

/** The range shifted by its own length (Grafana's ‹ and › buttons). */
export function shiftRange(range: TimeRange, direction: -1 | 1): UrlTimeParams {
  const span = range.to.valueOf() - range.from.valueOf();
  return {
    from: String(range.from.valueOf() + direction * span),
    to: String(range.to.valueOf() + direction * span),
  };
}

/** The range zoomed out around its centre by 2× (Grafana's zoom-out button). */
export function zoomOut(range: TimeRange, now = Date.now()): UrlTimeParams {
  const span = range.to.valueOf() - range.from.valueOf();
  const centre = range.from.valueOf() + span / 2;
  const to = Math.min(now, centre + span);
  return { from: String(Math.round(to - 2 * span)), to: String(Math.round(to)) };
}

/** LogQL/PromQL duration of a window length: whole seconds, minutes or hours. */
export function durationFor(ms: number): string {
  const seconds = Math.max(1, Math.round(ms / 1000));
  if (seconds % 3600 === 0) {
    return `${seconds / 3600}h`;
  }
  return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}

/** The user's Grafana time zone (Grafana sets the resolver from the user's preference). */
export function userTimeZone(): TimeZone {
  return getTimeZone();
}

/** `2026-03-29 10:15:30` in the given (default: the user's Grafana) time zone. */
export function formatTime(value: string | number | null | undefined, timeZone?: TimeZone): string {
  if (value === null || value === undefined || value === '') {
    return '—';
  }
  const ms = typeof value === 'number' ? value : Date.parse(value);
  return Number.isNaN(ms) ? String(value) : dateTimeFormat(ms, { timeZone: timeZone ?? userTimeZone() });
}

/** `5m`, `2h 3m`, `3d` — for ages such as "state loaded 2h ago". */
export function formatAge(seconds: number): string {
  if (!Number.isFinite(seconds)) {
    return 'never';
  }
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) {
    return `${s}s`;
  }
  if (s < 3600) {
    return `${Math.floor(s / 60)}m`;
  }
  if (s < 86400) {
    const m = Math.floor((s % 3600) / 60);
    return m ? `${Math.floor(s / 3600)}h ${m}m` : `${Math.floor(s / 3600)}h`;
  }
  return `${Math.floor(s / 86400)}d`;
}
