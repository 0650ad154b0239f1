/** Prometheus-style durations (`90s`, `5m`, `1h30m`, `1d`), as Grafana writes `for` and LogQL ranges. */

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
const DURATION = /^(?:\d+(?:ms|s|m|h|d|w|y))+$/;
const PART = /(\d+)(ms|s|m|h|d|w|y)/g;

export function isDuration(value: string): boolean {
  return value === '0' || DURATION.test(value);
}

/** Seconds in a duration; throws on anything that is not a duration. */
export function durationSeconds(value: string): number {
  if (value === '0') {
    return 0;
  }
  if (!DURATION.test(value)) {
    throw new Error(`invalid duration "${value}" (expected e.g. 30s, 5m, 1h)`);
  }
  let total = 0;
  for (const match of value.matchAll(PART)) {
    total += Number(match[1]) * UNIT_SECONDS[match[2]];
  }
  return total;
}

/** The canonical spelling of a number of seconds: `0s`, `5m`, `1h30m` (Grafana returns `5m0s`-style too). */
export function formatDuration(seconds: number): string {
  if (seconds <= 0) {
    return '0s';
  }
  let rest = Math.round(seconds);
  let out = '';
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}

/** `5m0s` and `300s` both become `5m`; non-durations are returned unchanged. */
export function normalizeDuration(value: string): string {
  return isDuration(value) ? formatDuration(durationSeconds(value)) : value;
}
