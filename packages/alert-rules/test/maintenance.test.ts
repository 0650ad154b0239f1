import { describe, expect, it } from 'vitest';
import { buildMuteTiming, validateWindow, windowIntervals } from '../src/index.js';

describe('maintenance windows → mute timing intervals', () => {
  it('weekly window within a day keeps its days, times and time zone', () => {
    expect(windowIntervals({ kind: 'weekly', weekdays: ['friday', 'monday'], startTime: '09:00', endTime: '11:30', location: 'Europe/Berlin' })).toEqual([
      { times: [{ start_time: '09:00', end_time: '11:30' }], weekdays: ['monday', 'friday'], location: 'Europe/Berlin' },
    ]);
  });

  it('a weekly window past midnight continues on the next day (Saturday night → Sunday)', () => {
    expect(windowIntervals({ kind: 'weekly', weekdays: ['saturday'], startTime: '23:00', endTime: '01:00', location: 'UTC' })).toEqual([
      { times: [{ start_time: '23:00', end_time: '24:00' }], weekdays: ['saturday'], location: 'UTC' },
      { times: [{ start_time: '00:00', end_time: '01:00' }], weekdays: ['sunday'], location: 'UTC' },
    ]);
  });

  it('a one-off window on one day is pinned by year, month and day', () => {
    expect(windowIntervals({ kind: 'once', start: '2026-03-29T01:00', end: '2026-03-29T04:00', location: 'Europe/London' })).toEqual([
      { times: [{ start_time: '01:00', end_time: '04:00' }], years: ['2026'], months: ['3'], days_of_month: ['29'], location: 'Europe/London' },
    ]);
  });

  it('a multi-day one-off window: partial first and last day, whole days grouped per month', () => {
    expect(windowIntervals({ kind: 'once', start: '2026-01-28T20:00', end: '2026-02-03T00:00', location: 'UTC' })).toEqual([
      { times: [{ start_time: '20:00', end_time: '24:00' }], years: ['2026'], months: ['1'], days_of_month: ['28'], location: 'UTC' },
      { years: ['2026'], months: ['1'], days_of_month: ['29:31'], location: 'UTC' },
      { years: ['2026'], months: ['2'], days_of_month: ['1:2'], location: 'UTC' },
    ]);
  });

  it('validation explains what is wrong', () => {
    expect(validateWindow({ kind: 'weekly', weekdays: [], startTime: '9:00', endTime: '10:00', location: 'UTC' })).toEqual([
      'choose at least one weekday',
      'start time "9:00" is not HH:MM',
    ]);
    expect(validateWindow({ kind: 'once', start: '2026-02-30T10:00', end: '2026-03-01T10:00', location: 'UTC' })).toEqual(['start "2026-02-30T10:00" is not YYYY-MM-DDTHH:MM']);
    expect(validateWindow({ kind: 'once', start: '2026-03-02T10:00', end: '2026-03-01T10:00', location: 'UTC' })).toEqual(['end must be after start']);
    expect(validateWindow({ kind: 'once', start: '2026-01-01T00:00', end: '2027-01-01T00:00', location: 'UTC' })[0]).toMatch(/at most 92 days/);
  });

  it('no windows, no mute timing', () => {
    expect(buildMuteTiming('x', [])).toBeUndefined();
  });
});
