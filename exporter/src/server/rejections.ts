import type { Counter } from 'prom-client';
import type { Logger } from '../util/logger.js';

/** Why the server turned a request or connection away (the `reason` label; bounded). */
export const REJECTION_REASONS = ['missing_credential', 'invalid_credential', 'request_timeout', 'bad_request', 'connection_limit'] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

const CREDENTIAL_REASONS = new Set<RejectionReason>(['missing_credential', 'invalid_credential']);

/**
 * Counts every rejection and logs each reason at most once per interval, with how many happened
 * since the last line and the last peer/path (never a token: the query string is not logged).
 * Falco ignores HTTP statuses, so without this a wrong `?token=` would be silent on both sides.
 */
export class Rejections {
  private readonly pending = new Map<RejectionReason, { count: number; peer: string; path: string }>();
  private readonly lastLogged = new Map<RejectionReason, number>();

  constructor(
    private readonly counter: Counter<'reason'> | null,
    private readonly log: Logger,
    private readonly intervalMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  record(reason: RejectionReason, peer: string | undefined, path: string): void {
    this.counter?.inc({ reason });
    const p = this.pending.get(reason) ?? { count: 0, peer: '', path: '' };
    p.count++;
    p.peer = peer ?? 'unknown';
    p.path = path;
    this.pending.set(reason, p);
    const last = this.lastLogged.get(reason);
    if (last === undefined || this.now() - last >= this.intervalMs) this.flush(reason);
  }

  private flush(reason: RejectionReason): void {
    const p = this.pending.get(reason);
    if (!p) return;
    this.pending.delete(reason);
    this.lastLogged.set(reason, this.now());
    const fields = { reason, count: p.count, since_last_log_s: this.intervalMs / 1000, last_peer: p.peer, last_path: p.path };
    if (CREDENTIAL_REASONS.has(reason))
      this.log.warn('request rejected: credential missing or wrong (check ?token= in Falco http_output or the Authorization header)', fields);
    else this.log.warn('connection cut off by a server limit', fields);
  }
}
