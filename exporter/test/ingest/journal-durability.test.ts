import { closeSync, openSync, readFileSync, readdirSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal, type FsyncPolicy, type JournalEntry } from '../../src/ingest/journal.js';
import { tempDir } from './helpers.js';

const opts = (o: Partial<{ fsync: FsyncPolicy; segmentBytes: number }> = {}) => ({
  fsync: o.fsync ?? ('always' as FsyncPolicy),
  fsyncIntervalMs: 20,
  segmentBytes: o.segmentBytes ?? 1 << 20,
  maxBytes: 1 << 30,
});

function readAll(j: Journal, from = j.committed): JournalEntry[] {
  const out: JournalEntry[] = [];
  for (let pos = from; pos < j.endOffset; ) {
    const { entries, next } = j.read(pos, 4096);
    out.push(...entries);
    pos = next;
  }
  return out;
}
const texts = (es: JournalEntry[]) => es.map((e) => e.payload.toString());
const segments = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.seg')).sort().map((f) => path.join(dir, f));

describe('Journal durability details', () => {
  it('fsync always preallocates: after a crash (no close) the zeros past the last frame are not a torn tail, and nothing is lost', async () => {
    const dir = tempDir();
    const j = new Journal(dir, opts());
    for (let i = 0; i < 50; i++) await j.append(Buffer.from(`alert-${i}`), 1, 0n);
    const [seg] = segments(dir);
    const dataBytes = j.endOffset;
    expect(statSync(seg).size).toBeGreaterThan(dataBytes); // preallocated space beyond the frames
    // "crash": the first instance is never closed; a new process opens the same directory.
    const again = new Journal(dir, opts());
    expect(again.truncatedBytes).toBe(0);
    expect(again.endOffset).toBe(dataBytes);
    expect(texts(readAll(again))).toEqual(Array.from({ length: 50 }, (_, i) => `alert-${i}`));
    await again.append(Buffer.from('after-crash'), 1, 0n);
    expect(texts(readAll(again)).at(-1)).toBe('after-crash');
    await again.close();
    expect(statSync(seg).size).toBe(again.endOffset); // a clean close gives the zeros back
  });

  it('counts a torn frame written into preallocated space, keeps the frames before it', async () => {
    const dir = tempDir();
    const j = new Journal(dir, opts());
    for (let i = 0; i < 5; i++) await j.append(Buffer.from(`ok-${i}`), 1, 0n);
    const end = j.endOffset;
    const [seg] = segments(dir);
    const fd = openSync(seg, 'r+');
    writeSync(fd, Buffer.from([40, 0, 0, 0, 0xde, 0xad, 0xbe]), 0, 7, end); // half a header, then zeros
    closeSync(fd);
    const again = new Journal(dir, opts());
    expect(again.truncatedBytes).toBe(7);
    expect(texts(readAll(again))).toEqual(['ok-0', 'ok-1', 'ok-2', 'ok-3', 'ok-4']);
    await again.close();
  });

  it('overlapping group commits: concurrent appends across many segment rotations all resolve and read back in order', async () => {
    const dir = tempDir();
    // Every flush (one tick's 10 frames, 770 bytes, or more when syncs are slow) fills a segment.
    const j = new Journal(dir, opts({ segmentBytes: 512 }));
    const expected: string[] = [];
    const waits: Promise<void>[] = [];
    for (let tick = 0; tick < 40; tick++) {
      for (let i = 0; i < 10; i++) {
        const text = `t${tick}-${i}`.padEnd(60, '.');
        expected.push(text);
        waits.push(j.append(Buffer.from(text), 1, 0n));
      }
      await new Promise((r) => setImmediate(r)); // one group commit per tick, several in flight
    }
    await Promise.all(waits);
    // At least three flushes start before any sync can finish, then one more for the rest.
    expect(segments(dir).length).toBeGreaterThanOrEqual(4);
    expect(texts(readAll(j))).toEqual(expected);
    await j.close();
    // rotated-out segments were trimmed to their frames: sizes add up to the logical length
    expect(segments(dir).reduce((n, f) => n + statSync(f).size, 0)).toBe(j.endOffset);
    const again = new Journal(dir, opts({ segmentBytes: 512 }));
    expect(texts(readAll(again))).toEqual(expected);
    await again.close();
  });

  it('hands back the parsed value given at append within the process; after a restart readers parse the payload', async () => {
    const dir = tempDir();
    const j = new Journal(dir, opts({ fsync: 'never' }));
    const value = { output_fields: { 'ct.id': 'x' } };
    await j.appendMany([Buffer.from(JSON.stringify(value)), Buffer.from('{"plain":true}')], 1, 0n, [value, undefined]);
    const [first, second] = readAll(j);
    expect(first.value).toBe(value);
    expect(second.value).toBeUndefined();
    await j.close();
    const again = new Journal(dir, opts({ fsync: 'never' }));
    const [replayed] = readAll(again);
    expect(replayed.value).toBeUndefined();
    expect(JSON.parse(replayed.payload.toString())).toEqual(value);
    await again.close();
  });

  it('a deferred commit (persist false) is replayed after a crash until persistCheckpoint writes it', async () => {
    const dir = tempDir();
    const j = new Journal(dir, opts());
    for (let i = 0; i < 4; i++) await j.append(Buffer.from(`e${i}`), 1, 0n);
    const [e0, e1, e2] = readAll(j);
    j.commit(e0.next); // persisted at once
    j.commit(e1.next, false);
    j.commit(e2.next, false);
    const checkpoint = () => readFileSync(path.join(dir, 'checkpoint')).readBigUInt64LE(0);
    expect(checkpoint()).toBe(BigInt(e0.next));
    expect(texts(readAll(new Journal(dir, opts())))).toEqual(['e1', 'e2', 'e3']); // crash now: e1, e2 replay
    j.persistCheckpoint();
    expect(checkpoint()).toBe(BigInt(e2.next));
    expect(texts(readAll(new Journal(dir, opts())))).toEqual(['e3']);
    await j.close();
  });
});
