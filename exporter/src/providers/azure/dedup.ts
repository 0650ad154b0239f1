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
  /** Request bodies of Started records (BeginRequest carries the PUT body; Accepted often nothing). */
  private readonly bodies = new Map<string, unknown>();

  constructor(private readonly capacity = 50_000) {
    this.seen = new SeenOperations(capacity);
  }

  /** Keeps a Started record's request body for the completion entry of the same operation. */
  rememberBody(event: AuditEvent, body: unknown): void {
    const key = this.key(event);
    if (key === null) return;
    this.bodies.set(key, body);
    if (this.bodies.size > this.capacity) this.bodies.delete(this.bodies.keys().next().value as string);
  }

  /** The body a Started record of this operation carried, if one arrived. */
  startedBody(event: AuditEvent): unknown {
    const key = this.key(event);
    return key === null ? undefined : this.bodies.get(key);
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
    if (key === null) return;
    this.seen.remember(key);
    this.bodies.delete(key);
  }

  /** True the first time this operation on this resource is seen (and remembers it). */
  first(event: AuditEvent): boolean {
    if (this.reported(event)) return false;
    this.remember(event);
    return true;
  }
}
