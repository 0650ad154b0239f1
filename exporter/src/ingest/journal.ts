import {
  closeSync, fdatasync, fdatasyncSync, fstatSync, ftruncateSync, openSync, readSync, readdirSync, unlinkSync, writeSync,
} from 'node:fs';
import path from 'node:path';
import { crc32 } from './crc32.js';
import { PRIVATE_FILE_MODE, ensurePrivateDir } from '../util/private-fs.js';

/**
 * An append-only, segmented on-disk journal of accepted alerts.
 *
 * Why: Falco's http_output ignores the HTTP status, so an alert is only safe once it is on
 * disk; processing happens afterwards, from the journal, and a checkpoint records the first
 * unprocessed offset so a restart replays exactly the unprocessed tail.
 *
 * Offsets are global byte positions; a segment file is named by the offset of its first
 * byte, so segments concatenate into one logical stream. Frame layout (little-endian):
 *   u32 payload length | u32 crc32(header tail + payload) | u8 input | u64 receipt hrtime | payload
 * A torn or corrupt tail (crash mid-write) is detected by length/CRC and truncated at open.
 */

export type FsyncPolicy = 'always' | 'interval' | 'never';

export interface JournalOptions {
  /** always: group commit, the append resolves after fdatasync. interval: fdatasync every intervalMs. never: the OS decides. */
  fsync: FsyncPolicy;
  fsyncIntervalMs: number;
  /** A new segment starts once the current one reaches this size. */
  segmentBytes: number;
  /** Unprocessed bytes beyond this are refused (JournalFullError) so the disk stays bounded. */
  maxBytes: number;
}

export interface JournalEntry {
  offset: number;
  /** Offset of the next entry: what to commit once this one is processed. */
  next: number;
  input: number;
  receivedAt: bigint;
  payload: Buffer;
  /** The payload as the appender had it parsed (same process only): spares a second JSON.parse. */
  value?: unknown;
}

export class JournalFullError extends Error {
  constructor(backlog: number, max: number) {
    super(`journal full: ${backlog} unprocessed bytes (limit ${max})`);
    this.name = 'JournalFullError';
  }
}

export const FRAME_HEADER_BYTES = 17;
const HEADER = FRAME_HEADER_BYTES;
/** A frame larger than this is corruption, not data (bodies are limited far below). */
const MAX_FRAME = 256 * 2 ** 20;
const SEGMENT_RE = /^(\d{20})\.seg$/;
const CHECKPOINT = 'checkpoint';
/** Overlapping group commits: libuv's pool has 4 threads, and Node's own fs work needs one. */
const MAX_SYNCS = 3;
const PREALLOC_BYTES = 4 * 2 ** 20;
/** Parsed values kept for the drain (about 5 KiB each for a Falco alert). */
const MEMO_MAX = 10_000;

interface Pending {
  frames: Buffer[];
  values: unknown[];
  bytes: number;
  waiters: { resolve: () => void; reject: (e: Error) => void }[];
}

function segName(start: number): string {
  return `${String(start).padStart(20, '0')}.seg`;
}

export function encodeFrame(payload: Buffer, input: number, receivedAt: bigint): Buffer {
  const frame = Buffer.allocUnsafe(HEADER + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt8(input, 8);
  frame.writeBigUInt64LE(receivedAt, 9);
  payload.copy(frame, HEADER);
  frame.writeUInt32LE(crc32(frame.subarray(8)), 4);
  return frame;
}

/** Parses whole frames from buf; stops at the first incomplete or corrupt one. */
function parseFrames(buf: Buffer, base: number, out: JournalEntry[]): { consumed: number; corrupt: boolean; needed: number } {
  let pos = 0;
  while (pos + HEADER <= buf.length) {
    const len = buf.readUInt32LE(pos);
    if (len > MAX_FRAME) return { consumed: pos, corrupt: true, needed: 0 };
    if (pos + HEADER + len > buf.length) return { consumed: pos, corrupt: false, needed: HEADER + len };
    const crc = buf.readUInt32LE(pos + 4);
    if (crc32(buf.subarray(pos + 8, pos + HEADER + len)) !== crc) return { consumed: pos, corrupt: true, needed: 0 };
    out.push({
      offset: base + pos,
      next: base + pos + HEADER + len,
      input: buf.readUInt8(pos + 8),
      receivedAt: buf.readBigUInt64LE(pos + 9),
      // A view, not a copy: each read() allocates its own buffer, alive while entries are.
      payload: buf.subarray(pos + HEADER, pos + HEADER + len),
    });
    pos += HEADER + len;
  }
  return { consumed: pos, corrupt: false, needed: pos + HEADER > buf.length && pos < buf.length ? HEADER : 0 };
}

export class Journal {
  /** Segment start offsets, ascending; the last one is being written. */
  private segments: number[] = [];
  private writeFd = -1;
  private writeSize = 0;
  /** Bytes of the write segment on disk, zeros beyond writeSize (see PREALLOC_BYTES). */
  private allocated = 0;
  private end = 0;
  private committedOffset = 0;
  private checkpointFd = -1;
  private checkpointDirty = false;
  private checkpointStale = false;
  private pending: Pending | null = null;
  /** fdatasyncs in flight (overlapping: a batch need not wait for the previous batch's sync). */
  private syncs = 0;
  /** In-flight syncs per fd, so a rotated-out segment fd is closed only after its last sync. */
  private readonly fdSyncs = new Map<number, number>();
  private readonly retiredFds = new Set<number>();
  private readonly preallocBytes: number;
  private flushScheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readFd = -1;
  private readSeg = -1;
  private readonly checkpointBuf = Buffer.alloc(16);
  private memo: { offset: number; value: unknown }[] = [];
  private readonly pins = new Map<number, number>();
  private memoHead = 0;
  /** First offset appended by this process (entries before it came from an earlier run). */
  readonly startOffset: number;
  /** Called after each batch is written (visible to readers), before it is necessarily fsynced. */
  onAppend: () => void = () => {};
  /** Bytes dropped at open because the tail was torn or corrupt. */
  readonly truncatedBytes: number;

  constructor(
    readonly dir: string,
    private readonly opts: JournalOptions,
  ) {
    ensurePrivateDir(dir);
    this.preallocBytes = opts.fsync === 'always' ? Math.min(PREALLOC_BYTES, opts.segmentBytes) : 0;
    this.segments = readdirSync(dir)
      .map((f) => SEGMENT_RE.exec(f)?.[1])
      .filter((s): s is string => s !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    this.committedOffset = this.readCheckpoint();
    if (this.segments.length === 0) this.segments.push(this.committedOffset);
    const last = this.segments[this.segments.length - 1];
    this.writeFd = openSync(path.join(dir, segName(last)), 'a+', PRIVATE_FILE_MODE);
    closeSync(this.writeFd); // created if missing; positional writes need a non-append fd
    this.writeFd = openSync(path.join(dir, segName(last)), 'r+');
    const size = fstatSync(this.writeFd).size;
    // Validate the tail from the checkpoint (a frame boundary) or the last segment's start.
    const scanFrom = Math.max(last, Math.min(this.committedOffset, last + size));
    const validEnd = this.scanValidEnd(this.writeFd, scanFrom - last, size) + last;
    // Zeros past the last frame are preallocation from a run that did not close cleanly, not loss.
    this.truncatedBytes = Math.max(0, this.lastNonZero(this.writeFd, validEnd - last, size) - (validEnd - last));
    if (last + size > validEnd) {
      ftruncateSync(this.writeFd, validEnd - last);
      fdatasyncSync(this.writeFd);
    }
    this.writeSize = validEnd - last;
    this.allocated = this.writeSize;
    this.end = validEnd;
    if (this.committedOffset > this.end) this.committedOffset = this.end; // checkpoint outlived a lost tail
    if (this.committedOffset < this.segments[0]) this.committedOffset = this.segments[0];
    this.startOffset = this.end;
    this.writeCheckpoint();
    this.compact();
    if (opts.fsync === 'interval') {
      this.timer = setInterval(() => this.syncNow(), opts.fsyncIntervalMs);
      this.timer.unref();
    }
  }

  get endOffset(): number {
    return this.end;
  }
  get committed(): number {
    return this.committedOffset;
  }
  /** Bytes accepted but not yet processed. */
  get backlog(): number {
    return this.end + (this.pending?.bytes ?? 0) - this.committedOffset;
  }
  /** Backlog, plus `extra` bytes about to be appended, as a share of max_bytes (1 = appends are refused). */
  fill(extra = 0): number {
    return (this.backlog + extra) / this.opts.maxBytes;
  }
  get segmentCount(): number {
    return this.segments.length;
  }

  /** One past the last non-zero byte in [from, size) of the file, or `from` when all zero. */
  private lastNonZero(fd: number, from: number, size: number): number {
    const buf = Buffer.alloc(1 << 16);
    let last = from;
    for (let pos = from; pos < size; ) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, size - pos), pos);
      if (n <= 0) break;
      for (let i = n - 1; i >= 0; i--)
        if (buf[i] !== 0) {
          last = pos + i + 1;
          break;
        }
      pos += n;
    }
    return last;
  }

  private scanValidEnd(fd: number, from: number, size: number): number {
    let pos = from;
    let buf = Buffer.alloc(1 << 20);
    while (pos < size) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, size - pos), pos);
      if (n <= 0) break;
      const entries: JournalEntry[] = [];
      const r = parseFrames(buf.subarray(0, n), pos, entries);
      pos += r.consumed;
      if (r.corrupt) break;
      if (r.consumed === 0) {
        if (r.needed === 0 || pos + r.needed > size) break; // torn final frame
        if (r.needed > buf.length) buf = Buffer.alloc(r.needed);
      }
    }
    return pos;
  }

  private readCheckpoint(): number {
    const file = path.join(this.dir, CHECKPOINT);
    this.checkpointFd = openSync(file, 'a+', PRIVATE_FILE_MODE);
    const buf = Buffer.alloc(16);
    const n = readSync(this.checkpointFd, buf, 0, 16, 0);
    closeSync(this.checkpointFd);
    this.checkpointFd = openSync(file, 'r+');
    const first = this.segments[0] ?? 0;
    if (n < 16) return first;
    const offset = Number(buf.readBigUInt64LE(0));
    if (crc32(buf.subarray(0, 8)) !== buf.readUInt32LE(8)) return first;
    return offset;
  }

  /** Writes a checkpoint that commit(…, false) deferred. */
  persistCheckpoint(): void {
    if (this.checkpointStale && !this.closed) this.writeCheckpoint();
  }

  /** 16 bytes at position 0 (one sector, so effectively atomic); fdatasynced by sync()/close(). */
  private writeCheckpoint(): void {
    this.checkpointStale = false;
    this.checkpointBuf.writeBigUInt64LE(BigInt(this.durableOffset), 0);
    this.checkpointBuf.writeUInt32LE(crc32(this.checkpointBuf.subarray(0, 8)), 8);
    writeSync(this.checkpointFd, this.checkpointBuf, 0, 16, 0);
    this.checkpointDirty = true;
  }

  /** Queues one entry; resolves when it is as durable as the fsync policy promises. */
  append(payload: Buffer, input: number, receivedAt: bigint): Promise<void> {
    return this.appendMany([payload], input, receivedAt);
  }

  /** `values`, when given, are the parsed payloads (same order), handed back by read() in this process. */
  appendMany(payloads: Buffer[], input: number, receivedAt: bigint, values?: unknown[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('journal closed'));
    const bytes = payloads.reduce((n, p) => n + p.length + HEADER, 0);
    if (this.backlog + bytes > this.opts.maxBytes) return Promise.reject(new JournalFullError(this.backlog, this.opts.maxBytes));
    const p = (this.pending ??= { frames: [], values: [], bytes: 0, waiters: [] });
    for (let i = 0; i < payloads.length; i++) {
      p.frames.push(encodeFrame(payloads[i], input, receivedAt));
      p.values.push(values?.[i]);
    }
    p.bytes += bytes;
    const done = new Promise<void>((resolve, reject) => p.waiters.push({ resolve, reject }));
    this.scheduleFlush();
    return done;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.syncs >= MAX_SYNCS) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /** Group commit: everything queued since the last flush goes out in one write (+ one fdatasync). */
  private flush(): void {
    const batch = this.pending;
    if (!batch || this.syncs >= MAX_SYNCS) return;
    this.pending = null;
    let fd: number;
    try {
      fd = this.writeFd;
      const buf = batch.frames.length === 1 ? batch.frames[0] : Buffer.concat(batch.frames, batch.bytes);
      if (this.preallocBytes > 0 && this.writeSize + buf.length > this.allocated) this.preallocate(this.writeSize + buf.length + this.preallocBytes);
      let written = 0;
      while (written < buf.length) written += writeSync(fd, buf, written, buf.length - written, this.writeSize + written);
      this.remember(batch);
      this.writeSize += buf.length;
      this.end += buf.length;
    } catch (err) {
      for (const w of batch.waiters) w.reject(err as Error);
      return;
    }
    const rotatedFd = this.writeSize >= this.opts.segmentBytes ? this.rotate() : -1;
    this.onAppend();
    const settle = (err: Error | null): void => {
      for (const w of batch.waiters) {
        if (err) w.reject(err);
        else w.resolve();
      }
    };
    if (this.opts.fsync !== 'always') {
      if (rotatedFd >= 0) {
        fdatasyncSync(rotatedFd);
        this.retire(rotatedFd);
      }
      settle(null);
      return;
    }
    if (rotatedFd >= 0) this.retiredFds.add(rotatedFd);
    this.syncs++;
    this.fdSyncs.set(fd, (this.fdSyncs.get(fd) ?? 0) + 1);
    fdatasync(fd, (err) => {
      this.syncs--;
      const left = this.fdSyncs.get(fd)! - 1;
      if (left > 0) this.fdSyncs.set(fd, left);
      else {
        this.fdSyncs.delete(fd);
        if (this.retiredFds.has(fd)) this.retire(fd);
      }
      settle(err);
      if (this.pending) this.scheduleFlush();
    });
  }

  /**
   * Extends the write segment with zeros. Why: an fdatasync after an append that grows the file
   * must also commit the new size (a filesystem journal commit); inside preallocated space it
   * flushes only the data, which measured about 1.7× faster here. Only for fsync "always".
   */
  private preallocate(upTo: number): void {
    const zeros = Buffer.alloc(Math.min(1 << 20, upTo - this.allocated));
    while (this.allocated < upTo) this.allocated += writeSync(this.writeFd, zeros, 0, Math.min(zeros.length, upTo - this.allocated), this.allocated);
  }

  /** Gives back preallocated zeros, so a cleanly closed or rotated-out segment ends at its last frame. */
  private trimPreallocation(fd: number): void {
    if (this.allocated > this.writeSize) ftruncateSync(fd, this.writeSize);
    this.allocated = this.writeSize;
  }

  /** Closes a rotated-out segment fd once no sync uses it. */
  private retire(fd: number): void {
    this.retiredFds.delete(fd);
    if (!this.fdSyncs.has(fd)) closeSync(fd);
    else this.retiredFds.add(fd);
  }

  /** Keeps the parsed values of a written batch by offset, bounded: past the bound readers parse. */
  private remember(batch: Pending): void {
    let offset = this.end;
    for (let i = 0; i < batch.frames.length; i++) {
      const value = batch.values[i];
      if (value !== undefined && this.memo.length - this.memoHead < MEMO_MAX) this.memo.push({ offset, value });
      offset += batch.frames[i].length;
    }
  }

  /** The remembered value for the entry at `offset` (consumed; older ones are dropped). */
  private recall(offset: number): unknown {
    const memo = this.memo;
    while (this.memoHead < memo.length && memo[this.memoHead].offset < offset) this.memoHead++;
    let value: unknown;
    if (this.memoHead < memo.length && memo[this.memoHead].offset === offset) value = memo[this.memoHead++].value;
    if (this.memoHead > 4096 && this.memoHead * 2 > memo.length) {
      this.memo = memo.slice(this.memoHead);
      this.memoHead = 0;
    }
    return value;
  }

  /** Starts a new segment; returns the old write fd for the caller to sync and close. */
  private rotate(): number {
    const old = this.writeFd;
    this.trimPreallocation(old);
    this.segments.push(this.end);
    this.writeFd = openSync(path.join(this.dir, segName(this.end)), 'w+', PRIVATE_FILE_MODE);
    this.writeSize = 0;
    this.allocated = 0;
    try {
      const dirFd = openSync(this.dir, 'r');
      fdatasyncSync(dirFd);
      closeSync(dirFd);
    } catch {
      // directories cannot be fsynced on every platform; the segment itself is synced
    }
    return old;
  }

  /**
   * Reads entries from `from` up to about maxBytes (at least one whole entry).
   * `corruptAt` is set when a non-tail segment holds an unreadable frame: the caller counts it
   * and continues from `next` (the following segment).
   */
  read(from: number, maxBytes = 1 << 20): { entries: JournalEntry[]; next: number; skipped: number } {
    const entries: JournalEntry[] = [];
    let pos = Math.max(from, this.segments[0]);
    let skipped = 0;
    while (pos < this.end && entries.length === 0) {
      const i = this.segmentIndex(pos);
      const segStart = this.segments[i];
      const segEnd = i + 1 < this.segments.length ? this.segments[i + 1] : this.end;
      if (pos >= segEnd) {
        pos = segEnd;
        continue;
      }
      const fd = this.readFdFor(segStart);
      let want = Math.min(maxBytes, segEnd - pos);
      for (;;) {
        const buf = Buffer.allocUnsafe(want);
        const n = readSync(fd, buf, 0, want, pos - segStart);
        const r = parseFrames(buf.subarray(0, n), pos, entries);
        if (r.corrupt || (n === 0 && r.consumed === 0)) {
          skipped += segEnd - pos - r.consumed;
          pos = segEnd;
          break;
        }
        if (r.consumed === 0 && r.needed > want && pos + r.needed <= segEnd) {
          want = r.needed;
          continue;
        }
        if (r.consumed === 0) {
          skipped += segEnd - pos;
          pos = segEnd;
          break;
        }
        pos += r.consumed;
        break;
      }
    }
    if (this.memoHead < this.memo.length)
      for (const e of entries) {
        const value = this.recall(e.offset);
        if (value !== undefined) e.value = value;
      }
    return { entries, next: pos, skipped };
  }

  private segmentIndex(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.segments[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private readFdFor(segStart: number): number {
    if (this.readSeg !== segStart) {
      if (this.readFd >= 0) closeSync(this.readFd);
      this.readFd = openSync(path.join(this.dir, segName(segStart)), 'r');
      this.readSeg = segStart;
    }
    return this.readFd;
  }

  /**
   * Marks everything before `offset` processed; whole processed segments are deleted. With
   * persist false the checkpoint file is written later (persistCheckpoint): a crash in between
   * replays those entries, which callers use only for entries whose replay is harmless.
   */
  commit(offset: number, persist = true): void {
    if (offset <= this.committedOffset) return;
    this.committedOffset = Math.min(offset, this.end);
    if (persist) this.writeCheckpoint();
    else this.checkpointStale = true;
    if (this.segments.length > 1 && this.durableOffset >= this.segments[1]) this.compact();
  }

  /**
   * Keeps the checkpoint (and the segments) at or before `offset` although readers move on:
   * for an entry processed but not finished (an alert held for settle_seconds), so a restart
   * replays it. Entries after it are replayed too; processing them again is idempotent.
   */
  pin(offset: number): void {
    this.pins.set(offset, (this.pins.get(offset) ?? 0) + 1);
  }

  unpin(offset: number): void {
    const n = (this.pins.get(offset) ?? 0) - 1;
    if (n > 0) this.pins.set(offset, n);
    else this.pins.delete(offset);
    this.checkpointStale = true;
  }

  /** Where a restart resumes: the first unprocessed or still pinned byte. */
  get durableOffset(): number {
    let min = this.committedOffset;
    for (const offset of this.pins.keys()) if (offset < min) min = offset;
    return min;
  }

  private compact(): void {
    while (this.segments.length > 1 && this.durableOffset >= this.segments[1]) {
      const start = this.segments.shift()!;
      if (this.readSeg === start) {
        closeSync(this.readFd);
        this.readFd = -1;
        this.readSeg = -1;
      }
      try {
        unlinkSync(path.join(this.dir, segName(start)));
      } catch {
        // already gone
      }
    }
  }

  /** fdatasync the segment and checkpoint (interval policy, and on close). */
  syncNow(): void {
    if (this.closed) return;
    this.persistCheckpoint();
    try {
      if (this.opts.fsync !== 'never' || this.closed) fdatasyncSync(this.writeFd);
      if (this.checkpointDirty) {
        this.checkpointDirty = false;
        fdatasyncSync(this.checkpointFd);
      }
    } catch {
      // the next sync retries; appends report their own errors
    }
  }

  /** Syncs the checkpoint now and then (its loss only means replaying a little more). */
  syncCheckpoint(): void {
    this.persistCheckpoint();
    if (this.closed || !this.checkpointDirty) return;
    this.checkpointDirty = false;
    try {
      fdatasyncSync(this.checkpointFd);
    } catch {
      this.checkpointDirty = true;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    while (this.syncs > 0 || this.pending || this.flushScheduled) {
      if (this.syncs < MAX_SYNCS && this.pending && !this.flushScheduled) this.flush();
      await new Promise((r) => setImmediate(r));
    }
    if (this.timer) clearInterval(this.timer);
    this.persistCheckpoint();
    this.trimPreallocation(this.writeFd);
    fdatasyncSync(this.writeFd);
    fdatasyncSync(this.checkpointFd);
    this.closed = true;
    closeSync(this.writeFd);
    closeSync(this.checkpointFd);
    if (this.readFd >= 0) closeSync(this.readFd);
  }
}
