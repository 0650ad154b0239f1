import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Metrics } from '../metrics/registry.js';
import { readBody, sendJson, type RouteHandler } from '../server/http.js';
import { InputError, errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { decodeBodyBytes, splitAlertText } from './body.js';
import { parseFalcoAlert } from './falco.js';
import { JournalFullError } from './journal.js';
import type { AlertIngest } from './service.js';

const JSON_TYPES = /^(application\/(json|x-ndjson|ndjson|jsonl|json-seq|x-json-stream)|text\/plain)\s*(;|$)/i;
const ENCODINGS = new Set(['', 'identity', 'gzip', 'x-gzip']);

/**
 * POST /falco: Falco http_output / falcosidekick bodies, JSON arrays and NDJSON batches.
 * 200 only once every good alert of the body is in the journal (Falco ignores the status, so
 * nothing is acknowledged before it is safe); 400/413/415 for bodies that are not alerts.
 */
export function falcoHttpRoute(ingest: AlertIngest, metrics: Metrics, maxBodyBytes: number, log?: Logger): RouteHandler {
  const fail = (res: ServerResponse, status: number, reason: string, message: string, problems: string[] = [], count = 1): void => {
    if (count > 0) metrics.eventsFailed.inc({ reason }, count);
    sendJson(res, status, problems.length ? { error: message, problems: problems.slice(0, 20) } : { error: message });
  };
  return async (req: IncomingMessage, res: ServerResponse) => {
    const receivedAt = process.hrtime.bigint();
    const type = req.headers['content-type'];
    if (type !== undefined && !JSON_TYPES.test(type)) {
      req.resume();
      return fail(res, 415, 'unsupported_media_type', `content-type ${type} is not accepted; send application/json or application/x-ndjson`);
    }
    const encoding = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
    if (!ENCODINGS.has(encoding)) {
      req.resume();
      return fail(res, 415, 'unsupported_encoding', `content-encoding ${encoding} is not accepted; send gzip or identity`);
    }
    let raw: Buffer;
    try {
      raw = await readBody(req, maxBodyBytes);
    } catch (err) {
      const status = (err as { status?: number }).status ?? 400;
      if (status === 413) res.setHeader('connection', 'close');
      return fail(res, status, status === 413 ? 'body_too_large' : 'body_read_error', errorMessage(err));
    }
    let bytes: Buffer;
    try {
      bytes = decodeBodyBytes(raw, encoding, maxBodyBytes);
    } catch (err) {
      const e = err instanceof InputError ? err : new InputError(errorMessage(err), 'bad_body');
      return fail(res, e.reason === 'body_too_large' ? 413 : 400, e.reason, e.message);
    }
    const { items, errors } = splitAlertText(bytes.toString('utf8'));
    const payloads: Buffer[] = [];
    const values: unknown[] = [];
    const problems = errors.map((e) => e.message);
    const reasons = new Map<string, number>();
    for (const e of errors) reasons.set(e.reason, (reasons.get(e.reason) ?? 0) + 1);
    for (const item of items) {
      try {
        parseFalcoAlert(item.value);
      } catch (err) {
        const e = err instanceof InputError ? err : new InputError(errorMessage(err), 'bad_alert');
        reasons.set(e.reason, (reasons.get(e.reason) ?? 0) + 1);
        problems.push(item.where ? `${item.where}: ${e.message}` : e.message);
        continue;
      }
      // A single-alert body is journaled as received; batch items are re-serialised.
      payloads.push(items.length === 1 && item.text !== null ? (item.where === null ? bytes : Buffer.from(item.text)) : Buffer.from(JSON.stringify(item.value)));
      values.push(item.value);
    }
    for (const [reason, n] of reasons) metrics.eventsFailed.inc({ reason }, n);
    if (payloads.length === 0) {
      if (reasons.size === 0) metrics.eventsFailed.inc({ reason: 'empty_body' });
      return fail(res, 400, 'not_an_alert', 'body holds no Falco alert (expected JSON objects with "output_fields", "rule", "source")', problems, 0);
    }
    try {
      await ingest.accept(payloads, 'falco_http', receivedAt, values);
    } catch (err) {
      const full = err instanceof JournalFullError;
      log?.error('journal append failed', { error: errorMessage(err) });
      return fail(res, 503, full ? 'journal_full' : 'journal_error', errorMessage(err), [], payloads.length);
    }
    const failed = items.length + errors.length - payloads.length;
    sendJson(res, 200, failed > 0 ? { accepted: payloads.length, failed, problems: problems.slice(0, 20) } : { accepted: payloads.length, failed: 0 });
  };
}
