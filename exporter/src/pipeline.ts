import type { DriftRecord } from './model/drift.js';
import type { AuditEvent, ProviderId } from './model/event.js';
import type { Metrics } from './metrics/registry.js';
import type { Output } from './outputs/types.js';
import type { ProviderAdapter } from './providers/types.js';
import type { StateStore } from './state/store.js';
import { detect } from './detect/detector.js';
import { buildDriftRecord } from './detect/record.js';
import { defaultSeverity } from './detect/severity.js';
import { suggestedFix } from './detect/fix.js';
import { DriftLedger } from './detect/ledger.js';
import { type FalcoAlert, falcoContext, parseFalcoAlert } from './ingest/falco.js';
import { InputError, errorMessage } from './util/errors.js';
import type { Logger } from './util/logger.js';
import { VERSION } from './version.js';

export interface PipelineOptions {
  providers: ProviderAdapter[];
  states: StateStore;
  outputs: Output[];
  metrics: Metrics;
  log: Logger;
  ledger?: DriftLedger;
  now?: () => Date;
}

export type ProcessOutcome =
  | { status: 'drift'; records: DriftRecord[] }
  | { status: 'no_drift'; reasons: string[] }
  | { status: 'failed'; reason: string; message: string };

/** Wires the rooms: provider → state → detect → outputs. One call per audit event. */
export class Pipeline {
  readonly ledger: DriftLedger;
  private readonly now: () => Date;

  constructor(private readonly o: PipelineOptions) {
    this.ledger = o.ledger ?? new DriftLedger();
    this.now = o.now ?? (() => new Date());
    o.metrics.sources.openDrifts = () => this.ledger.openCounts();
  }

  provider(id: ProviderId): ProviderAdapter | undefined {
    return this.o.providers.find((p) => p.id === id);
  }

  private fail(reason: string, message: string): ProcessOutcome {
    this.o.metrics.eventsFailed.inc({ reason });
    return { status: 'failed', reason, message };
  }

  /** A Falco alert body (already JSON-parsed), from HTTP, gRPC or a file. */
  processFalcoAlert(body: unknown, input: string, receivedAt = process.hrtime.bigint()): ProcessOutcome {
    let alert: FalcoAlert;
    try {
      alert = parseFalcoAlert(body);
    } catch (err) {
      return this.fail(err instanceof InputError ? err.reason : 'bad_alert', errorMessage(err));
    }
    this.o.metrics.eventsReceived.inc({ input, source: boundedSource(alert.source) });
    const provider = this.o.providers.find((p) => p.falcoSources.includes(alert.source));
    if (!provider) return this.fail('unknown_source', `no provider handles Falco source "${alert.source}"`);
    let event: AuditEvent;
    try {
      event = provider.fromFalco(alert.outputFields, falcoContext(alert));
    } catch (err) {
      return this.fail(err instanceof InputError ? err.reason : 'bad_output_fields', errorMessage(err));
    }
    return this.processEvent(event, receivedAt);
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
    const m = this.o.metrics;
    const provider = this.provider(event.provider);
    if (!provider) return this.fail('unknown_provider', `provider ${event.provider} is not enabled`);
    let resolution;
    try {
      resolution = provider.resolve(event);
    } catch (err) {
      this.o.log.error('mapping failed', { event: event.eventName, id: event.eventId, error: errorMessage(err) });
      return this.fail('mapping_error', errorMessage(err));
    }
    if (resolution.status === 'ignored') {
      m.eventsSuppressed.inc({ reason: resolution.reason });
      return { status: 'no_drift', reasons: [resolution.reason] };
    }
    if (resolution.status === 'unmapped') {
      m.eventsUnmapped.inc({ provider: event.provider });
      return { status: 'no_drift', reasons: ['unmapped'] };
    }
    if (resolution.status === 'unresolved') return this.fail(resolution.reason, `${event.eventName}: ${resolution.reason}`);
    if (isTerraformCall(event.userAgent)) {
      m.eventsSuppressed.inc({ reason: 'terraform' });
      return { status: 'no_drift', reasons: ['terraform'] };
    }
    const detection = detect(event, resolution, this.o.states.index);
    for (const reason of detection.suppressed) m.eventsSuppressed.inc({ reason });
    const now = this.now();
    const records: DriftRecord[] = [];
    for (const draft of detection.drifts) {
      const record = buildDriftRecord(draft, event, {
        severity: defaultSeverity(draft),
        suggestedFix: suggestedFix(draft, event.eventName),
        detectedAt: now,
        version: VERSION,
      });
      if (!this.ledger.open(record, now.getTime())) {
        m.eventsSuppressed.inc({ reason: 'duplicate_open_drift' });
        continue;
      }
      records.push(record);
    }
    for (const record of records) this.emit(record);
    m.eventProcessing.observe(Number(process.hrtime.bigint() - receivedAt) / 1e9);
    if (event.eventTime) {
      const lag = (now.getTime() - Date.parse(event.eventTime)) / 1000;
      if (Number.isFinite(lag) && lag >= 0) m.eventLag.observe(lag);
    }
    return records.length > 0 ? { status: 'drift', records } : { status: 'no_drift', reasons: detection.suppressed };
  }

  emit(record: DriftRecord): void {
    if (record.event_type === 'terraform_drift_detected')
      this.o.metrics.drifts.inc({
        provider: record.provider,
        account_id: record.account_id ?? '',
        change_type: record.change_type,
        severity: record.severity,
        resource_type: record.resource_type,
      });
    for (const out of this.o.outputs) {
      try {
        out.send(record);
      } catch (err) {
        this.o.metrics.outputSent.inc({ output: out.name, status: 'error' });
        this.o.log.error('output failed', { output: out.name, error: errorMessage(err) });
      }
    }
  }

  async flush(): Promise<void> {
    await Promise.all(this.o.outputs.map((o) => o.flush()));
  }
}

/** Terraform's and OpenTofu's own API calls are the intended state, never drift. */
export function isTerraformCall(userAgent: string | null): boolean {
  return userAgent !== null && /(^|[\s(])(Terraform\/|OpenTofu\/|APN\/1\.0 HashiCorp\/1\.0 Terraform)/i.test(userAgent);
}

const KNOWN_SOURCES = new Set(['aws_cloudtrail', 'gcp_auditlog', 'azure_activitylog', 'aws', 'gcp', 'azure']);
/** Keeps the `source` label bounded whatever clients send. */
function boundedSource(source: string): string {
  return KNOWN_SOURCES.has(source) ? source : 'other';
}
