import { gunzipSync } from 'node:zlib';
import { InputError } from '../util/errors.js';

/**
 * Falco http_output posts one JSON alert; falcosidekick-style clients may batch as a JSON
 * array or NDJSON. Returns the alerts, each either parsed or an error naming the line.
 */
export function splitAlertBody(body: Buffer, contentEncoding?: string): { alerts: unknown[]; errors: InputError[] } {
  let buf = body;
  if (contentEncoding === 'gzip' || (buf[0] === 0x1f && buf[1] === 0x8b)) {
    try {
      buf = gunzipSync(buf);
    } catch (err) {
      return { alerts: [], errors: [new InputError(`corrupt gzip body (${(err as Error).message})`, 'bad_gzip')] };
    }
  }
  const text = buf.toString('utf8').trim();
  if (text === '') return { alerts: [], errors: [new InputError('empty body', 'empty_body')] };
  try {
    const doc: unknown = JSON.parse(text);
    return { alerts: Array.isArray(doc) ? doc : [doc], errors: [] };
  } catch {
    // NDJSON
  }
  const alerts: unknown[] = [];
  const errors: InputError[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      alerts.push(JSON.parse(line));
    } catch (err) {
      errors.push(new InputError(`invalid JSON (${(err as Error).message})`, 'invalid_json', `line ${i + 1}`));
    }
  });
  return { alerts, errors };
}
