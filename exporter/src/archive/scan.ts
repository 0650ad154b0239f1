/**
 * An incremental scanner for CloudTrail log files (`{"Records":[{...},{...}]}`, the shape of every
 * object CloudTrail writes to S3). It works on the bytes as gunzip gives them: it cuts one slice
 * per record without decoding text or building objects, and notes a few top-level facts of each
 * record on the way (readOnly, errorCode, …), so read-only and failed calls — most of an archive —
 * are dropped before they are decoded or parsed. Input may arrive in chunks of any size (a chunk
 * may even end inside a UTF-8 character): an incomplete record is carried over to the next chunk.
 * Bytes are safe to scan: every byte of a multi-byte UTF-8 character is ≥ 0x80, so none is ever
 * mistaken for a quote, a backslash or a bracket.
 */

/** Top-level facts of one record, as far as the scanner could tell them. */
export interface RecordFacts {
  /** `readOnly` is literally true (or "true"). */
  readOnlyTrue: boolean;
  /** `errorCode` holds a non-empty string, a number or a boolean (what `str()` accepts). */
  failed: boolean;
  /** `eventName` and `eventSource` are both strings (a CloudTrail record, not something else). */
  named: boolean;
  /** Raw `eventTime` string, when there is one (and the scanner was asked for times). */
  eventTime: string | null;
  /**
   * Where `recipientAccountId`'s value lies in the buffer (between the quotes), when it is a
   * non-empty string without escapes; -1 otherwise. Read only for records that are not dropped.
   */
  recipientStart: number;
  recipientEnd: number;
  /**
   * A key that changes how the record is read (lower-cased Panther copies, a Falco alert, an
   * EventBridge or LookupEvents envelope): the record must take the full path.
   */
  unsafe: boolean;
}

/**
 * One record as the scanner passes it to its callback. The scanner reuses this object (and its
 * facts) for the next record: read it during the callback, copy what must outlive it.
 */
export interface ScannedRecord {
  /** The buffer holding the record's JSON, and where in it. */
  source: Buffer;
  start: number;
  end: number;
  /** 0-based position in the Records array. */
  index: number;
  /** null for an element that is not an object. */
  facts: RecordFacts | null;
}

/** The record's JSON text (decoded only for the records that are parsed). */
export const recordText = (r: ScannedRecord): string => r.source.toString('utf8', r.start, r.end);

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

const enum Key {
  Other,
  ReadOnly,
  ErrorCode,
  EventName,
  EventSource,
  EventTime,
  Recipient,
  Unsafe,
}
const KEYS: [string, Key][] = [
  ['readOnly', Key.ReadOnly], ['errorCode', Key.ErrorCode], ['eventName', Key.EventName], ['eventSource', Key.EventSource], ['eventTime', Key.EventTime],
  ['recipientAccountId', Key.Recipient],
  ['readonly', Key.Unsafe], ['errorcode', Key.Unsafe], ['eventname', Key.Unsafe], ['eventsource', Key.Unsafe], ['eventtime', Key.Unsafe],
  ['output_fields', Key.Unsafe], ['detail-type', Key.Unsafe], ['CloudTrailEvent', Key.Unsafe],
];

/**
 * Watched keys by length, each with its first and last byte: most keys of a record are told apart
 * by those three numbers alone; the rest are compared byte by byte, never decoded.
 */
const KEYS_BY_LENGTH: { bytes: Uint8Array; kind: Key; first: number; last: number }[][] = [];
for (const [key, kind] of KEYS) {
  const bytes = Buffer.from(key, 'latin1');
  (KEYS_BY_LENGTH[bytes.length] ??= []).push({ bytes, kind, first: bytes[0], last: bytes[bytes.length - 1] });
}

/** The watched key whose quoted bytes span `open`..`end` (exclusive), or Key.Other. */
function keyAt(b: Uint8Array, open: number, end: number): Key {
  const candidates = KEYS_BY_LENGTH[end - open - 2];
  if (candidates === undefined) return Key.Other;
  const first = b[open + 1];
  const last = b[end - 2];
  for (const c of candidates) {
    if (c.first !== first || c.last !== last) continue;
    let k = 1;
    while (k < c.bytes.length - 1 && b[open + 1 + k] === c.bytes[k]) k++;
    if (k >= c.bytes.length - 1) return c.kind;
  }
  return Key.Other;
}

const TRUE_STRING = Buffer.from('"true"');

/** Index just past the closing quote of the string opening at `i`, or -1 when the bytes end first. */
function stringEnd(b: Uint8Array, i: number): number {
  const n = b.length;
  let j = i + 1;
  while (j < n) {
    const c = b[j];
    if (c === QUOTE) return j + 1;
    j += c === BACKSLASH ? 2 : 1;
  }
  return -1;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(b: Uint8Array, i: number): number {
  while (i < b.length && isSpace(b[i])) i++;
  return i;
}

/**
 * Skips the object or array opening at `i` (a value nested in a record: none of its keys is
 * watched). Returns the index past its closing bracket, or -1 when the bytes end first.
 */
function skipNested(b: Uint8Array, i: number): number {
  const n = b.length;
  let depth = 0;
  while (i < n) {
    const c = b[i++];
    if (c === QUOTE) {
      // The string, inline (most of a nested value's bytes): to its closing quote, escapes skipped.
      for (;;) {
        if (i >= n) return -1;
        const d = b[i++];
        if (d === QUOTE) break;
        if (d === BACKSLASH) i++;
      }
    } else if (c === LBRACE || c === LBRACKET) depth++;
    else if ((c === RBRACE || c === RBRACKET) && --depth === 0) return i;
  }
  return -1;
}

const INCOMPLETE = -1;

function resetFacts(f: RecordFacts): void {
  f.readOnlyTrue = false;
  f.failed = false;
  f.named = false;
  f.eventTime = null;
  f.unsafe = false;
  f.recipientStart = -1;
  f.recipientEnd = -1;
}

/**
 * Scans one JSON value starting at `start` (an array element). Returns its end (exclusive), -1
 * when the value is not complete in `b`; for an object (`b[start]` is `{`) fills `facts`.
 */
function scanValue(b: Uint8Array, start: number, times: boolean, facts: RecordFacts): number {
  resetFacts(facts);
  return b[start] === LBRACE ? scanRecord(b, start, times, facts) : scanGeneric(b, start, times, facts);
}

/**
 * One record (an object): its own keys read in turn, each nested value skipped whole. Anything
 * that is not `"key": value` pairs goes to the general scanner, which tolerates more.
 */
function scanRecord(b: Uint8Array, start: number, times: boolean, facts: RecordFacts): number {
  const n = b.length;
  let hasName = false;
  let hasSource = false;
  let i = start + 1;
  for (;;) {
    i = skipSpace(b, i);
    if (i >= n) return INCOMPLETE;
    let c = b[i];
    if (c === RBRACE) {
      facts.named = hasName && hasSource;
      return i + 1;
    }
    if (c === COMMA) {
      i++;
      continue;
    }
    if (c !== QUOTE) return scanGeneric(b, start, times, facts);
    const keyEnd = stringEnd(b, i);
    if (keyEnd < 0) return INCOMPLETE;
    const key = keyAt(b, i, keyEnd);
    if (key === Key.Unsafe) facts.unsafe = true;
    i = skipSpace(b, keyEnd);
    if (i >= n) return INCOMPLETE;
    if (b[i] !== COLON) return scanGeneric(b, start, times, facts);
    i = skipSpace(b, i + 1);
    if (i >= n) return INCOMPLETE;
    c = b[i];
    let end: number;
    if (c === QUOTE) {
      end = stringEnd(b, i);
      if (end < 0) return INCOMPLETE;
      setStringFact(b, i, end, key, facts, times);
      if (key === Key.EventName) hasName = true;
      else if (key === Key.EventSource) hasSource = true;
    } else {
      if (c === LBRACE || c === LBRACKET) {
        end = skipNested(b, i);
        if (end < 0) return INCOMPLETE;
      } else {
        // A literal or a number: up to the next separator.
        end = i;
        while (end < n) {
          const d = b[end];
          if (d === COMMA || d === RBRACE || d === RBRACKET || isSpace(d)) break;
          end++;
        }
        if (end >= n) return INCOMPLETE;
      }
      setOtherFact(c, key, facts);
      if (key === Key.EventName) hasName = false;
      else if (key === Key.EventSource) hasSource = false;
    }
    i = end;
  }
}

/** A string value of a watched key. */
function setStringFact(b: Uint8Array, open: number, end: number, key: Key, facts: RecordFacts, times: boolean): void {
  switch (key) {
    case Key.ReadOnly:
      facts.readOnlyTrue = end - open === 6 && TRUE_STRING.equals(b.subarray(open, end));
      break;
    case Key.ErrorCode:
      facts.failed = end - open > 2;
      break;
    case Key.EventTime:
      facts.eventTime = times ? Buffer.from(b.buffer, b.byteOffset + open + 1, end - open - 2).toString('utf8') : null;
      break;
    case Key.Recipient: {
      const plain = end - open > 2 && b.subarray(open + 1, end - 1).indexOf(BACKSLASH) < 0;
      facts.recipientStart = plain ? open + 1 : -1;
      facts.recipientEnd = plain ? end - 1 : -1;
      break;
    }
  }
}

/**
 * An object, array, literal or number value of a watched key (`c` its first byte): what the
 * pipeline reads (str(), === true) says the same.
 */
function setOtherFact(c: number, key: Key, facts: RecordFacts): void {
  const literal = c !== LBRACE && c !== LBRACKET;
  if (key === Key.ReadOnly) facts.readOnlyTrue = literal && c === 0x74; // t(rue)
  else if (key === Key.ErrorCode) facts.failed = literal && c !== 0x6e; // not n(ull)
  else if (key === Key.EventTime) facts.eventTime = null;
  else if (key === Key.Recipient) facts.recipientStart = facts.recipientEnd = -1;
}

/** Any JSON value (an element that is not a record, or a record the fast path would not read). */
function scanGeneric(b: Uint8Array, start: number, times: boolean, objectFacts: RecordFacts): number {
  const n = b.length;
  const first = b[start];
  if (first !== LBRACE && first !== LBRACKET) {
    // A primitive element: up to the next comma or closing bracket at this level.
    if (first === QUOTE) return stringEnd(b, start);
    let i = start;
    while (i < n) {
      const c = b[i];
      if (c === COMMA || c === RBRACKET || isSpace(c)) return i;
      i++;
    }
    return INCOMPLETE;
  }
  const facts: RecordFacts | null = first === LBRACE ? objectFacts : null;
  if (facts) resetFacts(facts);
  let hasName = false;
  let hasSource = false;
  let depth = 0;
  let expectKey = false;
  let valueFor: Key | null = null;
  let i = start;
  while (i < n) {
    const c = b[i];
    if (c === QUOTE) {
      const e = stringEnd(b, i);
      if (e < 0) return INCOMPLETE;
      if (depth === 1 && facts) {
        if (expectKey) {
          valueFor = keyAt(b, i, e);
          if (valueFor === Key.Unsafe) facts.unsafe = true;
          expectKey = false;
        } else if (valueFor !== null) {
          setStringFact(b, i, e, valueFor, facts, times);
          if (valueFor === Key.EventName) hasName = true;
          else if (valueFor === Key.EventSource) hasSource = true;
          valueFor = null;
        }
      }
      i = e;
      continue;
    }
    if (c === LBRACE || c === LBRACKET) {
      if (depth === 1 && valueFor !== null && facts) {
        // An object/array value: none of the watched keys keeps its meaning.
        setOtherFact(c, valueFor, facts);
        if (valueFor === Key.EventName) hasName = false;
        else if (valueFor === Key.EventSource) hasSource = false;
        valueFor = null;
      }
      depth++;
      if (depth === 1) expectKey = c === LBRACE;
      i++;
      continue;
    }
    if (c === RBRACE || c === RBRACKET) {
      depth--;
      i++;
      if (depth === 0) {
        if (facts) facts.named = hasName && hasSource;
        return i;
      }
      continue;
    }
    if (depth === 1) {
      if (c === COMMA) expectKey = facts !== null;
      else if (valueFor !== null && c !== COLON && !isSpace(c) && facts) {
        // A literal or number value of a watched key.
        setOtherFact(c, valueFor, facts);
        if (valueFor === Key.EventName) hasName = false;
        else if (valueFor === Key.EventSource) hasSource = false;
        valueFor = null;
      }
    }
    i++;
  }
  return INCOMPLETE;
}

/** Matched on the first bytes read as latin1 (a UTF-8 byte-order mark reads as "ï»¿"). */
const PRELUDE = /^(?:\xEF\xBB\xBF)?\s*\{\s*"Records"\s*:\s*\[/;
const PRELUDE_SO_FAR = /^(?:\xEF(?:\xBB\xBF?)?)?\s*(\{\s*("R?e?c?o?r?d?s?"?\s*:?\s*)?)?$/;
const EMPTY = Buffer.alloc(0);

/**
 * Feeds bytes (or text) in chunks; calls `onRecord` for each complete record. `state` tells whether
 * the input is a CloudTrail log file at all ('other' once the prelude does not match: read it
 * another way, from `head`). `times: false` skips decoding each record's eventTime (no window).
 */
export class CloudTrailScanner {
  state: 'prelude' | 'records' | 'closing' | 'done' | 'other' = 'prelude';
  private carry: Buffer = EMPTY;
  private index = 0;
  private headBytes: Buffer = EMPTY;
  /** Reused for every record (no allocation per record): valid during the callback only. */
  private readonly facts: RecordFacts = { readOnlyTrue: false, failed: false, named: false, eventTime: null, unsafe: false, recipientStart: -1, recipientEnd: -1 };
  private readonly current: ScannedRecord = { source: EMPTY, start: 0, end: 0, index: 0, facts: null };

  constructor(
    private readonly onRecord: (r: ScannedRecord) => void,
    private readonly options: { times?: boolean } = {},
  ) {}

  /** The text seen before the prelude was decided (to hand to another reader when it is 'other'). */
  get head(): string {
    return this.headBytes.toString('utf8');
  }

  /** Returns false when the input turned out not to be a CloudTrail log file (see `head`). */
  feed(chunk: Uint8Array | string): boolean {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let b = this.carry.length === 0 ? bytes : Buffer.concat([this.carry, bytes]);
    this.carry = EMPTY;
    if (this.state === 'prelude') {
      const start = b.toString('latin1', 0, Math.min(b.length, 512));
      const m = PRELUDE.exec(start);
      if (!m) {
        if (b.length < 256 && PRELUDE_SO_FAR.test(start)) {
          this.carry = Buffer.from(b);
          return true;
        }
        this.state = 'other';
        this.headBytes = b;
        return false;
      }
      this.state = 'records';
      b = b.subarray(m[0].length);
    }
    const times = this.options.times ?? true;
    let pos = 0;
    const n = b.length;
    while (pos < n && this.state === 'records') {
      const c = b[pos];
      if (isSpace(c) || c === COMMA) {
        pos++;
        continue;
      }
      if (c === RBRACKET) {
        this.state = 'closing';
        pos++;
        break;
      }
      const end = scanValue(b, pos, times, this.facts);
      if (end < 0) break;
      const r = this.current;
      r.source = b;
      r.start = pos;
      r.end = end;
      r.index = this.index++;
      r.facts = c === LBRACE ? this.facts : null;
      this.onRecord(r);
      pos = end;
    }
    if (this.state === 'closing') {
      pos = skipSpace(b, pos);
      if (pos < n) {
        if (b[pos] !== RBRACE) throw new SyntaxError(`unexpected "${String.fromCharCode(b[pos])}" after the Records array`);
        pos++;
        this.state = 'done';
      }
    }
    if (this.state === 'done') {
      if (skipSpace(b, pos) < n) throw new SyntaxError('unexpected text after the end of the document');
      pos = n;
    }
    // Copied: the caller's buffer may be reused once feed returns.
    if (pos < n) this.carry = Buffer.from(b.subarray(pos));
    return true;
  }

  /** Throws when the document ended before it was complete (a truncated file). */
  end(): void {
    if (this.state === 'prelude' && skipSpace(this.carry, 0) < this.carry.length) {
      this.state = 'other';
      this.headBytes = this.carry;
      this.carry = EMPTY;
      return;
    }
    if (this.state === 'records' || this.state === 'closing')
      throw new SyntaxError(`the document ends inside the Records array after ${this.index} record(s) (truncated?)`);
  }

  get records(): number {
    return this.index;
  }
}
