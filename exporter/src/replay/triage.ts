import type { ProviderAdapter } from '../providers/types.js';
import type { AuditEvent, ProviderId } from '../model/event.js';
import { type RecordFormat, classify, unwrapEnvelope } from '../ingest/records.js';
import { falcoContext, parseFalcoAlert } from '../ingest/falco.js';
import { InputError, errorMessage } from '../util/errors.js';
import type { RecordFacts } from './scan.js';

/** Record time window (ms since epoch, inclusive bounds; null = open). */
export interface TimeWindow {
  since: number | null;
  until: number | null;
}

/** What the main thread must still do with one record, in input order. */
export type TriageItem =
  /** Evaluate against state (the event as the provider read it; the pipeline's processEvent). */
  | { t: 'eval'; event: AuditEvent; where: string }
  /** Input that could not be read: named, counted, exit 2. */
  | { t: 'bad'; reason: string; where: string; message: string };

/** Results of (part of) one object; dropped records are only counted, by reason. */
export interface Batch {
  items: TriageItem[];
  /** Records read. */
  records: number;
  /** Records needing no evaluation, by reason (read_only, failed_call, unmapped, outside_window, …). */
  dropped: Record<string, number>;
}

export function emptyBatch(): Batch {
  return { items: [], records: 0, dropped: {} };
}

/** Providers by id and by Falco source; workers build each on first use (mapping tables cost time to load). */
export interface ProviderLookup {
  byId(id: ProviderId): ProviderAdapter | undefined;
  bySource(source: string): ProviderAdapter | undefined;
}

export function providerLookup(list: ProviderAdapter[]): ProviderLookup {
  return { byId: (id) => list.find((p) => p.id === id), bySource: (source) => list.find((p) => p.falcoSources.includes(source)) };
}

export interface TriageContext {
  format: RecordFormat;
  window: TimeWindow | null;
  providers: ProviderLookup;
  /**
   * Resolve (stateless providers) here to drop unmapped and non-mutating calls before they reach
   * the main thread: worth it on workers; on the main thread the pipeline resolves anyway.
   */
  resolveEarly: boolean;
}

function outside(window: TimeWindow | null, time: string | null): boolean | null {
  if (!window) return false;
  const t = time === null ? NaN : Date.parse(time);
  if (Number.isNaN(t)) return null;
  return (window.since !== null && t < window.since) || (window.until !== null && t > window.until);
}

/** Providers whose resolve() depends on the event alone, so calling it early changes nothing. */
const STATELESS_RESOLVE = new Set<ProviderId>(['aws', 'gcp']);

function drop(batch: Batch, reason: string): void {
  batch.dropped[reason] = (batch.dropped[reason] ?? 0) + 1;
}

/** Same order as the pipeline: failed, then read-only (providers' resolve()). */
function preVerdict(facts: RecordFacts | null, format: RecordFormat): 'failed_call' | 'read_only' | null {
  if (!facts || facts.unsafe || !facts.named || (format !== 'auto' && format !== 'cloudtrail')) return null;
  if (facts.failed) return 'failed_call';
  if (facts.readOnlyTrue) return 'read_only';
  return null;
}

/**
 * A record cut out by the scanner: dropped on its top-level facts when that is certain to give the
 * pipeline's answer (a test holds the two together on the corpus), else parsed and triaged.
 */
export function triageScanned(batch: Batch, text: string, facts: RecordFacts | null, where: string, ctx: TriageContext): void {
  batch.records++;
  const verdict = preVerdict(facts, ctx.format);
  if (verdict) {
    const out = outside(ctx.window, facts!.eventTime);
    if (out === true) return drop(batch, 'outside_window');
    if (out === false) return drop(batch, verdict);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    batch.items.push({ t: 'bad', reason: 'invalid_json', where, message: `invalid JSON (${errorMessage(err)})` });
    return;
  }
  triageValue(batch, value, where, ctx, false);
}

/** A parsed item (envelopes unwrapped here): read by its provider, dropped early where that is certain. */
export function triageValue(batch: Batch, raw: unknown, where: string, ctx: TriageContext, count = true): void {
  if (count) batch.records++;
  const value = unwrapEnvelope(raw);
  const kind = classify(value, ctx.format);
  if (kind === null) {
    batch.items.push({ t: 'bad', reason: 'unrecognised_record', where, message: 'not a recognised audit record or Falco alert' });
    return;
  }
  let provider: ProviderAdapter | undefined;
  let event: AuditEvent;
  try {
    if (kind === 'falco') {
      const alert = parseFalcoAlert(value);
      provider = ctx.providers.bySource(alert.source);
      if (!provider) return drop(batch, 'unknown_source');
      event = provider.fromFalco(alert.outputFields, falcoContext(alert));
    } else {
      provider = ctx.providers.byId(kind);
      if (!provider) return drop(batch, `provider_not_available:${kind}`);
      event = provider.fromRecord(value);
    }
  } catch (err) {
    const reason = err instanceof InputError ? err.reason : 'bad_record';
    batch.items.push({ t: 'bad', reason, where, message: errorMessage(err) });
    return;
  }
  if (outside(ctx.window, event.eventTime) === true) return drop(batch, 'outside_window');
  // Azure's resolve folds records of one correlation ID (stateful): only the pipeline may call it.
  if (ctx.resolveEarly && STATELESS_RESOLVE.has(provider.id)) try {
    const resolution = provider.resolve(event);
    if (resolution.status === 'ignored') return drop(batch, resolution.reason);
    if (resolution.status === 'unmapped') return drop(batch, 'unmapped');
  } catch {
    // The pipeline reports mapping errors itself.
  }
  batch.items.push({ t: 'eval', event, where });
}
