import { createReadStream, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { itemsFromText } from '../ingest/records.js';
import { errorMessage } from '../util/errors.js';
import { CloudTrailScanner } from '../archive/scan.js';
import { gunzipWhole, isGzip } from '../archive/gzip.js';
import { type Batch, type TriageContext, emptyBatch, triageScanned, triageValue } from './triage.js';

/** One object to read: a local file (read where it is processed) or bytes already fetched. */
export interface ObjectJob {
  seq: number;
  /** Shown in messages: a path or s3://bucket/key. */
  name: string;
  path?: string;
  /** The file's size as listed (saves a stat). */
  size?: number;
  data?: Uint8Array;
  /** The object could not be fetched (after retries): reported in order, as bad input. */
  fetchError?: string;
  /** Local files above this many bytes are streamed (default STREAM_THRESHOLD). */
  streamAbove?: number;
}

/**
 * Thrown, before anything of the object is delivered, by a reader whose bounded heap could not
 * hold the object's text whole (a large JSON-lines or array file): the main thread reads it.
 */
export class TooLargeForThisThread extends Error {
  constructor(readonly bytes: number) {
    super(`${bytes} bytes of text exceed this thread's bound`);
  }
}

/** Objects above this size are streamed (gunzip and scan chunk by chunk); smaller ones are read at once. */
export const STREAM_THRESHOLD = 8 * 1024 * 1024;
/** Items per batch handed to the main thread (bounds memory for huge files). */
const BATCH_ITEMS = 2000;

/** True when the bytes are not text: NUL bytes or many control characters near the start. */
export function looksBinary(b: Uint8Array): boolean {
  const n = Math.min(b.length, 8192);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c === 0) return true;
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) control++;
  }
  return control > n / 10;
}

const NOT_TEXT = 'not a text or JSON file (binary content; expected JSON, JSON lines or .json.gz)';

/**
 * Reads one object into batches, in record order: CloudTrail log files through the scanner
 * (read-only and failed calls dropped before parsing), everything else through the general
 * reader. `emit` is called with each batch; the last one is emitted with `done`.
 */
export async function processObject(job: ObjectJob, ctx: TriageContext, emit: (batch: Batch, done: boolean) => void): Promise<void> {
  let batch = emptyBatch();
  const flushIfFull = (): void => {
    if (batch.items.length >= BATCH_ITEMS) {
      emit(batch, false);
      batch = emptyBatch();
    }
  };
  const bad = (reason: string, message: string, where = job.name): void => void batch.items.push({ t: 'bad', reason, where, message });
  let handedBack = false;
  const scanner = new CloudTrailScanner(
    (r) => {
      triageScanned(batch, r, job.name, ctx);
      flushIfFull();
    },
    { times: ctx.window !== null },
  );
  const other = (text: string): void => {
    for (const item of itemsFromText(text, job.name, ctx.format)) {
      if (item.kind === 'error') {
        batch.records++;
        batch.items.push({ t: 'bad', reason: item.reason, where: item.where, message: item.message });
      } else triageValue(batch, item.value, item.where, ctx);
      flushIfFull();
    }
  };
  try {
    if (job.fetchError) return bad('unreadable_object', job.fetchError);
    let data = job.data;
    let size = data?.length ?? 0;
    if (!data && job.path) {
      size = job.size ?? (await stat(job.path)).size;
      // Read at once, synchronously: a page-cache read of an object CloudTrail's size takes well under
      // a millisecond, where the promise API costs four thread-pool round trips (open, fstat, read, close).
      if (size <= (job.streamAbove ?? STREAM_THRESHOLD)) data = readFileSync(job.path);
    }
    if (data) {
      let bytes: Uint8Array = data;
      if (isGzip(bytes)) {
        try {
          bytes = gunzipWhole(bytes);
        } catch (err) {
          bad('bad_gzip', `corrupt gzip (${errorMessage(err)})`);
          return;
        }
      }
      if (looksBinary(bytes)) return bad('not_text', NOT_TEXT);
      if (scanner.feed(bytes)) scanner.end();
      if (scanner.state === 'other') {
        if (bytes.length > (ctx.textLimit ?? Infinity)) throw new TooLargeForThisThread(bytes.length);
        other(scanner.head);
      }
      return;
    }
    await streamFile(job.path!, scanner, bad, other, ctx.textLimit ?? Infinity);
  } catch (err) {
    if (err instanceof TooLargeForThisThread) {
      handedBack = true;
      throw err;
    }
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EISDIR') bad('unreadable_file', 'is a directory');
    else if (e.code) bad('unreadable_file', `cannot read (${e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.message})`);
    else if (err instanceof SyntaxError) bad('truncated_json', `invalid JSON: ${err.message}`, scanner.records > 0 ? `${job.name}: after record ${scanner.records}` : job.name);
    else bad('unreadable_file', errorMessage(err));
  } finally {
    if (!handedBack) emit(batch, true);
  }
}

/** Large files: gunzip and scan as the bytes arrive; memory stays at a chunk plus one record. */
async function streamFile(file: string, scanner: CloudTrailScanner, bad: (reason: string, message: string) => void, other: (text: string) => void, textLimit: number): Promise<void> {
  const raw = createReadStream(file, { highWaterMark: 1024 * 1024 });
  const first = await new Promise<Buffer>((resolve, reject) => {
    raw.once('readable', () => resolve((raw.read(2) as Buffer | null) ?? Buffer.alloc(0)));
    raw.once('error', reject);
  });
  raw.unshift(first);
  const gz = isGzip(first);
  const source: Readable = gz ? raw.pipe(createGunzip({ chunkSize: 256 * 1024 })) : raw;
  let checked = false;
  // Not a CloudTrail log file: the whole text goes to the general reader.
  const rest: Buffer[] = [];
  let restBytes = 0;
  const keep = (b: Buffer): void => {
    rest.push(b);
    restBytes += b.length;
    if (restBytes > textLimit) {
      raw.destroy();
      throw new TooLargeForThisThread(restBytes);
    }
  };
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      if (!checked) {
        checked = true;
        if (looksBinary(chunk)) {
          raw.destroy();
          return bad('not_text', NOT_TEXT);
        }
      }
      if (scanner.state === 'other') keep(chunk);
      else if (!scanner.feed(chunk)) keep(Buffer.from(scanner.head, 'utf8'));
    }
  } catch (err) {
    if (err instanceof TooLargeForThisThread) throw err;
    if (gz && !(err as NodeJS.ErrnoException).syscall) {
      bad('bad_gzip', `corrupt gzip after ${scanner.records} record(s) (${errorMessage(err)})`);
      return;
    }
    throw err;
  }
  if (scanner.state !== 'other') scanner.end();
  if (scanner.state === 'other') other(rest.length > 0 ? Buffer.concat(rest).toString('utf8') : scanner.head);
}

/** The same object read back from a stream (S3 bodies), for callers holding a stream. */
export async function collect(stream: Readable): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) parts.push(c);
  return Buffer.concat(parts);
}
