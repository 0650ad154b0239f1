/**
 * An incremental scanner for CloudTrail log files (`{"Records":[{...},{...}]}`, the shape of every
 * object CloudTrail writes to S3). It cuts the text into one slice per record without building
 * objects, and notes a few top-level facts of each record on the way (readOnly, errorCode, …), so
 * read-only and failed calls — most of an archive — are dropped before `JSON.parse`. Input may
 * arrive in chunks of any size: an incomplete record is carried over to the next chunk.
 */

/** Top-level facts of one record, as far as the scanner could tell them. */
export interface RecordFacts {
  /** `readOnly` is literally true (or "true"). */
  readOnlyTrue: boolean;
  /** `errorCode` holds a non-empty string, a number or a boolean (what `str()` accepts). */
  failed: boolean;
  /** `eventName` and `eventSource` are both strings (a CloudTrail record, not something else). */
  named: boolean;
  /** Raw `eventTime` string, when there is one. */
  eventTime: string | null;
  /**
   * A key that changes how the record is read (lower-cased Panther copies, a Falco alert, an
   * EventBridge or LookupEvents envelope): the record must take the full path.
   */
  unsafe: boolean;
}

export interface ScannedRecord {
  /** The record's JSON text. */
  text: string;
  /** 0-based position in the Records array. */
  index: number;
  /** null for an element that is not an object. */
  facts: RecordFacts | null;
}

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
  Unsafe,
}
const KEYS = new Map<string, Key>([
  ['readOnly', Key.ReadOnly], ['errorCode', Key.ErrorCode], ['eventName', Key.EventName], ['eventSource', Key.EventSource], ['eventTime', Key.EventTime],
  ['readonly', Key.Unsafe], ['errorcode', Key.Unsafe], ['eventname', Key.Unsafe], ['eventsource', Key.Unsafe], ['eventtime', Key.Unsafe],
  ['output_fields', Key.Unsafe], ['detail-type', Key.Unsafe], ['CloudTrailEvent', Key.Unsafe], ['eventID', Key.Other],
]);
/**
 * Watched keys by length, each with its first and last character: most keys of a record are told
 * apart by those three numbers alone, and a key is never sliced out of the text.
 */
const KEYS_BY_LENGTH: { key: string; kind: Key; first: number; last: number }[][] = [];
for (const [key, kind] of KEYS) (KEYS_BY_LENGTH[key.length] ??= []).push({ key, kind, first: key.charCodeAt(0), last: key.charCodeAt(key.length - 1) });

/** The watched key whose quoted text spans `open`..`end` (exclusive), or Key.Other. */
function keyAt(s: string, open: number, end: number): Key {
  const candidates = KEYS_BY_LENGTH[end - open - 2];
  if (candidates === undefined) return Key.Other;
  const first = s.charCodeAt(open + 1);
  const last = s.charCodeAt(end - 2);
  for (const c of candidates) if (c.first === first && c.last === last && s.startsWith(c.key, open + 1)) return c.kind;
  return Key.Other;
}

/** Index just past the closing quote of the string opening at `i`, or -1 when the text ends first. */
function stringEnd(s: string, i: number): number {
  let j = i + 1;
  for (;;) {
    j = s.indexOf('"', j);
    if (j < 0) return -1;
    let k = j - 1;
    let backslashes = 0;
    while (s.charCodeAt(k) === BACKSLASH) {
      backslashes++;
      k--;
    }
    if ((backslashes & 1) === 0) return j + 1;
    j++;
  }
}

/**
 * Strings and anything but brackets, in one step: irregexp runs this as native code, several times
 * faster than a loop over characters. Unrolled (`[^"\\]*(?:\\.[^"\\]*)*`) so a string costs
 * one backtrack point per escape, not one per character.
 */
const RUN = /(?:"[^"\\]*(?:\\.[^"\\]*)*"|[^"{}[\]]+)*/y;

/**
 * Skips the object or array opening at `i` (a value nested in a record: none of its keys is
 * watched). Returns the index past its closing bracket, or -1 when the text ends first.
 */
function skipNested(s: string, i: number): number {
  const n = s.length;
  let depth = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === LBRACE || c === LBRACKET) {
      depth++;
      i++;
    } else if (c === RBRACE || c === RBRACKET) {
      i++;
      if (--depth === 0) return i;
    } else {
      RUN.lastIndex = i;
      let e: number;
      try {
        RUN.test(s);
        e = RUN.lastIndex;
      } catch {
        // The regexp's backtrack stack has a limit: a pathological value takes the slow path.
        e = c === QUOTE ? stringEnd(s, i) : i + 1;
      }
      // No progress: an unterminated string (the text ends inside it).
      if (e <= i) return -1;
      i = e;
    }
  }
  return -1;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * Scans one JSON value starting at `start` (an array element). Returns its end (exclusive) and,
 * for objects, the facts; `end` -1 when the value is not complete in `s`.
 */
export function scanValue(s: string, start: number): { end: number; facts: RecordFacts | null } {
  return s.charCodeAt(start) === LBRACE ? scanRecord(s, start) : scanGeneric(s, start);
}

const INCOMPLETE = { end: -1, facts: null } as const;

function skipSpace(s: string, i: number): number {
  while (isSpace(s.charCodeAt(i))) i++;
  return i;
}

/**
 * One record (an object): its own keys read in turn, each nested value skipped whole. Anything
 * that is not `"key": value` pairs goes to the general scanner, which tolerates more.
 */
function scanRecord(s: string, start: number): { end: number; facts: RecordFacts | null } {
  const n = s.length;
  const facts: RecordFacts = { readOnlyTrue: false, failed: false, named: false, eventTime: null, unsafe: false };
  let hasName = false;
  let hasSource = false;
  let i = start + 1;
  for (;;) {
    i = skipSpace(s, i);
    if (i >= n) return INCOMPLETE;
    let c = s.charCodeAt(i);
    if (c === RBRACE) {
      facts.named = hasName && hasSource;
      return { end: i + 1, facts };
    }
    if (c === COMMA) {
      i++;
      continue;
    }
    if (c !== QUOTE) return scanGeneric(s, start);
    const keyEnd = stringEnd(s, i);
    if (keyEnd < 0) return INCOMPLETE;
    const key = keyAt(s, i, keyEnd);
    if (key === Key.Unsafe) facts.unsafe = true;
    i = skipSpace(s, keyEnd);
    if (i >= n) return INCOMPLETE;
    if (s.charCodeAt(i) !== COLON) return scanGeneric(s, start);
    i = skipSpace(s, i + 1);
    if (i >= n) return INCOMPLETE;
    c = s.charCodeAt(i);
    let end: number;
    if (c === QUOTE) {
      end = stringEnd(s, i);
      if (end < 0) return INCOMPLETE;
      switch (key) {
        case Key.ReadOnly: facts.readOnlyTrue = end - i === 6 && s.startsWith('"true"', i); break;
        case Key.ErrorCode: facts.failed = end - i > 2; break;
        case Key.EventName: hasName = true; break;
        case Key.EventSource: hasSource = true; break;
        case Key.EventTime: facts.eventTime = s.slice(i + 1, end - 1); break;
      }
    } else {
      if (c === LBRACE || c === LBRACKET) {
        end = skipNested(s, i);
        if (end < 0) return INCOMPLETE;
      } else {
        // A literal or a number: up to the next separator.
        end = i;
        while (end < n) {
          const d = s.charCodeAt(end);
          if (d === COMMA || d === RBRACE || d === RBRACKET || isSpace(d)) break;
          end++;
        }
        if (end >= n) return INCOMPLETE;
      }
      // An object, array, literal or number: what the pipeline reads (str(), === true) says the same.
      const literal = c !== LBRACE && c !== LBRACKET;
      switch (key) {
        case Key.ReadOnly: facts.readOnlyTrue = literal && c === 0x74; break; // t(rue)
        case Key.ErrorCode: facts.failed = literal && c !== 0x6e; break; // not n(ull)
        case Key.EventName: hasName = false; break;
        case Key.EventSource: hasSource = false; break;
        case Key.EventTime: facts.eventTime = null; break;
      }
    }
    i = end;
  }
}

/** Any JSON value (an element that is not a record, or a record the fast path would not read). */
function scanGeneric(s: string, start: number): { end: number; facts: RecordFacts | null } {
  const n = s.length;
  const first = s.charCodeAt(start);
  if (first !== LBRACE && first !== LBRACKET) {
    // A primitive element: up to the next comma or closing bracket at this level.
    if (first === QUOTE) {
      const e = stringEnd(s, start);
      return { end: e, facts: null };
    }
    let i = start;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === COMMA || c === RBRACKET || isSpace(c)) return { end: i, facts: null };
      i++;
    }
    return { end: -1, facts: null };
  }
  const facts: RecordFacts | null = first === LBRACE ? { readOnlyTrue: false, failed: false, named: false, eventTime: null, unsafe: false } : null;
  let hasName = false;
  let hasSource = false;
  let depth = 0;
  let expectKey = false;
  let valueFor: Key | null = null;
  let i = start;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === QUOTE) {
      const e = stringEnd(s, i);
      if (e < 0) return { end: -1, facts: null };
      if (depth === 1 && facts) {
        if (expectKey) {
          valueFor = keyAt(s, i, e);
          if (valueFor === Key.Unsafe) facts.unsafe = true;
          expectKey = false;
        } else if (valueFor !== null) {
          const nonEmpty = e - i > 2;
          switch (valueFor) {
            case Key.ReadOnly: facts.readOnlyTrue = e - i === 6 && s.startsWith('"true"', i); break;
            case Key.ErrorCode: facts.failed = nonEmpty; break;
            case Key.EventName: hasName = true; break;
            case Key.EventSource: hasSource = true; break;
            case Key.EventTime: facts.eventTime = s.slice(i + 1, e - 1); break;
          }
          valueFor = null;
        }
      }
      i = e;
      continue;
    }
    if (c === LBRACE || c === LBRACKET) {
      if (depth === 1 && valueFor !== null && facts) {
        // An object/array value: none of the watched keys keeps its meaning.
        if (valueFor === Key.ReadOnly) facts.readOnlyTrue = false;
        else if (valueFor === Key.ErrorCode) facts.failed = false;
        else if (valueFor === Key.EventName) hasName = false;
        else if (valueFor === Key.EventSource) hasSource = false;
        else if (valueFor === Key.EventTime) facts.eventTime = null;
        valueFor = null;
      }
      if (depth >= 1) {
        // Nothing below the record's own keys is watched: skip the whole value.
        const e = skipNested(s, i);
        if (e < 0) return { end: -1, facts: null };
        i = e;
        continue;
      }
      depth++;
      expectKey = c === LBRACE;
      i++;
      continue;
    }
    if (c === RBRACE || c === RBRACKET) {
      depth--;
      i++;
      if (depth === 0) {
        if (facts) facts.named = hasName && hasSource;
        return { end: i, facts };
      }
      continue;
    }
    if (depth === 1) {
      if (c === COMMA) expectKey = facts !== null;
      else if (valueFor !== null && c !== COLON && !isSpace(c) && facts) {
        // A literal or number value of a watched key.
        const isTrue = c === 0x74; // t(rue)
        const isNull = c === 0x6e; // n(ull)
        switch (valueFor) {
          case Key.ReadOnly: facts.readOnlyTrue = isTrue; break;
          case Key.ErrorCode: facts.failed = !isNull; break;
          case Key.EventName: hasName = false; break;
          case Key.EventSource: hasSource = false; break;
          case Key.EventTime: facts.eventTime = null; break;
        }
        valueFor = null;
      }
    }
    i++;
  }
  return { end: -1, facts: null };
}

const PRELUDE = /^\uFEFF?\s*\{\s*"Records"\s*:\s*\[/;

/**
 * Feeds text in chunks; calls `onRecord` for each complete record. `state` tells whether the text
 * is a CloudTrail log file at all ('other' once the prelude does not match: read it another way).
 */
export class CloudTrailScanner {
  state: 'prelude' | 'records' | 'closing' | 'done' | 'other' = 'prelude';
  private carry = '';
  private index = 0;
  /** Characters consumed so far (for error positions). */
  consumed = 0;
  /** The text seen before the prelude was decided (to hand to another reader when it is 'other'). */
  head = '';

  constructor(private readonly onRecord: (r: ScannedRecord) => void) {}

  /** Returns false when the text turned out not to be a CloudTrail log file (see `head`). */
  feed(chunk: string): boolean {
    let s = this.carry + chunk;
    this.carry = '';
    if (this.state === 'prelude') {
      const m = PRELUDE.exec(s);
      if (!m) {
        if (s.length < 256 && /^\uFEFF?\s*(\{\s*("R?e?c?o?r?d?s?"?\s*:?\s*)?)?$/.test(s)) {
          this.carry = s;
          return true;
        }
        this.state = 'other';
        this.head = s;
        return false;
      }
      this.state = 'records';
      this.consumed += m[0].length;
      s = s.slice(m[0].length);
    }
    let pos = 0;
    const n = s.length;
    while (pos < n && this.state === 'records') {
      const c = s.charCodeAt(pos);
      if (isSpace(c) || c === COMMA) {
        pos++;
        continue;
      }
      if (c === RBRACKET) {
        this.state = 'closing';
        pos++;
        break;
      }
      const { end, facts } = scanValue(s, pos);
      if (end < 0) break;
      this.onRecord({ text: s.slice(pos, end), index: this.index++, facts });
      pos = end;
    }
    if (this.state === 'closing') {
      while (pos < n && isSpace(s.charCodeAt(pos))) pos++;
      if (pos < n) {
        if (s.charCodeAt(pos) !== RBRACE) throw new SyntaxError(`unexpected "${s[pos]}" after the Records array`);
        pos++;
        this.state = 'done';
      }
    }
    if (this.state === 'done') {
      if (s.slice(pos).trim() !== '') throw new SyntaxError('unexpected text after the end of the document');
      pos = n;
    }
    this.consumed += pos;
    this.carry = s.slice(pos);
    return true;
  }

  /** Throws when the document ended before it was complete (a truncated file). */
  end(): void {
    if (this.state === 'prelude' && this.carry.trim() !== '') {
      this.state = 'other';
      this.head = this.carry;
      this.carry = '';
      return;
    }
    if (this.state === 'records' || this.state === 'closing')
      throw new SyntaxError(`the document ends inside the Records array after ${this.index} record(s) (truncated?)`);
  }

  get records(): number {
    return this.index;
  }
}
