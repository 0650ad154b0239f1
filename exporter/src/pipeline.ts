import type { DriftRecord } from './model/drift.js';
import type { AuditEvent, ProviderId } from './model/event.js';
import type { Metrics } from './metrics/registry.js';
import type { Output } from './outputs/types.js';
import type { ProviderAdapter, Resolution } from './providers/types.js';
import type { StateStore } from './state/store.js';
import type { StateIndex } from './state/index.js';
import { DriftLedger } from './detect/ledger.js';
import { resolveAgainstState, resolvedRecord } from './detect/resolve.js';
import { detectionConfigSchema, type DetectionConfig } from './detect/config.js';
import { InputError, errorMessage } from './util/errors.js';
import type { Logger } from './util/logger.js';
import { type Assessment, type AssessRules, type Convergence, type Prepared, type RecordHead, type SerialAssessment, assessEvent, assessRules, prepareEvent } from './assess.js';

export { isTerraformCall } from './detect/suppress.js';

export interface PipelineOptions {
  providers: ProviderAdapter[];
  states: StateStore;
  outputs: Output[];
  metrics: Metrics;
  log: Logger;
  ledger?: DriftLedger;
  detection?: DetectionConfig;
  now?: () => Date;
  /** `exporter` field of every record (config `server.name`); default the host name. */
  exporterName?: string;
  /** A fleet shard's accounts by provider (fleet/config.ts); null or absent: every account. */
  ownedAccounts?: Map<string, Set<string>> | null;
}

export type ProcessOutcome =
  | { status: 'drift'; records: DriftRecord[] }
  | { status: 'no_drift'; reasons: string[] }
  /** Held for settle_seconds; `settled` resolves once it has been evaluated (emitted or dropped). */
  | { status: 'held'; settled: Promise<void> }
  | { status: 'failed'; reason: string; message: string };

interface Held {
  event: AuditEvent;
  resolution: Resolution;
  receivedAt: bigint;
  due: number;
  done: () => void;
}

/** Wires the rooms: provider → state → detect → outputs. One call per audit event. */
export class Pipeline {
  readonly ledger: DriftLedger;
  private readonly now: () => Date;
  private readonly detection: DetectionConfig;
  private readonly rules: AssessRules;
  private held: Held[] = [];
  private settleTimer: NodeJS.Timeout | null = null;

  constructor(private readonly o: PipelineOptions) {
    this.detection = o.detection ?? detectionConfigSchema.parse({});
    this.ledger = o.ledger ?? new DriftLedger(this.detection.dedup_window_seconds * 1000);
    this.now = o.now ?? (() => new Date());
    this.rules = assessRules(this.detection, o.exporterName, o.ownedAccounts ?? null);
    o.metrics.sources.openDrifts = () => this.ledger.openCounts();
    o.states.on('reloaded', ({ index }: { index: StateIndex }) => this.resolveAfterReload(index));
  }

  /** The enabled providers (inputs pick the one that reads their format). */
  get providers(): readonly ProviderAdapter[] {
    return this.o.providers;
  }

  provider(id: ProviderId): ProviderAdapter | undefined {
    return this.o.providers.find((p) => p.id === id);
  }

  /** Counts a failure an input detected (bad body, unknown source) the way the pipeline counts its own. */
  fail(reason: string, message: string): ProcessOutcome {
    this.o.metrics.eventsFailed.inc({ reason });
    return { status: 'failed', reason, message };
  }

  /** A native audit record (CloudTrail record, GCP LogEntry, Azure activity record). */
  processRecord(provider: ProviderAdapter, record: unknown, input: string, receivedAt = process.hrtime.bigint()): ProcessOutcome {
    this.o.metrics.eventsReceived.inc({ input, source: provider.id });
    let event: AuditEvent;
    try {
      event = provider.fromRecord(record);
    } catch (err) {
      return this.fail(err instanceof InputError ? err.reason : 'bad_record', errorMessage(err));
    }
    return this.processEvent(event, receivedAt);
  }

  processEvent(event: AuditEvent, receivedAt = process.hrtime.bigint()): ProcessOutcome {
    const prepared = prepareEvent(event, this.provider(event.provider), this.rules);
    if (prepared.status === 'failed' && prepared.logged) this.o.log.error('mapping failed', { event: event.eventName, id: event.eventId, error: prepared.message });
    if (prepared.status !== 'ready') return this.conclude(prepared);
    if (this.detection.settle_seconds > 0) {
      let done: () => void = () => {};
      const settled = new Promise<void>((resolve) => (done = resolve));
      this.held.push({ event, resolution: prepared.resolution, receivedAt, due: Date.now() + this.detection.settle_seconds * 1000, done });
      this.scheduleSettle();
      return { status: 'held', settled };
    }
    return this.evaluate(event, prepared.resolution, receivedAt);
  }

  /** Counts an event decided before detection; a Terraform call converges the open drifts it touches. */
  conclude(prepared: Exclude<Prepared, { status: 'ready' }>): ProcessOutcome {
    const m = this.o.metrics;
    switch (prepared.status) {
      case 'not_owned':
        m.eventsSkipped.inc({ reason: 'not_owned' });
        return { status: 'no_drift', reasons: ['not_owned'] };
      case 'suppressed':
        m.eventsSuppressed.inc({ reason: prepared.reason });
        if (prepared.converge) this.converge(prepared.converge);
        return { status: 'no_drift', reasons: [prepared.reason] };
      case 'unmapped':
        m.eventsUnmapped.inc({ provider: prepared.provider });
        return { status: 'no_drift', reasons: ['unmapped'] };
      case 'failed':
        return this.fail(prepared.reason, prepared.message);
    }
  }

  private evaluate(event: AuditEvent, resolution: Resolution, receivedAt: bigint): ProcessOutcome {
    const now = this.now();
    const assessment = assessEvent(event, resolution, this.o.states.index, this.rules, now, (id) => this.ledger.touch(id, now.getTime()));
    return this.commit(assessment, receivedAt, now);
  }

  /**
   * The ledger's half of detection, for an assessment made here or on another thread (replay's
   * workers): repeats of open drifts are dropped, new ones opened and emitted.
   */
  commit(assessment: Assessment, receivedAt = process.hrtime.bigint(), now = this.now()): ProcessOutcome {
    const m = this.o.metrics;
    const reasons = [...assessment.reasons];
    const records: DriftRecord[] = [];
    for (const { record, key } of assessment.candidates) {
      if (!this.ledger.open(record, now.getTime(), key)) {
        reasons.push('duplicate_open_drift');
        continue;
      }
      records.push(record);
    }
    for (const reason of reasons) m.eventsSuppressed.inc({ reason });
    for (const record of records) this.emit(record);
    m.eventProcessing.observe(Number(process.hrtime.bigint() - receivedAt) / 1e9);
    if (assessment.eventTime) {
      // Every evaluated event, drift or not: this is the freshness of detection.
      const lag = (now.getTime() - Date.parse(assessment.eventTime)) / 1000;
      if (Number.isFinite(lag) && lag >= 0) m.eventLag.observe(lag);
    }
    return records.length > 0 ? { status: 'drift', records } : { status: 'no_drift', reasons };
  }

  /**
   * `commit` for candidates serialised on another thread (replay's readers): the same ledger
   * decisions; records go out as the JSON they arrived as. Returns how many were emitted.
   */
  commitSerial(assessment: SerialAssessment, now = this.now()): { emitted: number; reasons: string[] } {
    const m = this.o.metrics;
    const reasons = [...assessment.reasons];
    let emitted = 0;
    for (const { json, head, key } of assessment.candidates) {
      if (!this.ledger.openJson(json, head, now.getTime(), key)) {
        reasons.push('duplicate_open_drift');
        continue;
      }
      emitted++;
      this.publish(head, true, (out) => (out.sendJson ? out.sendJson(json) : out.send(JSON.parse(json) as DriftRecord)));
    }
    for (const reason of reasons) m.eventsSuppressed.inc({ reason });
    return { emitted, reasons };
  }

  private scheduleSettle(): void {
    if (this.settleTimer) return;
    const next = Math.min(...this.held.map((h) => h.due));
    this.settleTimer = setTimeout(() => void this.settle(false), Math.max(0, next - Date.now()));
    this.settleTimer.unref();
  }

  /** Re-checks held events against freshly reloaded state (ETag/serial makes that cheap). */
  async settle(all: boolean): Promise<void> {
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = null;
    const now = Date.now();
    const due = this.held.filter((h) => all || h.due <= now);
    this.held = this.held.filter((h) => !due.includes(h));
    if (due.length > 0) {
      await this.o.states.reload().catch((err: unknown) => this.o.log.warn('state re-check before emitting failed', { error: errorMessage(err) }));
      for (const h of due) {
        try {
          this.evaluate(h.event, h.resolution, h.receivedAt);
        } finally {
          h.done();
        }
      }
    }
    if (this.held.length > 0) this.scheduleSettle();
  }

  /** A Terraform call on a resource with an open "modified" drift means apply converged it. */
  private converge(c: Convergence): void {
    if (this.ledger.size === 0) return;
    for (const resourceId of c.resourceIds) {
      for (const d of this.ledger.onResource(c.provider, c.accountId, resourceId)) {
        if (d.record.change_type !== 'modified') continue;
        this.ledger.close(d.record.drift_id);
        this.emit(resolvedRecord(d, { code: 'terraform_call', text: `converged by a Terraform call (${c.eventName})` }, this.now()));
      }
    }
  }

  private resolveAfterReload(index: StateIndex): void {
    for (const record of resolveAgainstState(this.ledger, index, this.now(), (loc) => this.o.states.locationStatus(loc))) this.emit(record);
  }

  emit(record: DriftRecord): void {
    this.publish(record, record.event_type === 'terraform_drift_detected', (out) => out.send(record));
  }

  /** Counts a detected drift, then hands the record to every output; an output that throws is counted and logged. */
  private publish(head: RecordHead, detected: boolean, send: (out: Output) => void): void {
    if (detected)
      this.o.metrics.drifts.inc({
        provider: head.provider,
        account_id: head.account_id ?? '',
        change_type: head.change_type,
        severity: head.severity,
        resource_type: head.resource_type,
      });
    for (const out of this.o.outputs) {
      try {
        send(out);
      } catch (err) {
        this.o.metrics.outputSent.inc({ output: out.name, status: 'error' });
        this.o.log.error('output failed', { output: out.name, error: errorMessage(err) });
      }
    }
  }

  /** Emits what is held (shutdown), saves open drifts, and flushes outputs. */
  async flush(): Promise<void> {
    if (this.held.length > 0) await this.settle(true);
    this.ledger.save();
    await Promise.all(this.o.outputs.map((o) => o.flush()));
  }
}
