import { appendFileSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal, JournalFullError, type FsyncPolicy, type JournalEntry } from '../../src/ingest/journal.js';
import { tempDir } from './helpers.js';

const opts = (o: Partial<{ fsync: FsyncPolicy; segmentBytes: number; maxBytes: number }> = {}) => ({
  fsync: o.fsync ?? ('always' as FsyncPolicy),
  fsyncIntervalMs: 20,
  segmentBytes: o.segmentBytes ?? 1 << 20,
  maxBytes: o.maxBytes ?? 1 << 30,
});

function readAll(j: Journal, from = j.committed): JournalEntry[] {
  const out: JournalEntry[] = [];
  let pos = from;
  while (pos < j.endOffset) {
    const { entries, next } = j.read(pos, 4096);
    out.push(...entries);
    pos = next;
  }
  return out;
}
const texts = (es: JournalEntry[]) => es.map((e) => e.payload.toString());

describe('Journal', () => {
  for (const fsync of ['always', 'interval', 'never'] as FsyncPolicy[]) {
    it(`appends, reads back in order and replays only the uncommitted tail after reopening (fsync ${fsync})`, async () => {
      const dir = tempDir();
      const j = new Journal(dir, opts({ fsync }));
      await Promise.all(Array.from({ length: 50 }, (_, i) => j.append(Buffer.from(`alert-${i}`), 1, BigInt(i))));
      const all = readAll(j);
      expect(texts(all)).toEqual(Array.from({ length: 50 }, (_, i) => `alert-${i}`));
      expect(all[7].receivedAt).toBe(7n);
      j.commit(all[29].next);
      await j.close();
      const again = new Journal(dir, opts({ fsync }));
      expect(texts(readAll(again))).toEqual(Array.from({ length: 20 }, (_, i) => `alert-${i + 30}`));
      expect(again.startOffset).toBe(again.endOffset);
      await again.close();
    });
  }

  it('truncates a torn tail left by a crash mid-write and keeps appending after it', async () => {
    const dir = tempDir();
    const j = new Journal(dir, opts());
    for (let i = 0; i < 10; i++) await j.append(Buffer.from(`a${i}`), 1, 0n);
    await j.close();
    const seg = path.join(dir, readdirSync(dir).find((f) => f.endsWith('.seg'))!);
    const size = statSync(seg).size;
    writeFileSync(seg, readFileSync(seg).subarray(0, size - 3)); // last frame torn
    appendFileSync(seg, Buffer.alloc(0));
    const again = new Journal(dir, opts());
    expect(again.truncatedBytes).toBeGreaterThan(0);
    expect(texts(readAll(again))).toEqual(Array.from({ length: 9 }, (_, i) => `a${i}`));
    await again.append(Buffer.from('after'), 1, 0n);
    expect(texts(readAll(again)).at(-1)).toBe('after');
    await again.close();
  });

  it('drops a tail whose CRC does not match (garbage after a power loss)', async () => {
    const dir = tempDir();
    const j = new Journal(dir, opts());
    for (let i = 0; i < 3; i++) await j.append(Buffer.from(`b${i}`), 1, 0n);
    await j.close();
    const seg = path.join(dir, readdirSync(dir).find((f) => f.endsWith('.seg'))!);
    const buf = readFileSync(seg);
    buf[buf.length - 1] ^= 0xff;
    writeFileSync(seg, buf);
    const again = new Journal(dir, opts());
    expect(texts(readAll(again))).toEqual(['b0', 'b1']);
    await again.close();
  });

  it('rotates segments and deletes processed ones, so disk use stays bounded', async () => {
    const dir = tempDir();
    const j = new Journal(dir, opts({ segmentBytes: 1024 }));
    let maxSegments = 0;
    for (let round = 0; round < 20; round++) {
      await Promise.all(Array.from({ length: 20 }, (_, i) => j.append(Buffer.alloc(100, 65 + (i % 26)), 1, 0n)));
      maxSegments = Math.max(maxSegments, readdirSync(dir).filter((f) => f.endsWith('.seg')).length);
      for (const e of readAll(j)) j.commit(e.next);
    }
    expect(maxSegments).toBeGreaterThan(1);
    expect(readdirSync(dir).filter((f) => f.endsWith('.seg')).length).toBe(1);
    expect(j.committed).toBe(j.endOffset);
    await j.close();
    const again = new Journal(dir, opts({ segmentBytes: 1024 }));
    expect(readAll(again)).toEqual([]);
    await again.append(Buffer.from('next'), 1, 0n);
    expect(texts(readAll(again))).toEqual(['next']);
    await again.close();
  });

  it('reads across segment boundaries and skips an unreadable non-tail segment, reporting the bytes', async () => {
    const dir = tempDir();
    const j = new Journal(dir, opts({ segmentBytes: 200 }));
    for (let i = 0; i < 30; i++) await j.append(Buffer.from(`entry-${i}`.padEnd(40, '.')), 1, 0n);
    await j.close();
    const segs = readdirSync(dir).filter((f) => f.endsWith('.seg')).sort();
    expect(segs.length).toBeGreaterThan(3);
    const victim = path.join(dir, segs[1]);
    const buf = readFileSync(victim);
    buf[20] ^= 0xff;
    writeFileSync(victim, buf);
    const again = new Journal(dir, opts({ segmentBytes: 200 }));
    let pos = again.committed;
    let skipped = 0;
    const got: string[] = [];
    while (pos < again.endOffset) {
      const r = again.read(pos, 64);
      got.push(...texts(r.entries));
      skipped += r.skipped;
      pos = r.next;
    }
    expect(skipped).toBeGreaterThan(0);
    expect(got.length).toBeLessThan(30);
    expect(got.at(-1)).toMatch(/^entry-29/);
    await again.close();
  });

  it('refuses appends beyond max_bytes of unprocessed data', async () => {
    const j = new Journal(tempDir(), opts({ maxBytes: 1000 }));
    await j.append(Buffer.alloc(500), 1, 0n);
    await expect(j.append(Buffer.alloc(600), 1, 0n)).rejects.toBeInstanceOf(JournalFullError);
    for (const e of readAll(j)) j.commit(e.next);
    await expect(j.append(Buffer.alloc(600), 1, 0n)).resolves.toBeUndefined();
    await j.close();
  });
});
