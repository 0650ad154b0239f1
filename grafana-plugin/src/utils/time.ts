import type { TimeWindow } from '../api/client';

/** Relative ranges offered by the pages (Grafana's usual quick ranges). */
export const RANGES = [
  { value: '1h', label: 'Last 1 hour', ms: 3_600_000 },
  { value: '6h', label: 'Last 6 hours', ms: 6 * 3_600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 24 * 3_600_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 24 * 3_600_000 },
] as const;

export type RangeKey = (typeof RANGES)[number]['value'];
export const DEFAULT_RANGE: RangeKey = '24h';

export function isRangeKey(value: string | null | undefined): value is RangeKey {
  return RANGES.some((r) => r.value === value);
}

export function windowFor(range: RangeKey, now: number): TimeWindow {
  const r = RANGES.find((x) => x.value === range) ?? RANGES[2];
  return { from: now - r.ms, to: now };
}

/** LogQL/PromQL duration for a window length in ms (whole minutes). */
export function durationFor(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  return minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`;
}

/** `2026-03-29 10:15:30 UTC` — UTC so that screenshots and team members agree. */
export function formatTime(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') {
    return '—';
  }
  const ms = typeof value === 'number' ? value : Date.parse(value);
  return Number.isNaN(ms)
    ? String(value)
    : new Date(ms)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC')
        .replace(/Z$/, ' UTC');
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
