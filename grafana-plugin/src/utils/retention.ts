/**
 * How far back Loki keeps logs, read from Loki's `/config` YAML (`limits_config.retention_period`,
 * only enforced when `compactor.retention_enabled`). Durations are Prometheus-style (`744h`, `30d`).
 */
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
};

export function parseDurationMs(text: string): number | undefined {
  const parts = [...text.trim().matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text.trim()) {
    return undefined;
  }
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * UNIT_MS[unit], 0);
}

/** Retention in ms, 0 for "kept forever", undefined when the config does not say. */
export function retentionFromLokiConfig(yaml: string | undefined): number | undefined {
  if (!yaml) {
    return undefined;
  }
  const enabled = /^\s*retention_enabled:\s*true\s*$/m.test(yaml);
  const period = /^\s*retention_period:\s*"?([0-9a-z]+)"?\s*$/m.exec(yaml)?.[1];
  if (!enabled) {
    return 0;
  }
  return period === undefined ? undefined : parseDurationMs(period);
}
