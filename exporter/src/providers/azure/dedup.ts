import type { AuditEvent } from '../../model/event.js';
import { SeenOperations } from '../operations.js';

/**
 * Azure logs one operation several times under one correlation ID: Started (BeginRequest),
 * Accepted (EndRequest of an asynchronous write: HTTP 202, sometimes 200) and Succeeded (the
 * completion, sometimes twice from another region's pipeline or a retried export). Accepted and
 * Succeeded each prove the write was taken; whichever arrives first reports, the rest fold in.
 */
export class CorrelationDeduper {
  private readonly seen: SeenOperations;

  constructor(capacity = 50_000) {
    this.seen = new SeenOperations(capacity);
  }

  private key(event: AuditEvent): string | null {
    const correlation = event.extra.correlation_id;
    if (typeof correlation !== 'string' || correlation === '') return null; // nothing to fold on
    return `${correlation}|${event.eventName}|${String(event.extra.id ?? '')}`.toLowerCase();
  }

  /** True when an earlier entry of this operation on this resource was already reported. */
  reported(event: AuditEvent): boolean {
    const key = this.key(event);
    return key !== null && this.seen.has(key);
  }

  remember(event: AuditEvent): void {
    const key = this.key(event);
    if (key !== null) this.seen.remember(key);
  }

  /** True the first time this operation on this resource is seen (and remembers it). */
  first(event: AuditEvent): boolean {
    if (this.reported(event)) return false;
    this.remember(event);
    return true;
  }
}
