import { appendFileSync, closeSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Metrics } from '../metrics/registry.js';
import type { DriftRecord } from '../model/drift.js';
import type { Logger } from '../util/logger.js';
import { PRIVATE_FILE_MODE, ensurePrivateDir } from '../util/private-fs.js';
import type { ResourceLookup } from '../state/index.js';
import type { DriftCheck } from './detector.js';

/** What is needed to decide later, against a reloaded state, whether the drift is gone. */
export interface ResolutionKey {
  lookup: ResourceLookup | null;
  address: string | null;
  checks: DriftCheck[];
}

export interface OpenDrift {
  record: DriftRecord;
  key: ResolutionKey;
  firstSeen: number;
  lastSeen: number;
  occurrences: number;
}

export interface LedgerOptions {
  /** detection.max_open_drifts: beyond it the drift seen longest ago is evicted (counted, logged, never reported resolved). */
  maxOpen?: number;
  metrics?: Pick<Metrics, 'driftsEvicted'>;
  log?: Logger;
  /** Journal bytes allowed beyond twice the last snapshot before it is folded in at once (default 1 MiB). */
  compactSlackBytes?: number;
  /**
   * Keep each open drift's record as its JSON text, parsed when read: about a third of the heap
   * of the object. For replays, which hold every drift of an archive and rarely read one back.
   */
  recordsAsText?: boolean;
  /**
   * With `recordsAsText`: the change types whose whole record is kept. Drifts of other types keep
   * their identity only (drift_id, provider, account_id, resource_id, resource_type, change_type,
   * severity) — for a replay, where unmanaged and missing drifts can never close (no state
   * reloads) and only a `modified` one is ever reported resolved, from its record.
   */
  recordsKeptFor?: readonly DriftRecord['change_type'][];
}

const identity = (r: Pick<DriftRecord, 'drift_id' | 'provider' | 'account_id' | 'resource_id' | 'resource_type' | 'change_type' | 'severity'>) => ({
  drift_id: r.drift_id,
  provider: r.provider,
  account_id: r.account_id,
  resource_id: r.resource_id,
  resource_type: r.resource_type,
  change_type: r.change_type,
  severity: r.severity,
});

/** An open drift whose record is held as JSON text; `record` parses it on each read. */
class TextDrift implements OpenDrift {
  constructor(
    private readonly text: string,
    readonly key: ResolutionKey,
    public firstSeen: number,
    public lastSeen: number,
    public occurrences: number,
  ) {}

  static of(d: OpenDrift, whole = true): TextDrift {
    return new TextDrift(JSON.stringify(whole ? d.record : identity(d.record)), d.key, d.firstSeen, d.lastSeen, d.occurrences);
  }

  get record(): DriftRecord {
    return JSON.parse(this.text) as DriftRecord;
  }

  toJSON(): OpenDrift {
    return { record: this.record, key: this.key, firstSeen: this.firstSeen, lastSeen: this.lastSeen, occurrences: this.occurrences };
  }
}

/** A burst of evictions ends after this long without one; the next eviction logs again. */
const EVICTION_BURST_GAP_MS = 60_000;

type OpenCount = { labels: { provider: string; account_id: string; change_type: string; severity: string }; value: number };

/**
 * Open drifts by drift_id. Repeats within the window update instead of alerting again.
 * Persisted so a restart (even kill -9) keeps them: each open/close is appended to a journal
 * at once, and the journal is folded into a snapshot (write-then-rename) shortly after, or at
 * once when it outgrows the snapshot, so the files follow the open set, not the traffic.
 * Bounded: the map is kept in last-seen order (a repeat moves its drift to the end), so the
 * drift seen longest ago is the first key and eviction costs O(1).
 */
export class DriftLedger {
  private readonly drifts = new Map<string, OpenDrift>();
  /** provider|account|id → drift_ids, for "did this call touch a drifted resource?" without a scan. */
  private readonly byResource = new Map<string, Set<string>>();
  private saveTimer: NodeJS.Timeout | null = null;
  private dirReady = false;
  private readonly maxOpen: number;
  private journalBytes = 0;
  private snapshotBytes = 0;
  private burst: { started: number; last: number; count: number } | null = null;
  private evictedTotal = 0;

  constructor(
    private readonly dedupWindowMs = 3_600_000,
    private readonly file: string | null = null,
    private readonly options: LedgerOptions = {},
  ) {
    this.maxOpen = options.maxOpen ?? Infinity;
    if (file) {
      this.load(file);
      this.evictOverflow(Date.now()); // a lowered max_open_drifts applies to what was persisted
      this.save(); // fold the journal into the snapshot
    }
  }

  /** Drifts evicted since start (all bursts). */
  get evicted(): number {
    return this.evictedTotal;
  }

  private static resourceKeys(d: OpenDrift, r: Pick<DriftRecord, 'provider' | 'account_id' | 'resource_id'> = d.record): string[] {
    const ids = new Set([r.resource_id ?? '', d.key.lookup?.value ?? ''].filter((x) => x !== ''));
    return [...ids].map((id) => `${r.provider}|${r.account_id ?? ''}|${id}`);
  }

  private put(d: OpenDrift, id = d.record.drift_id, keys = DriftLedger.resourceKeys(d)): void {
    const previous = this.drifts.get(id);
    if (previous) this.unindex(previous);
    this.drifts.set(id, this.options.recordsAsText && !(d instanceof TextDrift) ? TextDrift.of(d, this.kept(d.record.change_type)) : d);
    for (const k of keys) {
      const set = this.byResource.get(k);
      if (set) set.add(id);
      else this.byResource.set(k, new Set([id]));
    }
  }

  private unindex(d: OpenDrift): void {
    const id = d.record.drift_id;
    for (const k of DriftLedger.resourceKeys(d)) {
      const set = this.byResource.get(k);
      set?.delete(id);
      if (set && set.size === 0) this.byResource.delete(k);
    }
  }

  private remove(driftId: string): OpenDrift | undefined {
    const d = this.drifts.get(driftId);
    if (d) {
      this.unindex(d);
      this.drifts.delete(driftId);
    }
    return d;
  }

  /** Open drifts on the resource an event names (by its ID as the event or the state lookup spells it). */
  onResource(provider: string, accountId: string | null, resourceId: string): OpenDrift[] {
    const ids = this.byResource.get(`${provider}|${accountId ?? ''}|${resourceId}`);
    return ids ? [...ids].map((id) => this.drifts.get(id)).filter((d): d is OpenDrift => d !== undefined) : [];
  }

  private get journal(): string {
    return `${this.file}.journal`;
  }

  private load(file: string): void {
    let text: string | null = null;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // first start
    }
    if (text !== null) {
      const doc = JSON.parse(text) as { version: number; drifts: OpenDrift[] };
      if (doc.version !== 1 || !Array.isArray(doc.drifts)) throw new Error(`${file}: unknown open-drift file format`);
      for (const d of doc.drifts) this.put(d);
    }
    let journal = '';
    try {
      journal = readFileSync(this.journal, 'utf8');
    } catch {
      return;
    }
    for (const line of journal.split('\n')) {
      if (line === '') continue;
      let op: { open?: OpenDrift; close?: string };
      try {
        op = JSON.parse(line) as typeof op;
      } catch {
        continue; // a torn last line from a crash mid-append
      }
      if (op.open) this.put(op.open);
      else if (op.close) this.remove(op.close);
    }
  }

  private append(op: { open: OpenDrift } | { close: string }): void {
    if (!this.file) return;
    if (!this.dirReady) {
      ensurePrivateDir(path.dirname(this.file));
      this.dirReady = true;
    }
    const line = `${JSON.stringify(op)}\n`;
    appendFileSync(this.journal, line, { mode: PRIVATE_FILE_MODE });
    this.journalBytes += line.length;
    // Fold at once when the journal outgrows the snapshot: amortised O(1) writes per change, files sized by the open set.
    if (this.journalBytes > 2 * this.snapshotBytes + (this.options.compactSlackBytes ?? 1 << 20)) this.save();
  }

  /** Returns true when the record is new (to be emitted), false when it updated an open drift. */
  open(record: DriftRecord, now: number, key: ResolutionKey = { lookup: null, address: null, checks: [] }): boolean {
    if (this.touch(record.drift_id, now)) return false;
    const entry = { record, key, firstSeen: now, lastSeen: now, occurrences: 1 };
    // A drift reopened after its window moves to the end of the last-seen order.
    if (this.drifts.has(record.drift_id)) this.remove(record.drift_id);
    this.put(entry);
    this.append({ open: entry });
    this.evictOverflow(now);
    this.scheduleSave();
    return true;
  }

  /**
   * `open` for a record already serialised (replay's readers): the ledger keeps the text as it is
   * and reads the identity from `head`, so the record is never parsed here.
   */
  openJson(json: string, head: Pick<DriftRecord, 'drift_id' | 'provider' | 'account_id' | 'resource_id' | 'resource_type' | 'change_type' | 'severity'>, now: number, key: ResolutionKey): boolean {
    if (this.touch(head.drift_id, now)) return false;
    const entry = new TextDrift(this.kept(head.change_type) ? json : JSON.stringify(identity(head)), key, now, now, 1);
    if (this.drifts.has(head.drift_id)) this.remove(head.drift_id);
    this.put(entry, head.drift_id, DriftLedger.resourceKeys(entry, head));
    if (this.file) this.append({ open: entry });
    this.evictOverflow(now);
    this.scheduleSave();
    return true;
  }

  private kept(changeType: DriftRecord['change_type']): boolean {
    return this.options.recordsKeptFor?.includes(changeType) ?? true;
  }

  /** Drops the drifts seen longest ago until the bound holds; persisted as closes, counted, logged once per burst. */
  private evictOverflow(now: number): void {
    while (this.drifts.size > this.maxOpen) {
      const oldest = this.drifts.values().next().value as OpenDrift;
      this.remove(oldest.record.drift_id);
      if (this.file) this.append({ close: oldest.record.drift_id });
      this.options.metrics?.driftsEvicted.inc({ change_type: oldest.record.change_type });
      this.evictedTotal++;
      if (this.burst === null || now - this.burst.last > EVICTION_BURST_GAP_MS) {
        if (this.burst) this.options.log?.info('open-drift evictions: previous burst ended', { evicted: this.burst.count, since: new Date(this.burst.started).toISOString() });
        this.burst = { started: now, last: now, count: 0 };
        this.options.log?.warn('open drifts reached detection.max_open_drifts; evicting those seen longest ago (counted in tfdrift_drifts_evicted_total, not reported as resolved)', {
          max_open_drifts: this.maxOpen, oldest_last_seen: new Date(oldest.lastSeen).toISOString(), drift_id: oldest.record.drift_id,
        });
      }
      this.burst.last = now;
      this.burst.count++;
    }
  }

  /** A repeat of an open drift within the window: counted, and true, so the caller skips building a record. */
  touch(driftId: string, now: number): boolean {
    const existing = this.drifts.get(driftId);
    if (!existing || now - existing.lastSeen >= this.dedupWindowMs) return false;
    existing.lastSeen = now;
    existing.occurrences++;
    // Keep the map in last-seen order (delete + set moves the key to the end).
    this.drifts.delete(driftId);
    this.drifts.set(driftId, existing);
    this.scheduleSave();
    return true;
  }

  get(driftId: string): OpenDrift | undefined {
    return this.drifts.get(driftId);
  }

  list(): DriftRecord[] {
    return [...this.drifts.values()].map((d) => d.record);
  }

  entries(): OpenDrift[] {
    return [...this.drifts.values()];
  }

  get size(): number {
    return this.drifts.size;
  }

  close(driftId: string): OpenDrift | null {
    const d = this.remove(driftId);
    if (!d) return null;
    this.append({ close: driftId });
    this.scheduleSave();
    return d;
  }

  openCounts(): OpenCount[] {
    const counts = new Map<string, OpenCount>();
    for (const { record: r } of this.drifts.values()) {
      const labels = { provider: r.provider, account_id: r.account_id ?? '', change_type: r.change_type, severity: r.severity };
      const key = `${labels.provider}|${labels.account_id}|${labels.change_type}|${labels.severity}`;
      const c = counts.get(key);
      if (c) c.value++;
      else counts.set(key, { labels, value: 1 });
    }
    return [...counts.values()];
  }

  private scheduleSave(): void {
    if (!this.file || this.saveTimer) return;
    // The journal already makes each change durable; the snapshot only bounds its length.
    this.saveTimer = setTimeout(() => this.save(), 30_000);
    this.saveTimer.unref();
  }

  /** Write-then-rename: a crash mid-write leaves the previous file intact. */
  save(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    if (!this.file) return;
    ensurePrivateDir(path.dirname(this.file));
    this.dirReady = true;
    const tmp = `${this.file}.tmp`;
    // Written in ~1 MB pieces: one JSON.stringify of the whole set would hold a string as large as the file.
    const fd = openSync(tmp, 'w', PRIVATE_FILE_MODE);
    let bytes = 0;
    try {
      let chunk = '{"version":1,"drifts":[';
      let first = true;
      for (const d of this.drifts.values()) {
        chunk += (first ? '' : ',') + JSON.stringify(d);
        first = false;
        if (chunk.length >= 1 << 20) {
          bytes += writeSync(fd, chunk);
          chunk = '';
        }
      }
      bytes += writeSync(fd, `${chunk}]}`);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    // The snapshot now holds everything the journal said; a crash before this line replays both.
    writeFileSync(this.journal, '', { mode: PRIVATE_FILE_MODE });
    this.snapshotBytes = bytes;
    this.journalBytes = 0;
  }
}
