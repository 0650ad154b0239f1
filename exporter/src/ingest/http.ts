import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Pipeline } from '../pipeline.js';
import type { Metrics } from '../metrics/registry.js';
import { readBody, sendJson, type RouteHandler } from '../server/http.js';
import { splitAlertBody } from './body.js';
import { looksLikeFalcoAlert } from './falco.js';

const JSON_TYPES = /^(application\/(json|x-ndjson|jsonl|x-json-stream)|text\/plain)\b/i;

/** POST /falco: Falco http_output / falcosidekick bodies, JSON arrays and NDJSON batches. */
export function falcoHttpRoute(pipeline: Pipeline, metrics: Metrics, maxBodyBytes: number): RouteHandler {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const type = req.headers['content-type'];
    if (type !== undefined && !JSON_TYPES.test(type)) {
      metrics.eventsFailed.inc({ reason: 'unsupported_media_type' });
      return sendJson(res, 415, { error: `content-type ${type} is not accepted; send application/json` });
    }
    let body: Buffer;
    try {
      body = await readBody(req, maxBodyBytes);
    } catch (err) {
      const status = (err as { status?: number }).status ?? 400;
      metrics.eventsFailed.inc({ reason: status === 413 ? 'body_too_large' : 'body_read_error' });
      return sendJson(res, status, { error: (err as Error).message });
    }
    const { alerts, errors } = splitAlertBody(body, req.headers['content-encoding']);
    for (const e of errors) metrics.eventsFailed.inc({ reason: e.reason });
    const notAlerts = alerts.filter((a) => !looksLikeFalcoAlert(a)).length;
    if (alerts.length === 0 || notAlerts === alerts.length) {
      if (notAlerts > 0) metrics.eventsFailed.inc({ reason: 'not_an_alert' }, notAlerts);
      return sendJson(res, 400, {
        error: 'body is not a Falco alert (expected JSON with "output_fields", "rule", "source")',
        problems: errors.map((e) => e.message),
      });
    }
    let drifts = 0;
    let failed = errors.length;
    for (const alert of alerts) {
      const outcome = pipeline.processFalcoAlert(alert, 'falco_http');
      if (outcome.status === 'drift') drifts += outcome.records.length;
      if (outcome.status === 'failed') failed++;
    }
    sendJson(res, 200, { accepted: alerts.length, failed, drifts });
  };
}
