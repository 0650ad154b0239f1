import { errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import type { Clock } from './retry.js';

/** What went wrong, in the words an operator acts on: refused, timeout, DNS, reset, or the HTTP status. */
export function failureCause(err: unknown, status?: number): string {
  if (status !== undefined) return `HTTP ${status}`;
  const e = err as { code?: string; message?: string } | null;
  switch (e?.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'connection reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'DNS lookup failed';
    case 'ETIMEDOUT':
    case 'ECONNABORTED':
      return 'timeout';
  }
  const message = errorMessage(err);
  if (/timed out|timeout/i.test(message)) return 'timeout';
  if (/socket hang up/i.test(message)) return 'connection reset';
  return e?.code ?? message.slice(0, 120);
}

/**
 * An output's outage, logged twice: once when it starts (the first failure's cause and detail) and
 * once when delivery works again (how long, the causes seen, records queued and delivered meanwhile).
 * Per-attempt failures in between are counted in metrics, not logged.
 */
export class OutageLog {
  private down: { since: number; cause: string; causes: Map<string, number>; failures: number; dropped: number } | null = null;

  constructor(
    private readonly output: string,
    private readonly where: string,
    private readonly log: Logger,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  get active(): boolean {
    return this.down !== null;
  }

  /** One failed attempt. Logs only the first of an outage. */
  failed(cause: string, detail: string, queued: number): void {
    if (this.down) {
      this.down.failures++;
      this.down.causes.set(cause, (this.down.causes.get(cause) ?? 0) + 1);
      return;
    }
    this.down = { since: this.clock.now(), cause, causes: new Map([[cause, 1]]), failures: 1, dropped: 0 };
    this.log.error(`${this.output} unreachable: ${cause}; records are kept and retried (logged again on recovery)`, {
      output: this.output, url: this.where, cause, detail: detail.slice(0, 300), queued,
    });
  }

  /** Records given up on during the outage (notifications past their last retry). */
  droppedDuringOutage(n = 1): boolean {
    if (!this.down) return false;
    this.down.dropped += n;
    return true;
  }

  /** A successful delivery. Logs the end of an outage, if there was one. */
  recovered(delivered: number, stillQueued: number): void {
    const d = this.down;
    if (!d) return;
    this.down = null;
    this.log.warn(`${this.output} reachable again after ${Math.round((this.clock.now() - d.since) / 1000)} s`, {
      output: this.output, url: this.where, outage_seconds: Math.round((this.clock.now() - d.since) / 100) / 10, first_cause: d.cause,
      causes: Object.fromEntries(d.causes), failed_attempts: d.failures, delivered, still_queued: stillQueued, ...(d.dropped > 0 ? { given_up: d.dropped } : {}),
    });
  }
}
