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
const KEY_LENGTHS = new Set([...KEYS.keys()].map((k) => k.length));

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

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * Scans one JSON value starting at `start` (an array element). Returns its end (exclusive) and,
 * for objects, the facts; `end` -1 when the value is not complete in `s`.
 */
export function scanValue(s: string, start: number): { end: number; facts: RecordFacts | null } {
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
          const len = e - i - 2;
          valueFor = KEY_LENGTHS.has(len) ? (KEYS.get(s.slice(i + 1, e - 1)) ?? Key.Other) : Key.Other;
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
