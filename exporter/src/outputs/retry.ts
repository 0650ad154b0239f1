/** Time source for delivery loops; tests pass a virtual clock so "Loki down for 60 s" runs in milliseconds. */
export interface Clock {
  now(): number;
  /** Resolves after `ms` (or earlier if `signal` aborts). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/**
 * Capped exponential backoff with full jitter (AWS architecture blog "Exponential Backoff and Jitter"):
 * uniform in [base/2, min(cap, base·2^attempt)], so synchronized clients spread out but never retry instantly.
 */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  const floor = Math.min(ceiling, initialMs / 2);
  return Math.round(floor + random() * (ceiling - floor));
}

/** Retry-After: seconds or an HTTP date; null when absent or unusable. */
export function retryAfterMs(header: string | string[] | undefined, now: number): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : null;
}

/** Status codes worth retrying: rate limits, server errors, and timeouts; 400/413 and other 4xx are final. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
