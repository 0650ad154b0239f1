import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DriftRecord } from '../model/drift.js';
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

type OpenCount = { labels: { provider: string; account_id: string; change_type: string; severity: string }; value: number };

/**
 * Open drifts by drift_id. Repeats within the window update instead of alerting again.
 * Persisted so a restart (even kill -9) keeps them: each open/close is appended to a journal
 * at once, and the journal is folded into a snapshot (write-then-rename) shortly after.
 */
export class DriftLedger {
  private readonly drifts = new Map<string, OpenDrift>();
  /** provider|account|id → drift_ids, for "did this call touch a drifted resource?" without a scan. */
  private readonly byResource = new Map<string, Set<string>>();
  private saveTimer: NodeJS.Timeout | null = null;
  private dirReady = false;

  constructor(
    private readonly dedupWindowMs = 3_600_000,
    private readonly file: string | null = null,
  ) {
    if (file) {
      this.load(file);
      this.save(); // fold the journal into the snapshot
    }
  }

  private static resourceKeys(d: OpenDrift): string[] {
    const r = d.record;
    const ids = new Set([r.resource_id ?? '', d.key.lookup?.value ?? ''].filter((x) => x !== ''));
    return [...ids].map((id) => `${r.provider}|${r.account_id ?? ''}|${id}`);
  }

  private put(d: OpenDrift): void {
    const previous = this.drifts.get(d.record.drift_id);
    if (previous) this.unindex(previous);
    this.drifts.set(d.record.drift_id, d);
    for (const k of DriftLedger.resourceKeys(d)) {
      const set = this.byResource.get(k);
      if (set) set.add(d.record.drift_id);
      else this.byResource.set(k, new Set([d.record.drift_id]));
    }
  }

  private unindex(d: OpenDrift): void {
    for (const k of DriftLedger.resourceKeys(d)) {
      const set = this.byResource.get(k);
      set?.delete(d.record.drift_id);
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
      mkdirSync(path.dirname(this.file), { recursive: true });
      this.dirReady = true;
    }
    appendFileSync(this.journal, `${JSON.stringify(op)}\n`);
  }

  /** Returns true when the record is new (to be emitted), false when it updated an open drift. */
  open(record: DriftRecord, now: number, key: ResolutionKey = { lookup: null, address: null, checks: [] }): boolean {
    if (this.touch(record.drift_id, now)) return false;
    const entry = { record, key, firstSeen: now, lastSeen: now, occurrences: 1 };
    this.put(entry);
    this.append({ open: entry });
    this.scheduleSave();
    return true;
  }

  /** A repeat of an open drift within the window: counted, and true, so the caller skips building a record. */
  touch(driftId: string, now: number): boolean {
    const existing = this.drifts.get(driftId);
    if (!existing || now - existing.lastSeen >= this.dedupWindowMs) return false;
    existing.lastSeen = now;
    existing.occurrences++;
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
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: 1, drifts: [...this.drifts.values()] }));
    renameSync(tmp, this.file);
    // The snapshot now holds everything the journal said; a crash before this line replays both.
    writeFileSync(this.journal, '');
  }
}
