import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Metrics } from '../../metrics/registry.js';
import type { Pipeline } from '../../pipeline.js';
import type { ProviderAdapter } from '../../providers/types.js';
import { readBody, sendJson, type RouteHandler } from '../../server/http.js';
import { decodeActivityPayload } from './decode.js';

const TYPES = /^(application\/(json|x-ndjson|jsonl|x-json-stream|octet-stream)|text\/plain)\b/i;

/**
 * POST /azure: activity records from Event Hubs forwarders (Azure Functions, Logstash, Vector,
 * Fluent Bit). Unlike Falco, forwarders read the status and retry, so records are processed
 * before the answer: 200 with counts, 400 when nothing in the body is an activity record.
 * Authentication is the server's, as for every endpoint.
 */
export function azureHttpRoute(pipeline: Pipeline, provider: ProviderAdapter, metrics: Metrics, maxBodyBytes: number): RouteHandler {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const type = req.headers['content-type'];
    if (type !== undefined && !TYPES.test(type)) {
      metrics.eventsFailed.inc({ reason: 'unsupported_media_type' });
      return sendJson(res, 415, { error: `content-type ${type} is not accepted; send application/json or application/x-ndjson` });
    }
    let body: Buffer;
    try {
      body = await readBody(req, maxBodyBytes);
    } catch (err) {
      const status = (err as { status?: number }).status ?? 400;
      metrics.eventsFailed.inc({ reason: status === 413 ? 'body_too_large' : 'body_read_error' });
      return sendJson(res, status, { error: (err as Error).message });
    }
    const { records, errors } = decodeActivityPayload(body);
    for (const e of errors) metrics.eventsFailed.inc({ reason: e.reason });
    const usable = records.filter((r) => provider.recognises(r));
    if (usable.length === 0) {
      if (records.length > 0) metrics.eventsFailed.inc({ reason: 'not_an_activity_record' }, records.length);
      return sendJson(res, 400, {
        error: 'body holds no Azure activity record (expected {"records":[...]}, a JSON array or NDJSON of records with operationName and resourceId)',
        problems: errors.map((e) => e.message),
      });
    }
    let drifts = 0;
    let failed = errors.length + (records.length - usable.length);
    if (records.length > usable.length) metrics.eventsFailed.inc({ reason: 'not_an_activity_record' }, records.length - usable.length);
    for (const record of usable) {
      const outcome = pipeline.processRecord(provider, record, 'azure_http');
      if (outcome.status === 'drift') drifts += outcome.records.length;
      if (outcome.status === 'failed') failed++;
    }
    sendJson(res, 200, { accepted: usable.length, failed, drifts });
  };
}
