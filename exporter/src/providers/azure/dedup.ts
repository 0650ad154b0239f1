import type { AuditEvent } from '../../model/event.js';

/**
 * Azure logs one operation several times under one correlation ID (Started, Accepted,
 * Succeeded, and sometimes Succeeded again from another region's pipeline or a retried
 * export). Remembers the (correlation ID, operation, resource) of Succeeded records already
 * reported, bounded, oldest forgotten first.
 */
export class CorrelationDeduper {
  private readonly seen = new Map<string, true>();

  constructor(private readonly capacity = 50_000) {}

  /** True the first time this operation on this resource is seen succeeding. */
  first(event: AuditEvent): boolean {
    const correlation = event.extra.correlation_id;
    if (typeof correlation !== 'string' || correlation === '') return true; // nothing to fold on
    const key = `${correlation}|${event.eventName}|${String(event.extra.id ?? '')}`.toLowerCase();
    if (this.seen.has(key)) return false;
    this.seen.set(key, true);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value as string);
    return true;
  }
}
