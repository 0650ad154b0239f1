import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isRecord } from '../../util/paths.js';
import type { Logger } from '../../util/logger.js';
import { errorMessage } from '../../util/errors.js';

interface Scope {
  /** Latest event time (ms) of an alert received for this account/region. */
  latest: number;
  /** Event IDs received with their event times, kept while within the overlap of `latest`. */
  ids: Map<string, number>;
}

const NA = '<NA>';
const field = (fields: Record<string, unknown>, key: string): string | null => {
  const v = fields[key];
  return typeof v === 'string' && v !== '' && v !== NA ? v : null;
};

/**
 * What the exporter has received from the CloudTrail source, per account/region: the latest event
 * time and the event IDs near it. Kept on disk (storage.dir/backfill/received.json) so that after a
 * restart the archive backfill knows where each account/region stopped and what not to repeat.
 */
export class ReceivedLog {
  private readonly file: string;
  private readonly scopes = new Map<string, Scope>();
  /** Wall time the previous run last wrote the log (it was alive then); null on a first start. */
  readonly previousRunSeenAt: number | null;
  private dirty = false;
  private readonly timer: NodeJS.Timeout;
  private remembered = 0;
  private savedAt = 0;

  constructor(
    dir: string,
    private readonly o: { overlapMs: number; maxIds: number; log: Logger; persistEveryMs?: number },
  ) {
    mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, 'received.json');
    this.previousRunSeenAt = this.load();
    // Written when changed, and at least once a minute: `saved_at` tells the next run when this one was last alive.
    this.timer = setInterval(() => this.persist(Date.now() - this.savedAt > 60_000), o.persistEveryMs ?? 2000);
    this.timer.unref();
  }

  private load(): number | null {
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.o.log.warn('archive backfill: unreadable received log; starting without it', { file: this.file, error: errorMessage(err) });
      return null;
    }
    if (!isRecord(doc) || !isRecord(doc.scopes)) return null;
    for (const [key, s] of Object.entries(doc.scopes)) {
      if (!isRecord(s) || typeof s.latest !== 'number' || !isRecord(s.ids)) continue;
      const ids = new Map<string, number>();
      for (const [id, t] of Object.entries(s.ids)) if (typeof t === 'number') ids.set(id, t);
      this.scopes.set(key, { latest: s.latest, ids });
      this.remembered += ids.size;
    }
    return typeof doc.saved_at === 'number' ? doc.saved_at : null;
  }

  /** Notes one alert body as received (CloudTrail alerts only; others are ignored). */
  observe(alert: unknown): void {
    if (!isRecord(alert) || !isRecord(alert.output_fields)) return;
    const f = alert.output_fields;
    const id = field(f, 'ct.id');
    const time = Date.parse(field(f, 'ct.time') ?? '');
    const account = field(f, 'ct.recipientaccountid') ?? field(f, 'ct.user.accountid');
    const region = field(f, 'ct.region');
    if (!id || Number.isNaN(time) || !account || !region) return;
    this.note(account, region, id, time);
  }

  private note(account: string, region: string, id: string, time: number): void {
    const key = `${account}/${region}`;
    let scope = this.scopes.get(key);
    if (!scope) this.scopes.set(key, (scope = { latest: time, ids: new Map() }));
    if (!scope.ids.has(id)) this.remembered++;
    scope.ids.set(id, time);
    if (time > scope.latest) {
      scope.latest = time;
      for (const [k, t] of scope.ids) {
        if (t >= time - this.o.overlapMs) continue;
        scope.ids.delete(k);
        this.remembered--;
      }
    }
    if (this.remembered > this.o.maxIds) this.trim();
    this.dirty = true;
  }

  /** Over the bound: forget the oldest IDs first (their events are the least likely to come again). */
  private trim(): void {
    const all = [...this.scopes.values()].flatMap((s) => [...s.ids.entries()].map(([id, t]) => ({ s, id, t }))).sort((a, b) => a.t - b.t);
    for (const { s, id } of all.slice(0, this.remembered - this.o.maxIds)) s.ids.delete(id);
    this.remembered = Math.min(this.remembered, this.o.maxIds);
  }

  /** Latest event time received for an account/region, or null. */
  latest(account: string, region: string): number | null {
    return this.scopes.get(`${account}/${region}`)?.latest ?? null;
  }

  /** Latest event time of every account/region seen. */
  scopeLatest(): number[] {
    return [...this.scopes.values()].map((s) => s.latest);
  }

  has(account: string, region: string, id: string): boolean {
    return this.scopes.get(`${account}/${region}`)?.ids.has(id) ?? false;
  }

  /** Writes the log atomically (temp file, rename) when something changed. */
  persist(force = false): void {
    if (!this.dirty && !force) return;
    const doc = {
      version: 1,
      saved_at: Date.now(),
      scopes: Object.fromEntries([...this.scopes].map(([k, s]) => [k, { latest: s.latest, ids: Object.fromEntries(s.ids) }])),
    };
    try {
      writeFileSync(`${this.file}.tmp`, JSON.stringify(doc), { mode: 0o600 });
      renameSync(`${this.file}.tmp`, this.file);
      this.dirty = false;
      this.savedAt = doc.saved_at;
    } catch (err) {
      this.o.log.warn('archive backfill: cannot write the received log', { file: this.file, error: errorMessage(err) });
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.persist(true);
  }
}
