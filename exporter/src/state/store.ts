import { EventEmitter } from 'node:events';
import { type StateSourceConfig, sourceAccount } from './config.js';
import { createStateBackend } from './backends/registry.js';
import type { StateBackend } from './backends/types.js';
import { StateIndex } from './index.js';
import type { StateSnapshot } from './model.js';
import { parseStateDocument } from './parse.js';
import { errorMessage } from '../util/errors.js';
import type { Metrics } from '../metrics/registry.js';
import type { Logger } from '../util/logger.js';

export interface SourceStatus {
  name: string;
  location: string;
  ok: boolean;
  stale: boolean;
  lastError: string | null;
  lastSuccess: number | null;
  resources: number;
}

interface SourceEntry {
  config: StateSourceConfig;
  backend: StateBackend;
  version: string | null;
  snapshots: StateSnapshot[];
  status: SourceStatus;
  timer: NodeJS.Timeout | null;
}

/**
 * Holds every configured state source, keeps the last good load of each on failure,
 * and swaps a freshly built index in atomically (readers never see a half-built one).
 */
export class StateStore extends EventEmitter {
  private readonly entries: SourceEntry[];
  private current = new StateIndex([]);

  constructor(
    configs: StateSourceConfig[],
    private readonly metrics: Metrics | null,
    private readonly log: Logger,
    backendFactory: (c: StateSourceConfig) => StateBackend = createStateBackend,
  ) {
    super();
    this.entries = configs.map((config) => {
      const backend = backendFactory(config);
      return {
        config, backend, version: null, snapshots: [], timer: null,
        status: { name: config.name, location: backend.describe(), ok: false, stale: false, lastError: null, lastSuccess: null, resources: 0 },
      };
    });
    if (metrics) {
      metrics.sources.stateResources = () => this.entries.map((e) => ({ labels: { state: e.config.name, provider: e.config.provider }, value: e.status.resources }));
      metrics.sources.stateLastSuccess = () =>
        this.entries.filter((e) => e.status.lastSuccess !== null).map((e) => ({ labels: { state: e.config.name }, value: (e.status.lastSuccess as number) / 1000 }));
    }
  }

  get index(): StateIndex {
    return this.current;
  }

  statuses(): SourceStatus[] {
    return this.entries.map((e) => ({ ...e.status }));
  }

  /** Ready when every source has loaded at least once. */
  ready(): boolean {
    return this.entries.every((e) => e.status.lastSuccess !== null);
  }

  /** Loads (or reloads) all sources, or only the named one. Returns names that changed. */
  async reload(name?: string): Promise<{ changed: string[]; errors: { name: string; error: string }[] }> {
    const targets = this.entries.filter((e) => name === undefined || e.config.name === name);
    if (name !== undefined && targets.length === 0) throw new Error(`no state source named "${name}"`);
    const changed: string[] = [];
    const errors: { name: string; error: string }[] = [];
    await Promise.all(
      targets.map(async (entry) => {
        const started = process.hrtime.bigint();
        try {
          const fetched = await entry.backend.fetch(entry.version);
          if (fetched !== null) {
            entry.snapshots = fetched.map((f) =>
              parseStateDocument(f.text, {
                name: entry.config.name, location: f.location, provider: entry.config.provider,
                accountId: sourceAccount(entry.config), region: entry.config.region ?? null,
              }),
            );
            entry.version = fetched.map((f) => f.version ?? '').join('|') || null;
            changed.push(entry.config.name);
          }
          entry.status = { ...entry.status, ok: true, stale: false, lastError: null, lastSuccess: Date.now(), resources: entry.snapshots.reduce((n, s) => n + s.resources.length, 0) };
          this.metrics?.stateLoadDuration.observe({ state: entry.config.name }, Number(process.hrtime.bigint() - started) / 1e9);
        } catch (err) {
          const message = errorMessage(err);
          entry.status = { ...entry.status, ok: false, stale: entry.status.lastSuccess !== null, lastError: message };
          this.metrics?.stateLoadErrors.inc({ state: entry.config.name });
          this.log.error('state load failed; keeping the last good state', { state: entry.config.name, error: message });
          errors.push({ name: entry.config.name, error: message });
        }
      }),
    );
    if (changed.length > 0) {
      this.current = new StateIndex(this.entries.flatMap((e) => e.snapshots));
      this.emit('reloaded', { changed, index: this.current });
    }
    return { changed, errors };
  }

  startPolling(): void {
    for (const entry of this.entries) {
      const seconds = entry.config.reload_interval_seconds;
      if (seconds <= 0) continue;
      entry.timer = setInterval(() => void this.reload(entry.config.name), seconds * 1000);
      entry.timer.unref();
    }
  }

  stop(): void {
    for (const e of this.entries) if (e.timer) clearInterval(e.timer);
  }
}
