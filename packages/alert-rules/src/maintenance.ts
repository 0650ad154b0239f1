/**
 * Maintenance windows → one Grafana mute timing. Alertmanager time intervals have no absolute
 * dates, so a one-off window becomes per-day intervals pinned by year, month and day of month.
 */
import type { MuteTimeInterval, TimeInterval } from './grafana-types.js';

export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Every week on the given days, `startTime`–`endTime` (HH:MM) in `location`; an end at or before the start runs past midnight. */
export interface WeeklyWindow {
  kind: 'weekly';
  weekdays: Weekday[];
  startTime: string;
  endTime: string;
  /** IANA time zone, e.g. `Europe/Berlin`. */
  location: string;
}

/** Once, from `start` to `end` (local `YYYY-MM-DDTHH:MM` in `location`). */
export interface OneOffWindow {
  kind: 'once';
  start: string;
  end: string;
  location: string;
}

/**
 * An interval as Grafana holds it (read back from an applied mute timing), kept verbatim so
 * re-applying never alters windows it cannot express as weekly/one-off.
 */
export interface IntervalWindow {
  kind: 'interval';
  interval: TimeInterval;
}

export type MaintenanceWindow = WeeklyWindow | OneOffWindow | IntervalWindow;

/** A one-line description of a window, for lists. */
export function describeWindow(window: MaintenanceWindow): string {
  if (window.kind === 'weekly') {
    return `every ${window.weekdays.join(', ')} ${window.startTime}–${window.endTime} (${window.location})`;
  }
  if (window.kind === 'once') {
    return `once ${window.start} – ${window.end} (${window.location})`;
  }
  const i = window.interval;
  const parts = [
    i.years?.length ? `years ${i.years.join(',')}` : '',
    i.months?.length ? `months ${i.months.join(',')}` : '',
    i.days_of_month?.length ? `days ${i.days_of_month.join(',')}` : '',
    i.weekdays?.length ? i.weekdays.join(',') : '',
    (i.times ?? []).map((t) => `${t.start_time}–${t.end_time}`).join(', ') || 'all day',
    i.location ? `(${i.location})` : '(UTC)',
  ];
  return parts.filter(Boolean).join(' ');
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
const LOCAL_DATETIME = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d)$/;
/** One-off windows longer than this are almost certainly a typo in the year. */
const MAX_ONE_OFF_DAYS = 92;

export function isValidTimeZone(location: string): boolean {
  if (location === '') {
    return false;
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: location });
    return true;
  } catch {
    return false;
  }
}

/** Problems with a window, as readable sentences; empty when the window is valid. */
export function validateWindow(window: MaintenanceWindow): string[] {
  const problems: string[] = [];
  if (window.kind === 'interval') {
    return window.interval.location && !isValidTimeZone(window.interval.location) ? [`unknown time zone "${window.interval.location}"`] : [];
  }
  if (!isValidTimeZone(window.location)) {
    problems.push(`unknown time zone "${window.location}" (use an IANA name such as Europe/Berlin or UTC)`);
  }
  if (window.kind === 'weekly') {
    if (window.weekdays.length === 0) {
      problems.push('choose at least one weekday');
    }
    for (const day of window.weekdays) {
      if (!(WEEKDAYS as readonly string[]).includes(day)) {
        problems.push(`unknown weekday "${day}"`);
      }
    }
    for (const [name, value] of [['start', window.startTime], ['end', window.endTime]] as const) {
      if (!TIME.test(value)) {
        problems.push(`${name} time "${value}" is not HH:MM`);
      }
    }
    if (window.startTime === window.endTime && TIME.test(window.startTime)) {
      problems.push('start and end time are equal');
    }
  } else {
    const start = parseLocal(window.start);
    const end = parseLocal(window.end);
    if (!start) {
      problems.push(`start "${window.start}" is not YYYY-MM-DDTHH:MM`);
    }
    if (!end) {
      problems.push(`end "${window.end}" is not YYYY-MM-DDTHH:MM`);
    }
    if (start && end) {
      if (end.ms <= start.ms) {
        problems.push('end must be after start');
      } else if (end.ms - start.ms > MAX_ONE_OFF_DAYS * 86_400_000) {
        problems.push(`a one-off window may last at most ${MAX_ONE_OFF_DAYS} days`);
      }
    }
  }
  return problems;
}

interface LocalDateTime {
  /** The wall-clock time read as if it were UTC: only used for calendar arithmetic. */
  ms: number;
  time: string;
}

function parseLocal(value: string): LocalDateTime | undefined {
  const m = LOCAL_DATETIME.exec(value);
  if (!m) {
    return undefined;
  }
  const [, y, mo, d, h, mi] = m.map(Number);
  const ms = Date.UTC(y, mo - 1, d, h, mi);
  const check = new Date(ms);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) {
    return undefined; // 2026-02-30 and the like
  }
  return { ms, time: `${m[4]}:${m[5]}` };
}

function weeklyIntervals(w: WeeklyWindow): TimeInterval[] {
  const days = WEEKDAYS.filter((d) => w.weekdays.includes(d));
  if (w.endTime > w.startTime) {
    return [{ times: [{ start_time: w.startTime, end_time: w.endTime }], weekdays: days, location: w.location }];
  }
  // Past midnight: the evening part on the chosen days, the early part on the day after each.
  const nextDays = WEEKDAYS.filter((_, i) => days.includes(WEEKDAYS[(i + 6) % 7]));
  const out: TimeInterval[] = [{ times: [{ start_time: w.startTime, end_time: '24:00' }], weekdays: days, location: w.location }];
  if (w.endTime !== '00:00') {
    out.push({ times: [{ start_time: '00:00', end_time: w.endTime }], weekdays: nextDays, location: w.location });
  }
  return out;
}

function oneOffIntervals(w: OneOffWindow): TimeInterval[] {
  const start = parseLocal(w.start);
  const end = parseLocal(w.end);
  if (!start || !end || end.ms <= start.ms) {
    return [];
  }
  const DAY = 86_400_000;
  const dayOf = (ms: number) => Math.floor(ms / DAY) * DAY;
  const out: TimeInterval[] = [];
  const pinned = (dayMs: number, lastDayMs = dayMs): Omit<TimeInterval, 'times'> => {
    const d = new Date(dayMs);
    const last = new Date(lastDayMs).getUTCDate();
    const first = d.getUTCDate();
    return {
      years: [String(d.getUTCFullYear())],
      months: [String(d.getUTCMonth() + 1)],
      days_of_month: [first === last ? String(first) : `${first}:${last}`],
      location: w.location,
    };
  };
  const firstDay = dayOf(start.ms);
  const lastDay = dayOf(end.ms);
  if (firstDay === lastDay) {
    return [{ times: [{ start_time: start.time, end_time: end.time }], ...pinned(firstDay) }];
  }
  out.push({ times: [{ start_time: start.time, end_time: '24:00' }], ...pinned(firstDay) });
  // Whole days in between, one interval per calendar month.
  let runStart: number | undefined;
  for (let day = firstDay + DAY; day < lastDay; day += DAY) {
    runStart ??= day;
    const next = day + DAY;
    const monthEnds = new Date(next).getUTCMonth() !== new Date(day).getUTCMonth();
    if (monthEnds || next >= lastDay) {
      out.push(pinned(runStart, day));
      runStart = undefined;
    }
  }
  if (end.time !== '00:00') {
    out.push({ times: [{ start_time: '00:00', end_time: end.time }], ...pinned(lastDay) });
  }
  return out;
}

export function windowIntervals(window: MaintenanceWindow): TimeInterval[] {
  switch (window.kind) {
    case 'weekly':
      return weeklyIntervals(window);
    case 'once':
      return oneOffIntervals(window);
    case 'interval':
      return [window.interval];
  }
}

/** The mute timing for all windows, or undefined when there are none. Throws on an invalid window. */
export function buildMuteTiming(name: string, windows: MaintenanceWindow[]): MuteTimeInterval | undefined {
  if (windows.length === 0) {
    return undefined;
  }
  windows.forEach((w, i) => {
    const problems = validateWindow(w);
    if (problems.length > 0) {
      throw new Error(`maintenance window ${i + 1}: ${problems.join('; ')}`);
    }
  });
  return { name, time_intervals: windows.flatMap(windowIntervals) };
}
