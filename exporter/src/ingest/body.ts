import { gunzipSync } from 'node:zlib';
import { InputError } from '../util/errors.js';

/** Gunzips (Falco's `compress_uploads`) within the same size limit; returns the UTF-8 text. */
export function decodeBody(body: Buffer, contentEncoding: string, maxBytes: number): string {
  return decodeBodyBytes(body, contentEncoding, maxBytes).toString('utf8');
}

/** Like decodeBody, but the bytes (a single-alert body is journaled exactly as received). */
export function decodeBodyBytes(body: Buffer, contentEncoding: string, maxBytes: number): Buffer {
  let buf = body;
  if (contentEncoding === 'gzip' || contentEncoding === 'x-gzip' || (buf[0] === 0x1f && buf[1] === 0x8b)) {
    try {
      buf = gunzipSync(buf, { maxOutputLength: maxBytes });
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') throw new InputError(`gzip body inflates beyond the ${maxBytes}-byte limit`, 'body_too_large');
      throw new InputError(`corrupt gzip body (${(err as Error).message})`, 'bad_gzip');
    }
  }
  return buf;
}

export interface BodyItem {
  value: unknown;
  /** The item's own JSON text when the body was exactly this one document. */
  text: string | null;
  where: string | null;
}

/**
 * Falco http_output posts one JSON alert; falcosidekick-style clients may batch as a JSON
 * array or NDJSON. Returns the parsed items and an error per unparsable line.
 */
export function splitAlertText(text: string): { items: BodyItem[]; errors: InputError[] } {
  try {
    // JSON.parse skips surrounding whitespace itself; the common case (one alert) copies nothing.
    const doc: unknown = JSON.parse(text);
    if (Array.isArray(doc)) {
      if (doc.length === 0) return { items: [], errors: [new InputError('empty JSON array', 'empty_body')] };
      return { items: doc.map((value, i) => ({ value, text: null, where: `item ${i + 1}` })), errors: [] };
    }
    return { items: [{ value: doc, text, where: null }], errors: [] };
  } catch {
    // not one JSON document: NDJSON (or nothing)
  }
  const trimmed = text.trim();
  if (trimmed === '') return { items: [], errors: [new InputError('empty body', 'empty_body')] };
  const items: BodyItem[] = [];
  const errors: InputError[] = [];
  const lines = trimmed.split('\n');
  lines.forEach((line, i) => {
    const l = line.trim();
    if (l === '') return;
    try {
      items.push({ value: JSON.parse(l), text: l, where: `line ${i + 1}` });
    } catch (err) {
      errors.push(new InputError(`invalid JSON (${(err as Error).message})`, 'invalid_json', `line ${i + 1}`));
    }
  });
  return { items, errors };
}

/** Kept for callers that split a raw body in one step (older code paths, tests). */
export function splitAlertBody(body: Buffer, contentEncoding?: string, maxBytes = 64 * 2 ** 20): { alerts: unknown[]; errors: InputError[] } {
  let text: string;
  try {
    text = decodeBody(body, (contentEncoding ?? '').toLowerCase(), maxBytes);
  } catch (err) {
    return { alerts: [], errors: [err as InputError] };
  }
  const { items, errors } = splitAlertText(text);
  return { alerts: items.map((i) => i.value), errors };
}
