import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { VERSION } from '../version.js';

/** Callbacks evaluated at scrape time (prom-client collect()), so gauges are never stale. */
export interface ScrapeSources {
  openDrifts?: () => Iterable<{ labels: { provider: string; account_id: string; change_type: string; severity: string }; value: number }>;
  stateResources?: () => Iterable<{ labels: { state: string; provider: string }; value: number }>;
  stateLastSuccess?: () => Iterable<{ labels: { state: string }; value: number }>;
  outputQueueLength?: () => Iterable<{ labels: { output: string }; value: number }>;
  inputConnected?: () => Iterable<{ labels: { input: string }; value: number }>;
}

/**
 * Detection lag: CloudTrail delivers in ~5 minutes, but replayed archives and backlogs reach days;
 * buckets run to 7 days so an old event is not read as exactly the top bucket.
 */
export const EVENT_LAG_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21_600, 43_200, 86_400, 172_800, 345_600, 604_800];

/**
 * Label values that alert rules select on, initialised to 0 so a rule sees a series from the start
 * (a rule over an absent series returns nothing, which reads as "fine").
 */
export const INITIAL_LABELS = {
  suppressed: ['no_state_for_account', 'terraform', 'ci_principal', 'service_principal', 'maintenance_window', 'duplicate_alert', 'duplicate_open_drift', 'ignore_rule', 'read_only', 'failed_call'],
  failed: ['unsupported_media_type', 'not_an_alert', 'body_too_large', 'journal_full', 'journal_error', 'journal_corrupt', 'internal_error', 'mapping_error'],
  providers: ['aws', 'gcp', 'azure'],
  rejected: ['missing_credential', 'invalid_credential', 'request_timeout', 'bad_request', 'connection_limit'],
  changeTypes: ['modified', 'unmanaged', 'missing'],
} as const;

/** Every metric of the DESIGN.md contract, on a private Registry. */
export class Metrics {
  readonly registry = new Registry();
  readonly sources: ScrapeSources = {};

  readonly eventsReceived: Counter<'input' | 'source'>;
  readonly eventsSuppressed: Counter<'reason'>;
  readonly eventsUnmapped: Counter<'provider'>;
  readonly eventsFailed: Counter<'reason'>;
  readonly drifts: Counter<'provider' | 'account_id' | 'change_type' | 'severity' | 'resource_type'>;
  readonly stateLoadDuration: Histogram<'state'>;
  readonly stateLoadErrors: Counter<'state'>;
  readonly eventProcessing: Histogram;
  readonly eventLag: Histogram;
  readonly outputSent: Counter<'output' | 'status'>;
  readonly httpRejected: Counter<'reason'>;
  readonly driftsEvicted: Counter<'change_type'>;
  readonly eventsSkipped: Counter<'reason'>;
  readonly inputLag: Histogram<'input'>;
  readonly backfillObjects: Counter<'result'>;
  readonly backfillEvents: Counter<'result'>;
  readonly backfillPending: Gauge;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const r = this.registry;
    const sources = this.sources;
    if (options.defaultMetrics !== false) {
      collectDefaultMetrics({ register: r, prefix: 'tfdrift_' });
      // prom-client names these gauges *_total, which promtool rejects (a _total suffix means counter);
      // the same numbers by type stay in tfdrift_nodejs_active_{handles,requests,resources}{type}.
      for (const name of ['handles', 'requests', 'resources']) r.removeSingleMetric(`tfdrift_nodejs_active_${name}_total`);
    }
    this.eventsReceived = new Counter({ name: 'tfdrift_events_received_total', help: 'Audit events received, by input and Falco/record source.', labelNames: ['input', 'source'], registers: [r] });
    this.eventsSuppressed = new Counter({ name: 'tfdrift_events_suppressed_total', help: 'Events that produced no drift on purpose, by reason.', labelNames: ['reason'], registers: [r] });
    this.eventsUnmapped = new Counter({ name: 'tfdrift_events_unmapped_total', help: 'Write events with no mapping-table row, by provider.', labelNames: ['provider'], registers: [r] });
    this.eventsFailed = new Counter({ name: 'tfdrift_events_failed_total', help: 'Inputs that could not be processed, by reason.', labelNames: ['reason'], registers: [r] });
    this.drifts = new Counter({ name: 'tfdrift_drifts_total', help: 'Drift records emitted (detected).', labelNames: ['provider', 'account_id', 'change_type', 'severity', 'resource_type'], registers: [r] });
    new Gauge({
      name: 'tfdrift_drifts_open', help: 'Open (unresolved) drifts, computed at scrape.', labelNames: ['provider', 'account_id', 'change_type', 'severity'], registers: [r],
      collect() { this.reset(); for (const s of sources.openDrifts?.() ?? []) this.set(s.labels, s.value); },
    });
    new Gauge({
      name: 'tfdrift_state_resources', help: 'Managed resource instances in the last good load of each state.', labelNames: ['state', 'provider'], registers: [r],
      collect() { this.reset(); for (const s of sources.stateResources?.() ?? []) this.set(s.labels, s.value); },
    });
    this.stateLoadDuration = new Histogram({ name: 'tfdrift_state_load_duration_seconds', help: 'Time to fetch, parse and index a state.', labelNames: ['state'], buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [r] });
    new Gauge({
      name: 'tfdrift_state_last_success_timestamp_seconds', help: 'Unix time of the last successful load of each state.', labelNames: ['state'], registers: [r],
      collect() { this.reset(); for (const s of sources.stateLastSuccess?.() ?? []) this.set(s.labels, s.value); },
    });
    this.stateLoadErrors = new Counter({ name: 'tfdrift_state_load_errors_total', help: 'Failed state loads; the last good state is kept.', labelNames: ['state'], registers: [r] });
    this.eventProcessing = new Histogram({ name: 'tfdrift_event_processing_seconds', help: 'Time from receipt of an event to its drift records handed to outputs.', buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [r] });
    this.eventLag = new Histogram({ name: 'tfdrift_event_lag_seconds', help: 'Detection time minus the event time the cloud recorded.', buckets: EVENT_LAG_BUCKETS, registers: [r] });
    this.outputSent = new Counter({ name: 'tfdrift_output_sent_total', help: 'Drift records handled by each output, by outcome: ok; retry (an attempt failed, will retry); rejected (refused, not retried, e.g. Loki 400); dropped (spool or queue full); error (gave up or write failed); filtered, deduplicated, rate_limited (notifications).', labelNames: ['output', 'status'], registers: [r] });
    new Gauge({
      name: 'tfdrift_output_queue_length', help: 'Records waiting in each output (memory and spool).', labelNames: ['output'], registers: [r],
      collect() { this.reset(); for (const s of sources.outputQueueLength?.() ?? []) this.set(s.labels, s.value); },
    });
    new Gauge({
      name: 'tfdrift_input_connected', help: '1 when the input is connected/listening, else 0.', labelNames: ['input'], registers: [r],
      collect() { this.reset(); for (const s of sources.inputConnected?.() ?? []) this.set(s.labels, s.value); },
    });
    this.httpRejected = new Counter({ name: 'tfdrift_http_requests_rejected_total', help: 'Requests and connections the server turned away, by reason: missing_credential, invalid_credential, request_timeout (slow headers or body), bad_request, connection_limit.', labelNames: ['reason'], registers: [r] });
    this.driftsEvicted = new Counter({ name: 'tfdrift_drifts_evicted_total', help: 'Open drifts dropped from the ledger to stay within detection.max_open_drifts (oldest last-seen first); not reported as resolved.', labelNames: ['change_type'], registers: [r] });
    this.eventsSkipped = new Counter({ name: 'tfdrift_events_skipped_total', help: 'Events left to another exporter of the fleet (not_owned: an account this shard does not own).', labelNames: ['reason'], registers: [r] });
    this.inputLag = new Histogram({ name: 'tfdrift_input_lag_seconds', help: 'Receipt by a queue input (EventBridge/SQS, Pub/Sub) minus the event time the cloud recorded.', labelNames: ['input'], buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900], registers: [r] });
    // The archive backfill after downtime (inputs.aws_archive_backfill): progress and outcome.
    this.backfillObjects = new Counter({ name: 'tfdrift_backfill_objects_total', help: 'Archive objects handled by the backfill after downtime, by result: read, failed.', labelNames: ['result'], registers: [r] });
    this.backfillEvents = new Counter({ name: 'tfdrift_backfill_events_total', help: 'Archive records seen by the backfill, by result: queued (into the journal), duplicate (received before the stop), outside_window, read_only, failed_call, bad_record.', labelNames: ['result'], registers: [r] });
    this.backfillPending = new Gauge({ name: 'tfdrift_backfill_pending_objects', help: 'Archive objects the backfill still has to read (0 when done or disabled).', registers: [r] });
    const build = new Gauge({ name: 'tfdrift_build_info', help: 'Build information; always 1.', labelNames: ['version'], registers: [r] });
    build.set({ version: VERSION }, 1);
    for (const reason of INITIAL_LABELS.suppressed) this.eventsSuppressed.inc({ reason }, 0);
    for (const reason of INITIAL_LABELS.failed) this.eventsFailed.inc({ reason }, 0);
    for (const provider of INITIAL_LABELS.providers) this.eventsUnmapped.inc({ provider }, 0);
    for (const reason of INITIAL_LABELS.rejected) this.httpRejected.inc({ reason }, 0);
    for (const change_type of INITIAL_LABELS.changeTypes) this.driftsEvicted.inc({ change_type }, 0);
    this.eventsSkipped.inc({ reason: 'not_owned' }, 0);
  }
}
