import { EventEmitter } from 'node:events';
import { setImmediate as yieldToLoop, setTimeout as delay } from 'node:timers/promises';
import { Gauge } from 'prom-client';
import { type StateSourceConfig, loadRetries, sourceAccount } from './config.js';
import { createStateBackend } from './backends/registry.js';
import type { StateBackend } from './backends/types.js';
import { globToRegExp, isGlob } from './backends/util.js';
import { StateIndex, foreignAccounts } from './index.js';
import type { StateSnapshot, StateSourceInfo } from './model.js';
import { parseStateDocumentAsync, peekStateHeader } from './parse.js';
import { errorMessage } from '../util/errors.js';
import type { Metrics } from '../metrics/registry.js';
import type { Logger } from '../util/logger.js';

/** ok: loaded; stale: serving the last good load after a failure; loading: first load under way; never_loaded: every attempt failed. */
export type SourceHealth = 'ok' | 'stale' | 'loading' | 'never_loaded';
export const SOURCE_HEALTH: readonly SourceHealth[] = ['ok', 'stale', 'loading', 'never_loaded'];

export interface SourceStatus {
  name: string;
  health: SourceHealth;
  /** A load (first or reload, with its retries) is under way. */
  loading: boolean;
  location: string;
  ok: boolean;
  /** A load failed after an earlier success: the last good state is still served. */
  stale: boolean;
  lastError: string | null;
  lastSuccess: number | null;
  resources: number;
  /** State objects (files, keys, workspaces) this source currently holds. */
  objects: number;
  /** Wall time of the last load that downloaded and parsed something, in ms. */
  lastLoadMs: number | null;
}

interface LoadedObject {
  version: string | null;
  snapshot: StateSnapshot;
}

interface SourceEntry {
  config: StateSourceConfig;
  backend: StateBackend;
  version: string | null;
  objects: Map<string, LoadedObject>;
  snapshots: StateSnapshot[];
  status: SourceStatus;
  timer: NodeJS.Timeout | null;
  unwatch: (() => void) | null;
  running: Promise<void> | null;
  queued: Promise<boolean> | null;
  /** Resolves when the first load (with its retries) has finished, loaded or not. */
  firstLoad: Promise<void>;
  firstLoadDone: () => void;
}

const STALE_METRIC = 'tfdrift_state_stale';
const HEALTH_METRIC = 'tfdrift_state_health';

/** Resolves after `ms`, or at once when the store stops. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal, ref: false }).catch(() => undefined);
}

function healthOf(s: Pick<SourceStatus, 'lastSuccess' | 'stale' | 'loading'>): SourceHealth {
  if (s.lastSuccess === null) return s.loading ? 'loading' : 'never_loaded';
  return s.stale ? 'stale' : 'ok';
}

/** Delay before retry `attempt` (0-based): 1 s doubling to a 30 s cap, uniformly jittered in its upper half. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(30_000, 1000 * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * Holds every configured state source, keeps the last good load of each on failure,
 * and swaps a freshly built index in atomically (readers never see a half-built one).
 * Loads of one source are serialised; concurrent triggers coalesce into one queued load.
 */
export class StateStore extends EventEmitter {
  private readonly entries: SourceEntry[];
  private current = new StateIndex([]);
  private buildsStarted = 0;
  private lastSwapped = 0;
  private readonly stopped = new AbortController();

  constructor(
    configs: StateSourceConfig[],
    private readonly metrics: Metrics | null,
    private readonly log: Logger,
    backendFactory: (c: StateSourceConfig) => StateBackend = createStateBackend,
  ) {
    super();
    this.entries = configs.map((config) => {
      const backend = backendFactory(config);
      let firstLoadDone = (): void => {};
      const firstLoad = new Promise<void>((resolve) => (firstLoadDone = resolve));
      return {
        config, backend, version: null, objects: new Map(), snapshots: [], timer: null, unwatch: null, running: null, queued: null, firstLoad, firstLoadDone,
        status: {
          name: config.name, health: 'loading', loading: true, location: backend.describe(), ok: false, stale: false, lastError: null, lastSuccess: null,
          resources: 0, objects: 0, lastLoadMs: null,
        },
      };
    });
    if (metrics) {
      metrics.sources.stateResources = () => this.entries.map((e) => ({ labels: { state: e.config.name, provider: e.config.provider }, value: e.status.resources }));
      metrics.sources.stateLastSuccess = () =>
        this.entries.filter((e) => e.status.lastSuccess !== null).map((e) => ({ labels: { state: e.config.name }, value: (e.status.lastSuccess as number) / 1000 }));
      // Not in the metrics room's list: staleness is this room's, so the gauge is registered here (once per registry).
      const existing = metrics.registry.getSingleMetric(STALE_METRIC);
      if (existing) metrics.registry.removeSingleMetric(STALE_METRIC);
      const entries = this.entries;
      new Gauge({
        name: STALE_METRIC, help: '1 when the last load of a state failed and its last good load is being served.', labelNames: ['state'], registers: [metrics.registry],
        collect() { this.reset(); for (const e of entries) this.set({ state: e.config.name }, e.status.stale ? 1 : 0); },
      });
      if (metrics.registry.getSingleMetric(HEALTH_METRIC)) metrics.registry.removeSingleMetric(HEALTH_METRIC);
      new Gauge({
        name: HEALTH_METRIC, help: 'Each state source\'s health, one series per state and health (ok, stale, loading, never_loaded); 1 marks the current one.',
        labelNames: ['state', 'health'], registers: [metrics.registry],
        collect() {
          this.reset();
          for (const e of entries) for (const h of SOURCE_HEALTH) this.set({ state: e.config.name, health: h }, healthOf(e.status) === h ? 1 : 0);
        },
      });
    }
  }

  get index(): StateIndex {
    return this.current;
  }

  statuses(): SourceStatus[] {
    return this.entries.map((e) => ({ ...e.status, health: healthOf(e.status) }));
  }

  /** Resolves once every source has finished its first load, loaded or not (alerts wait for this, not for success). */
  settled(): Promise<void> {
    return Promise.all(this.entries.map((e) => e.firstLoad)).then(() => undefined);
  }

  /**
   * What the configuration says about a state location a drift record names: `loaded` (its source
   * holds it now), `removed` (no configured source covers it any more, or its source loaded fine
   * without it), `unknown` (its source has not loaded it: never loaded or failing).
   */
  locationStatus(location: string): 'loaded' | 'removed' | 'unknown' {
    for (const e of this.entries) {
      if (e.objects.has(location)) return 'loaded';
      const pattern = e.status.location;
      if (pattern === location || (isGlob(pattern) && globToRegExp(pattern).test(location))) {
        if (!e.status.ok) return 'unknown';
      }
    }
    return 'removed';
  }

  /** Names of sources whose first load has not finished yet. */
  loadingSources(): string[] {
    return this.entries.filter((e) => e.status.lastSuccess === null && e.status.loading).map((e) => e.config.name);
  }

  /** Ready when every source has loaded at least once (a stale source still serves its last good state). */
  ready(): boolean {
    return this.entries.every((e) => e.status.lastSuccess !== null);
  }

  /** Names of sources serving a last good state after a failed load. */
  staleSources(): string[] {
    return this.entries.filter((e) => e.status.stale).map((e) => e.config.name);
  }

  /** Loads (or reloads) all sources, or only the named one. Returns names that changed. */
  async reload(name?: string): Promise<{ changed: string[]; errors: { name: string; error: string }[] }> {
    const targets = this.entries.filter((e) => name === undefined || e.config.name === name);
    if (name !== undefined && targets.length === 0) throw new Error(`no state source named "${name}"`);
    const changed: string[] = [];
    const errors: { name: string; error: string }[] = [];
    await Promise.all(
      targets.map(async (entry) => {
        if (await this.schedule(entry)) changed.push(entry.config.name);
        if (!entry.status.ok && entry.status.lastError !== null) errors.push({ name: entry.config.name, error: entry.status.lastError });
      }),
    );
    if (changed.length > 0) {
      // Built off to the side; the swap is one assignment, so lookups see the old or the new index, never a mix.
      const seq = ++this.buildsStarted;
      const next = await StateIndex.build(this.entries.flatMap((e) => e.snapshots));
      // Builds yield, so two can overlap; one started later saw newer snapshots and must not be replaced by an older one.
      if (seq < this.lastSwapped) return { changed, errors };
      this.lastSwapped = seq;
      this.current = next;
      this.log.info('state index rebuilt', { changed, resources: next.resourceCount, keys: next.stats().keys, build_ms: Math.round(next.buildMs) });
      this.emit('reloaded', { changed, index: next });
    }
    return { changed, errors };
  }

  /** Serialises loads per source: a trigger while one is queued joins it instead of adding another. */
  private schedule(entry: SourceEntry): Promise<boolean> {
    if (entry.queued) return entry.queued;
    const before = entry.running ?? Promise.resolve();
    const run: Promise<boolean> = before.then(async () => {
      entry.queued = null;
      const p = this.load(entry);
      entry.running = p.then(() => undefined);
      try {
        return await p;
      } finally {
        entry.running = null;
      }
    });
    entry.queued = run;
    return run;
  }

  private sourceInfo(entry: SourceEntry, location: string): StateSourceInfo {
    const c = entry.config;
    return { name: c.name, location, provider: c.provider, accountId: sourceAccount(c), region: c.region ?? null };
  }

  /** One load of a source with its retries; true when its snapshots changed. Never throws. */
  private async load(entry: SourceEntry): Promise<boolean> {
    entry.status = { ...entry.status, loading: true };
    try {
      for (let attempt = 0; ; attempt++) {
        const result = await this.loadOnce(entry);
        if (result !== null || attempt >= loadRetries(entry.config) || this.stopped.signal.aborted) return result ?? false;
        const wait = retryDelayMs(attempt);
        this.log.warn('state load failed; retrying', { state: entry.config.name, attempt: attempt + 1, of: loadRetries(entry.config) + 1, retry_in_ms: wait, error: entry.status.lastError });
        await sleep(wait, this.stopped.signal);
      }
    } finally {
      entry.status = { ...entry.status, loading: false };
      if (entry.status.lastSuccess === null && entry.status.lastError !== null)
        this.log.error('state never loaded: events of its account are suppressed as no_state_for_account until it loads', {
          state: entry.config.name, location: entry.status.location, attempts: loadRetries(entry.config) + 1, error: entry.status.lastError,
        });
      entry.firstLoadDone();
    }
  }

  /** Warns when a bound state's resources name other accounts: the binding is used, the ARNs are not. */
  private checkBinding(entry: SourceEntry, snap: StateSnapshot): void {
    const foreign = foreignAccounts(snap);
    if (foreign.size === 0) return;
    this.log.warn('state resources name another account than the one this state is bound to; the configured binding is used', {
      state: entry.config.name, location: snap.source.location, bound_to: snap.source.accountId,
      named: Object.fromEntries(foreign), hint: 'remove the account binding to route each resource by its own ARN/project/subscription, or split the state',
    });
  }

  /** One fetch + parse; true when the snapshots changed, false when unchanged, null when it failed. Never throws. */
  private async loadOnce(entry: SourceEntry): Promise<boolean | null> {
    const started = performance.now();
    const name = entry.config.name;
    try {
      const known = new Map([...entry.objects].map(([loc, o]) => [loc, o.version]));
      const fetched = await entry.backend.fetch(entry.version, known);
      let changed = false;
      if (fetched !== null) {
        const next = new Map<string, LoadedObject>();
        for (const f of fetched) {
          const prev = entry.objects.get(f.location);
          if (f.unchanged && prev) {
            next.set(f.location, prev);
            continue;
          }
          if (f.unchanged) throw new Error(`${f.location}: backend reported unchanged content that was never loaded`);
          // Same serial and lineage means the same state (Terraform bumps serial on every write): skip the parse.
          const head = peekStateHeader(f.text);
          if (prev && head.serial !== null && head.lineage !== null && prev.snapshot.serial === head.serial && prev.snapshot.lineage === head.lineage) {
            next.set(f.location, { version: f.version, snapshot: prev.snapshot });
            continue;
          }
          await yieldToLoop(); // let ingest run between large parses
          const snapshot = await parseStateDocumentAsync(f.text, this.sourceInfo(entry, f.location));
          this.checkBinding(entry, snapshot);
          next.set(f.location, { version: f.version, snapshot });
          changed = true;
        }
        if (next.size !== entry.objects.size || [...entry.objects.keys()].some((k) => !next.has(k))) changed = true;
        entry.objects = next;
        entry.snapshots = [...next.values()].map((o) => o.snapshot);
        entry.version = fetched.map((f) => `${f.location}=${f.version ?? ''}`).join('|') || null;
      }
      const ms = performance.now() - started;
      if (entry.status.stale) this.log.warn('state load recovered', { state: name });
      else if (entry.status.lastSuccess === null && entry.status.lastError !== null) this.log.warn('state loaded after earlier failures', { state: name });
      entry.status = {
        ...entry.status, ok: true, stale: false, lastError: null, lastSuccess: Date.now(),
        resources: entry.snapshots.reduce((n, s) => n + s.resources.length, 0), objects: entry.objects.size,
        lastLoadMs: changed ? ms : entry.status.lastLoadMs,
      };
      if (changed) {
        this.metrics?.stateLoadDuration.observe({ state: name }, ms / 1000);
        this.log.info('state loaded', { state: name, objects: entry.objects.size, resources: entry.status.resources, load_ms: Math.round(ms) });
      } else this.log.debug('state unchanged', { state: name });
      return changed;
    } catch (err) {
      // Messages come from our backends and parser: locations and reasons, never credentials or state values.
      const message = errorMessage(err);
      const stale = entry.status.lastSuccess !== null;
      entry.status = { ...entry.status, ok: false, stale, lastError: message };
      this.metrics?.stateLoadErrors.inc({ state: name });
      if (stale) this.log.error('state load failed; serving the last good state, now stale', { state: name, error: message });
      else this.log.error('state load failed; no good state loaded yet for this source', { state: name, error: message });
      return null;
    }
  }

  /** Starts per-source reload intervals and file watchers. */
  startPolling(): void {
    for (const entry of this.entries) {
      const seconds = entry.config.reload_interval_seconds;
      if (seconds > 0) {
        entry.timer = setInterval(() => void this.reload(entry.config.name), seconds * 1000);
        entry.timer.unref();
      }
      if (entry.backend.watch && entry.config.watch !== false) entry.unwatch = entry.backend.watch(() => void this.reload(entry.config.name));
    }
  }

  stop(): void {
    this.stopped.abort();
    for (const e of this.entries) {
      if (e.timer) clearInterval(e.timer);
      e.timer = null;
      e.unwatch?.();
      e.unwatch = null;
    }
  }
}
