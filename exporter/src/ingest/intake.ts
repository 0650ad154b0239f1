import type { AuditEvent, ProviderId } from '../model/event.js';
import type { Metrics } from '../metrics/registry.js';
import type { Pipeline, ProcessOutcome } from '../pipeline.js';
import { InputError, errorMessage } from '../util/errors.js';
import { type FalcoAlert, falcoContext, parseFalcoAlert } from './falco.js';

/**
 * What the journal drain (and replay) hands each input's payload to: Falco alert bodies and
 * native audit records (CloudTrail record, GCP LogEntry, Azure activity record) become
 * provider events here, in the ingest room, so the pipeline sees only events.
 */
export interface AlertProcessor {
  processFalcoAlert(body: unknown, input: string, receivedAt?: bigint): ProcessOutcome;
  /** Native records; optional so Falco-only harnesses need not provide it. */
  processRecord?(provider: ProviderId, record: unknown, input: string, receivedAt?: bigint): ProcessOutcome;
}

const KNOWN_SOURCES = new Set(['aws_cloudtrail', 'gcp_auditlog', 'azure_activitylog', 'aws', 'gcp', 'azure']);
/** Keeps the `source` label bounded whatever clients send. */
function boundedSource(source: string): string {
  return KNOWN_SOURCES.has(source) ? source : 'other';
}

type PipelinePart = Pick<Pipeline, 'processEvent' | 'processRecord' | 'provider' | 'providers' | 'fail'>;

/** The AlertProcessor of a pipeline: Falco parsing here, provider parsing in the provider room. */
export function alertProcessor(pipeline: PipelinePart, metrics: Metrics): AlertProcessor {
  return {
    processFalcoAlert(body, input, receivedAt = process.hrtime.bigint()) {
      let alert: FalcoAlert;
      try {
        alert = parseFalcoAlert(body);
      } catch (err) {
        return pipeline.fail(err instanceof InputError ? err.reason : 'bad_alert', errorMessage(err));
      }
      metrics.eventsReceived.inc({ input, source: boundedSource(alert.source) });
      const provider = pipeline.providers.find((p) => p.falcoSources.includes(alert.source));
      if (!provider) return pipeline.fail('unknown_source', `no provider handles Falco source "${alert.source}"`);
      let event: AuditEvent;
      try {
        event = provider.fromFalco(alert.outputFields, falcoContext(alert));
      } catch (err) {
        return pipeline.fail(err instanceof InputError ? err.reason : 'bad_output_fields', errorMessage(err));
      }
      return pipeline.processEvent(event, receivedAt);
    },
    processRecord(providerId, record, input, receivedAt = process.hrtime.bigint()) {
      const provider = pipeline.provider(providerId);
      if (!provider) return pipeline.fail('unknown_provider', `provider ${providerId} is not enabled`);
      return pipeline.processRecord(provider, record, input, receivedAt);
    },
  };
}
