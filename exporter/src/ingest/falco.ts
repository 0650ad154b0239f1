import type { FalcoContext } from '../model/event.js';
import { InputError } from '../util/errors.js';
import { isRecord, str } from '../util/paths.js';

/** A Falco alert as http_output / falcosidekick / the gRPC `response` carry it. */
export interface FalcoAlert {
  source: string;
  rule: string | null;
  priority: string | null;
  hostname: string | null;
  time: string | null;
  output: string | null;
  outputFields: Record<string, unknown>;
  tags: string[];
}

const FIELD_PREFIX_SOURCES: [string, string][] = [
  ['ct.', 'aws_cloudtrail'],
  ['gcp.', 'gcp_auditlog'],
  ['azure.', 'azure_activitylog'],
];

export function looksLikeFalcoAlert(v: unknown): v is Record<string, unknown> {
  return isRecord(v) && 'output_fields' in v && ('rule' in v || 'output' in v);
}

/** Validates one alert body; throws InputError naming what is wrong. */
export function parseFalcoAlert(v: unknown): FalcoAlert {
  if (!isRecord(v)) throw new InputError('alert is not a JSON object', 'not_an_alert');
  if (!('output_fields' in v)) throw new InputError('not a Falco alert: no "output_fields"', 'not_an_alert');
  const fields = v.output_fields;
  if (!isRecord(fields)) throw new InputError('"output_fields" is not an object', 'bad_output_fields');
  for (const key of ['rule', 'priority', 'output', 'hostname', 'time', 'source'] as const) {
    if (v[key] !== undefined && v[key] !== null && typeof v[key] !== 'string')
      throw new InputError(`"${key}" must be a string`, 'bad_alert_field');
  }
  let source = str(v.source);
  if (!source) {
    // Falco <0.31 did not send `source`; the field names tell.
    const keys = Object.keys(fields);
    source = FIELD_PREFIX_SOURCES.find(([prefix]) => keys.some((k) => k.startsWith(prefix)))?.[1] ?? 'unknown';
  }
  return {
    source,
    rule: str(v.rule),
    priority: str(v.priority),
    hostname: str(v.hostname),
    time: str(v.time),
    output: str(v.output),
    outputFields: fields,
    tags: Array.isArray(v.tags) ? v.tags.filter((t): t is string => typeof t === 'string') : [],
  };
}

export function falcoContext(a: FalcoAlert): FalcoContext {
  return { rule: a.rule, priority: a.priority, hostname: a.hostname };
}
