import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { looksLikeFalcoAlert } from './falco.js';
import { isRecord } from '../util/paths.js';

export const RECORD_FORMATS = ['auto', 'cloudtrail', 'falco', 'gcp', 'azure'] as const;
export type RecordFormat = (typeof RECORD_FORMATS)[number];

/** One item read from an input file, with where it came from for error messages. */
export type InputItem =
  | { kind: 'falco'; value: unknown; where: string }
  | { kind: 'record'; provider: 'aws' | 'gcp' | 'azure'; value: unknown; where: string }
  | { kind: 'error'; reason: string; message: string; where: string };

/** Unwraps envelopes: EventBridge `detail`, LookupEvents `CloudTrailEvent` string. */
export function unwrapEnvelope(v: unknown): unknown {
  if (!isRecord(v)) return v;
  if (v['detail-type'] === 'AWS API Call via CloudTrail' && isRecord(v.detail)) return v.detail;
  if (typeof v.CloudTrailEvent === 'string') {
    try {
      return JSON.parse(v.CloudTrailEvent);
    } catch {
      return v;
    }
  }
  return v;
}

export function classify(v: unknown, format: RecordFormat): 'falco' | 'aws' | 'gcp' | 'azure' | null {
  if (format === 'falco') return looksLikeFalcoAlert(v) ? 'falco' : null;
  const forced = format === 'cloudtrail' ? 'aws' : format === 'auto' ? null : format;
  if (forced) return forced;
  if (looksLikeFalcoAlert(v)) return 'falco';
  if (!isRecord(v)) return null;
  if (typeof (v.eventName ?? v.eventname) === 'string' && typeof (v.eventSource ?? v.eventsource) === 'string') return 'aws';
  if (isRecord(v.protoPayload) || (typeof v.logName === 'string' && 'resource' in v)) return 'gcp';
  if (typeof v.operationName === 'string' || isRecord(v.operationName) || isRecord(v.operation_name) || typeof v.resourceId === 'string' || typeof v.resource_id === 'string')
    return 'azure';
  return null;
}

/** Splits a parsed document into records: `{"Records":[]}`, `{"records":[]}`, arrays, single objects. */
function containerItems(doc: unknown): unknown[] {
  if (Array.isArray(doc)) return doc;
  if (isRecord(doc) && Array.isArray(doc.Records)) return doc.Records;
  if (isRecord(doc) && Array.isArray(doc.records)) return doc.records;
  if (isRecord(doc) && Array.isArray(doc.value) && !('operationName' in doc)) return doc.value; // Azure REST list
  return [doc];
}

export function itemsFromText(text: string, file: string, format: RecordFormat): InputItem[] {
  const out: InputItem[] = [];
  const push = (raw: unknown, where: string): void => {
    const value = unwrapEnvelope(raw);
    const kind = classify(value, format);
    if (kind === null) out.push({ kind: 'error', reason: 'unrecognised_record', message: 'not a recognised audit record or Falco alert', where });
    else if (kind === 'falco') out.push({ kind: 'falco', value, where });
    else out.push({ kind: 'record', provider: kind, value, where });
  };
  const trimmed = text.trim();
  if (trimmed === '') return out;
  try {
    const doc: unknown = JSON.parse(trimmed);
    containerItems(doc).forEach((item, i) => push(item, `${file}: record ${i + 1}`));
    return out;
  } catch {
    // not one JSON document: JSON lines
  }
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      out.push({ kind: 'error', reason: 'invalid_json', message: `invalid JSON (${(err as Error).message})`, where: `${file}: line ${i + 1}` });
      return;
    }
    const items = containerItems(value);
    items.forEach((item, j) => push(item, items.length > 1 ? `${file}: line ${i + 1} record ${j + 1}` : `${file}: line ${i + 1}`));
  });
  return out;
}

/** Files under the given paths (a directory means every file in it, recursively, sorted). */
export async function expandPaths(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const st = await stat(p);
    if (st.isDirectory()) {
      const entries = (await readdir(p)).sort();
      out.push(...(await expandPaths(entries.filter((e) => !e.startsWith('.')).map((e) => path.join(p, e)))));
    } else out.push(p);
  }
  return out;
}

export async function readInputFile(file: string, format: RecordFormat): Promise<InputItem[]> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (err) {
    return [{ kind: 'error', reason: 'unreadable_file', message: (err as Error).message, where: file }];
  }
  if (buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf);
    } catch (err) {
      return [{ kind: 'error', reason: 'bad_gzip', message: `corrupt gzip (${(err as Error).message})`, where: file }];
    }
  }
  return itemsFromText(buf.toString('utf8'), file, format);
}
