import type { ProviderAdapter } from '../providers/types.js';
import type { StateIndex } from '../state/index.js';
import { type AssessRules, type Prepared, type SerialAssessment, assessEvent, prepareEvent, serialise } from '../assess.js';
import type { AuditEvent, ProviderId } from '../model/event.js';
import { type RecordFormat, classify, unwrapEnvelope } from '../ingest/records.js';
import { falcoContext, parseFalcoAlert } from '../ingest/falco.js';
import { InputError, errorMessage } from '../util/errors.js';
import { type ScannedRecord, recordText } from '../archive/scan.js';

/** Record time window (ms since epoch, inclusive bounds; null = open). */
export interface TimeWindow {
  since: number | null;
  until: number | null;
}

/** What the main thread must still do with one record, in input order. */
export type TriageItem =
  /** Drifts found: the ledger (main thread) decides which are new, then they are emitted. */
  | { t: 'assessed'; assessment: SerialAssessment }
  /** A Terraform call: it converges open drifts on these resources (a ledger matter). */
  | { t: 'converge'; prepared: Extract<Prepared, { status: 'suppressed' }> }
  /** A provider whose resolve() folds records together (multi-part operations): resolved and evaluated in order on the main thread. */
  | { t: 'eval'; event: AuditEvent; where: string }
  /** Input that could not be read: named, counted, exit 2. */
  | { t: 'bad'; reason: string; where: string; message: string };

/** Results of (part of) one object. Records decided without drift are only counted. */
export interface Batch {
  items: TriageItem[];
  /** Records read. */
  records: number;
  /** Records decided here, without drift (each counted once). */
  noDrift: number;
  /** Of those, calls no mapping table knows. */
  unmapped: number;
  /** Their reasons, counted (read_only, failed_call, outside_window, matches_state, …). */
  reasons: Record<string, number>;
}

export function emptyBatch(): Batch {
  return { items: [], records: 0, noDrift: 0, unmapped: 0, reasons: {} };
}

/** Providers by id and by Falco source; workers build each on first use (mapping tables cost time to load). */
export interface ProviderLookup {
  byId(id: ProviderId): ProviderAdapter | undefined;
  bySource(source: string): ProviderAdapter | undefined;
}

export function providerLookup(list: ProviderAdapter[]): ProviderLookup {
  return { byId: (id) => list.find((p) => p.id === id), bySource: (source) => list.find((p) => p.falcoSources.includes(source)) };
}

/** Detection on the reading thread: the loaded states' index and the rules of `detection`. */
export interface ReaderDetection {
  index: StateIndex;
  rules: AssessRules;
  /**
   * Unmanaged and missing drifts this reader has sent. A replay never closes those (no state
   * reloads; a Terraform call converges only `modified` ones), and the main thread commits in
   * object order — this reader's earlier objects first — so a repeat is certainly a duplicate of
   * an open drift: it is counted here, without building its record.
   */
  sent: Set<string>;
}

export function readerDetection(index: StateIndex, rules: AssessRules): ReaderDetection {
  return { index, rules, sent: new Set() };
}

export interface TriageContext {
  format: RecordFormat;
  window: TimeWindow | null;
  providers: ProviderLookup;
  detection: ReaderDetection;
  /** Bytes of non-CloudTrail text this thread may read whole (a worker's bounded heap); absent: no bound. */
  textLimit?: number;
}

function outside(window: TimeWindow | null, time: string | null): boolean | null {
  if (!window) return false;
  const t = time === null ? NaN : Date.parse(time);
  if (Number.isNaN(t)) return null;
  return (window.since !== null && t < window.since) || (window.until !== null && t > window.until);
}

/** A record decided without drift: counted with its reasons. */
function decided(batch: Batch, ...reasons: string[]): void {
  batch.noDrift++;
  for (const r of reasons) batch.reasons[r] = (batch.reasons[r] ?? 0) + 1;
}

/**
 * What a CloudTrail record comes to, told from its top-level facts alone, or null (parse it).
 * Failed, then read-only: the pipeline's order (providers' resolve()). Then a call in an account
 * no loaded state speaks for: it cannot be drift (unmanaged needs a state for the account, modified
 * and missing a resource in one) nor touch an open drift (those live in covered accounts), so it is
 * decided unread — counted once as no_state_for_account, where the full path would have resolved
 * it first (so its unmapped calls do not count towards --strict either: see docs/replay.md).
 */
function preVerdict(record: ScannedRecord, ctx: TriageContext): 'failed_call' | 'read_only' | 'no_state_for_account' | null {
  const facts = record.facts;
  if (!facts || facts.unsafe || !facts.named || (ctx.format !== 'auto' && ctx.format !== 'cloudtrail')) return null;
  if (facts.failed) return 'failed_call';
  if (facts.readOnlyTrue) return 'read_only';
  if (facts.recipientEnd > 0 && ctx.providers.byId('aws')) {
    const account = record.source.toString('latin1', facts.recipientStart, facts.recipientEnd);
    if (!ctx.detection.index.coversAccount('aws', account)) return 'no_state_for_account';
  }
  return null;
}

/**
 * A record cut out by the scanner: dropped on its top-level facts when that is certain to give the
 * pipeline's answer (a test holds the two together on the corpus), else parsed and triaged.
 */
export function triageScanned(batch: Batch, record: ScannedRecord, objectName: string, ctx: TriageContext): void {
  batch.records++;
  const verdict = preVerdict(record, ctx);
  if (verdict) {
    const out = outside(ctx.window, record.facts!.eventTime);
    if (out === true) return decided(batch, 'outside_window');
    if (out === false) return decided(batch, verdict);
  }
  const where = `${objectName}: record ${record.index + 1}`;
  let value: unknown;
  try {
    value = JSON.parse(recordText(record));
  } catch (err) {
    batch.items.push({ t: 'bad', reason: 'invalid_json', where, message: `invalid JSON (${errorMessage(err)})` });
    return;
  }
  triageValue(batch, value, where, ctx, false);
}

/**
 * A parsed item (envelopes unwrapped here): read by its provider, then resolved and assessed against
 * the states here — unless its provider folds records together, which only the main thread may do.
 */
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
      if (!provider) return decided(batch, 'unknown_source');
      event = provider.fromFalco(alert.outputFields, falcoContext(alert));
    } else {
      provider = ctx.providers.byId(kind);
      if (!provider) return decided(batch, `provider_not_available:${kind}`);
      event = provider.fromRecord(value);
    }
  } catch (err) {
    const reason = err instanceof InputError ? err.reason : 'bad_record';
    batch.items.push({ t: 'bad', reason, where, message: errorMessage(err) });
    return;
  }
  if (outside(ctx.window, event.eventTime) === true) return decided(batch, 'outside_window');
  if (provider.sequential) {
    batch.items.push({ t: 'eval', event, where });
    return;
  }
  const { rules, index } = ctx.detection;
  const prepared = prepareEvent(event, provider, rules);
  switch (prepared.status) {
    case 'not_owned':
      return decided(batch, 'not_owned');
    case 'suppressed':
      if (prepared.converge) batch.items.push({ t: 'converge', prepared });
      else decided(batch, prepared.reason);
      return;
    case 'unmapped':
      batch.unmapped++;
      return decided(batch, 'unmapped');
    case 'failed':
      return decided(batch, prepared.reason);
  }
  const { sent } = ctx.detection;
  const assessment = assessEvent(prepared.event, prepared.resolution, index, rules, new Date(), (id, changeType) => changeType !== 'modified' && sent.has(id));
  for (const c of assessment.candidates) if (c.record.change_type !== 'modified') sent.add(c.record.drift_id);
  if (assessment.candidates.length > 0) batch.items.push({ t: 'assessed', assessment: serialise(assessment) });
  else decided(batch, ...assessment.reasons);
}
