import { gunzipSync } from 'node:zlib';
import { InputError } from '../../util/errors.js';
import { isRecord } from '../../util/paths.js';

/**
 * Azure activity records from an Event Hubs message body or an HTTP body. Diagnostic settings
 * send `{"records":[...]}` per message; forwarders send NDJSON, JSON arrays, single records or
 * the REST list `{"value":[...]}`; bodies may be gzip'ed, bytes, strings or parsed objects.
 */
export function decodeActivityPayload(body: unknown): { records: unknown[]; errors: InputError[] } {
  if (body === null || body === undefined) return { records: [], errors: [new InputError('empty message', 'empty_body')] };
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) {
    let buf = Buffer.from(body);
    if (buf[0] === 0x1f && buf[1] === 0x8b) {
      try {
        buf = gunzipSync(buf);
      } catch (err) {
        return { records: [], errors: [new InputError(`corrupt gzip body (${(err as Error).message})`, 'bad_gzip')] };
      }
    }
    return decodeActivityPayload(buf.toString('utf8'));
  }
  if (typeof body === 'string') return decodeText(body);
  return { records: unwrap(body), errors: [] };
}

function unwrap(doc: unknown): unknown[] {
  if (Array.isArray(doc)) return doc.flatMap((d) => (isRecord(d) && (Array.isArray(d.records) || Array.isArray(d.value)) ? unwrap(d) : [d]));
  if (isRecord(doc) && Array.isArray(doc.records)) return doc.records;
  if (isRecord(doc) && Array.isArray(doc.value) && !('operationName' in doc)) return doc.value;
  return [doc];
}

function decodeText(text: string): { records: unknown[]; errors: InputError[] } {
  const trimmed = text.trim();
  if (trimmed === '') return { records: [], errors: [new InputError('empty body', 'empty_body')] };
  try {
    return { records: unwrap(JSON.parse(trimmed)), errors: [] };
  } catch {
    // NDJSON: one record (or one records-container) per line
  }
  const records: unknown[] = [];
  const errors: InputError[] = [];
  trimmed.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      records.push(...unwrap(JSON.parse(line)));
    } catch (err) {
      errors.push(new InputError(`invalid JSON (${(err as Error).message})`, 'invalid_json', `line ${i + 1}`));
    }
  });
  return { records, errors };
}
