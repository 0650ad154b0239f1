import { closeSync, fsyncSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { LokiEntry } from './encode.js';
import { PRIVATE_FILE_MODE, ensurePrivateDir } from '../../util/private-fs.js';

/** An entry as spooled: where it ends on disk, so delivering it can move the cursor past it. */
export interface SpooledEntry extends LokiEntry {
  seq: number;
  end: number;
}

interface Cursor {
  seq: number;
  offset: number;
}

const SEGMENT = /^(\d{16})\.ndjson$/;
const name = (seq: number): string => `${String(seq).padStart(16, '0')}.ndjson`;

/**
 * Write-ahead spool: every entry is appended to a segment file before it is queued for Loki, and a cursor
 * file records how far Loki has acknowledged. A crash (even kill -9) loses nothing that was appended; a
 * restart replays everything after the cursor, oldest first. When the unacknowledged bytes would exceed
 * `maxBytes`, the oldest whole segment is dropped (drop-oldest, see docs/loki.md).
 */
export class Spool {
  private readonly segments = new Map<number, number>(); // seq -> size in bytes
  private cursor: Cursor = { seq: 0, offset: 0 };
  private active = 0;
  private fd: number | null = null;
  readonly segmentBytes: number;

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
    private readonly fsync = false,
  ) {
    this.segmentBytes = Math.max(1024, Math.floor(maxBytes / 8));
  }

  /** Opens the spool and returns every unacknowledged entry, oldest first; `corrupt` counts unreadable lines. */
  open(): { entries: SpooledEntry[]; corrupt: number } {
    ensurePrivateDir(this.dir);
    for (const f of readdirSync(this.dir)) {
      const m = SEGMENT.exec(f);
      if (m) this.segments.set(Number(m[1]), statSync(path.join(this.dir, f)).size);
    }
    const seqs = [...this.segments.keys()].sort((a, b) => a - b);
    this.cursor = this.readCursor() ?? { seq: seqs[0] ?? 1, offset: 0 };
    for (const seq of seqs) if (seq < this.cursor.seq) this.removeSegment(seq);
    const entries: SpooledEntry[] = [];
    let corrupt = 0;
    const live = seqs.filter((s) => s >= this.cursor.seq);
    for (const seq of live) {
      const file = path.join(this.dir, name(seq));
      const buf = readFileSync(file);
      let end = buf.lastIndexOf(0x0a) + 1;
      if (end < buf.length && seq === live[live.length - 1]) {
        // A write torn by a crash: cut it so the next append starts on a clean line.
        truncateSync(file, end);
        this.segments.set(seq, end);
      } else if (end < buf.length) end = buf.length;
      let pos = seq === this.cursor.seq ? this.cursor.offset : 0;
      while (pos < end) {
        let nl = buf.indexOf(0x0a, pos);
        if (nl < 0) nl = end;
        const text = buf.subarray(pos, nl).toString('utf8');
        pos = nl + 1;
        try {
          const e = JSON.parse(text) as LokiEntry;
          if (typeof e.ts !== 'string' || typeof e.line !== 'string' || typeof e.labels !== 'object') throw new Error('bad entry');
          entries.push({ ts: e.ts, labels: e.labels, line: e.line, seq, end: pos });
        } catch {
          corrupt++;
        }
      }
    }
    this.active = live.length > 0 ? live[live.length - 1] : this.cursor.seq;
    if (!this.segments.has(this.active)) this.segments.set(this.active, 0);
    this.fd = openSync(path.join(this.dir, name(this.active)), 'a', PRIVATE_FILE_MODE);
    return { entries, corrupt };
  }

  /** Bytes written but not yet acknowledged by Loki. */
  pendingBytes(): number {
    let total = 0;
    for (const [seq, size] of this.segments) {
      if (seq > this.cursor.seq) total += size;
      else if (seq === this.cursor.seq) total += size - this.cursor.offset;
    }
    return total;
  }

  /**
   * Appends one entry. If the spool is full, first drops the oldest segments and returns their
   * numbers, so the caller can forget the entries they held.
   */
  append(entry: LokiEntry): { spooled: SpooledEntry; droppedSegments: number[] } {
    if (this.fd === null) throw new Error('spool is not open');
    const line = `${JSON.stringify({ ts: entry.ts, labels: entry.labels, line: entry.line })}\n`;
    const bytes = Buffer.byteLength(line);
    const droppedSegments: number[] = [];
    while (this.pendingBytes() + bytes > this.maxBytes && this.cursor.seq <= this.active) {
      if (this.cursor.seq === this.active) {
        if ((this.segments.get(this.active) ?? 0) === this.cursor.offset) break; // nothing pending to drop
        this.roll();
      }
      droppedSegments.push(this.cursor.seq);
      this.removeSegment(this.cursor.seq);
      this.cursor = { seq: this.nextSeq(this.cursor.seq), offset: 0 };
      this.writeCursor();
    }
    if ((this.segments.get(this.active) ?? 0) + bytes > this.segmentBytes && (this.segments.get(this.active) ?? 0) > 0) this.roll();
    writeSync(this.fd!, line);
    if (this.fsync) fsyncSync(this.fd!);
    const size = (this.segments.get(this.active) ?? 0) + bytes;
    this.segments.set(this.active, size);
    return { spooled: { ...entry, seq: this.active, end: size }, droppedSegments };
  }

  /** Loki acknowledged everything up to and including `entry`. */
  commit(entry: SpooledEntry): void {
    if (entry.seq < this.cursor.seq || (entry.seq === this.cursor.seq && entry.end <= this.cursor.offset)) return;
    this.cursor = { seq: entry.seq, offset: entry.end };
    this.writeCursor();
    for (const seq of [...this.segments.keys()]) if (seq < this.cursor.seq) this.removeSegment(seq);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private nextSeq(seq: number): number {
    const later = [...this.segments.keys()].filter((s) => s > seq).sort((a, b) => a - b);
    return later[0] ?? this.active;
  }

  private roll(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.active += 1;
    this.segments.set(this.active, 0);
    this.fd = openSync(path.join(this.dir, name(this.active)), 'a', PRIVATE_FILE_MODE);
  }

  private removeSegment(seq: number): void {
    if (seq === this.active) return;
    this.segments.delete(seq);
    rmSync(path.join(this.dir, name(seq)), { force: true });
  }

  private readCursor(): Cursor | null {
    try {
      const c = JSON.parse(readFileSync(path.join(this.dir, 'cursor.json'), 'utf8')) as Cursor;
      return Number.isInteger(c.seq) && Number.isInteger(c.offset) ? c : null;
    } catch {
      return null;
    }
  }

  /** Atomic replace, so a crash leaves the old or the new cursor, never half of one. */
  private writeCursor(): void {
    const tmp = path.join(this.dir, 'cursor.json.tmp');
    writeFileSync(tmp, JSON.stringify(this.cursor), { mode: PRIVATE_FILE_MODE });
    renameSync(tmp, path.join(this.dir, 'cursor.json'));
  }
}
