import type { MaintenanceWindow } from './config.js';
import { matchesAny } from './glob.js';

const DAY_INDEX: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const WEEKDAY: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

// Building a DateTimeFormat costs far more than using one; windows are checked on every event.
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Weekday and minutes since local midnight of an instant in an IANA time zone. */
export function localTime(at: Date, timeZone: string): { day: number; minutes: number } {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, format);
  }
  const parts = format.formatToParts(at);
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '0';
  return { day: WEEKDAY[get('weekday')], minutes: Number(get('hour')) * 60 + Number(get('minute')) };
}

const toMinutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** True when `at` falls in the window. Windows are judged on the event's own time, not on arrival. */
export function inWindow(w: MaintenanceWindow, at: Date, accountId: string | null): boolean {
  if (w.accounts && !matchesAny(accountId, w.accounts)) return false;
  if ('from' in w) return at.getTime() >= Date.parse(w.from) && at.getTime() < Date.parse(w.to);
  const { day, minutes } = localTime(at, w.timezone);
  const start = toMinutes(w.start);
  const end = toMinutes(w.end);
  const days = new Set(w.days.map((d) => DAY_INDEX[d]));
  if (start < end) return days.has(day) && minutes >= start && minutes < end;
  // Spans midnight: the part before midnight belongs to the listed day, the rest to the next.
  return (days.has(day) && minutes >= start) || (days.has((day + 6) % 7) && minutes < end);
}
