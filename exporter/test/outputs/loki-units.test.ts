import { mkdtempSync, readFileSync, readdirSync, appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { labelsString, streamLabels } from '../../src/outputs/loki/encode.js';
import { Spool } from '../../src/outputs/loki/spool.js';
import { backoffDelay, retryAfterMs } from '../../src/outputs/retry.js';
import { fileOutput } from '../../src/outputs/file.js';
import { fileConfigSchema } from '../../src/outputs/config.js';
import { makeRecords } from './records.js';

const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), p));
const entry = (i: number) => ({ ts: String(1_000_000n + BigInt(i)), labels: { job: 'tfdrift' }, line: `{"n":${i},"pad":"${'x'.repeat(100)}"}` });

describe('stream labels', () => {
  it('are exactly job + the five bounded record fields; nulls are left out; values are escaped', () => {
    const [r] = makeRecords(1);
    expect(Object.keys(streamLabels(r, { job: 'tfdrift' })).sort()).toEqual(['account_id', 'change_type', 'job', 'provider', 'region', 'severity']);
    expect(streamLabels({ ...r, region: null, account_id: null }, {})).toEqual({ job: 'tfdrift', provider: 'aws', severity: r.severity, change_type: 'modified' });
    expect(labelsString({ b: 'x"y\\z', a: '1' })).toBe('{a="1", b="x\\"y\\\\z"}');
  });
});

describe('spool', () => {
  it('replays unacknowledged entries after reopening, oldest first, and not acknowledged ones again', () => {
    const dir = tmp('spool-');
    const s = new Spool(dir, 1 << 20);
    s.open();
    const spooled = [0, 1, 2, 3, 4].map((i) => s.append(entry(i)).spooled);
    s.commit(spooled[1]);
    s.close();
    const again = new Spool(dir, 1 << 20);
    expect(again.open().entries.map((e) => e.line)).toEqual([2, 3, 4].map((i) => entry(i).line));
  });

  it('cuts a write torn by a crash and keeps appending on a clean line', () => {
    const dir = tmp('spool-');
    const s = new Spool(dir, 1 << 20);
    s.open();
    s.append(entry(0));
    s.close();
    const seg = readdirSync(dir).find((f) => f.endsWith('.ndjson'))!;
    appendFileSync(path.join(dir, seg), '{"ts":"5","labels":{"job":"t'); // kill -9 mid-write
    const again = new Spool(dir, 1 << 20);
    expect(again.open()).toMatchObject({ corrupt: 0, entries: [{ line: entry(0).line }] });
    again.append(entry(1));
    again.close();
    expect(new Spool(dir, 1 << 20).open().entries.map((e) => e.line)).toEqual([entry(0).line, entry(1).line]);
    expect(readFileSync(path.join(dir, seg), 'utf8').endsWith('\n')).toBe(true);
  });

  it('rolls segments, deletes acknowledged ones, and drops whole oldest segments when full', () => {
    const dir = tmp('spool-');
    const s = new Spool(dir, 4096);
    s.open();
    const results = Array.from({ length: 60 }, (_v, i) => s.append(entry(i)));
    expect(s.pendingBytes()).toBeLessThanOrEqual(4096);
    const dropped = results.flatMap((r) => r.droppedSegments);
    expect(dropped.length).toBeGreaterThan(0);
    const left = new Spool(dir, 4096);
    s.close();
    const replay = left.open().entries.map((e) => JSON.parse(e.line).n as number);
    expect(replay[replay.length - 1]).toBe(59); // the newest survive
    expect(replay).toEqual([...replay].sort((a, b) => a - b));
    left.commit(left.append(entry(60)).spooled);
    expect(left.pendingBytes()).toBe(0);
    expect(readdirSync(dir).filter((f) => f.endsWith('.ndjson'))).toHaveLength(1);
  });
});

describe('backoff', () => {
  it('grows exponentially, is capped, and jitters between half the base and the ceiling', () => {
    expect(backoffDelay(0, 500, 60_000, () => 0)).toBe(250);
    expect(backoffDelay(3, 500, 60_000, () => 1)).toBe(4000);
    expect(backoffDelay(20, 500, 60_000, () => 1)).toBe(60_000);
    expect(retryAfterMs('3', 0)).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 0)).toBe(10_000);
    expect(retryAfterMs(undefined, 0)).toBeNull();
  });
});

describe('file output', () => {
  it('writes JSON lines and rotates path → path.1 … path.max_files', async () => {
    const dir = tmp('file-out-');
    const file = path.join(dir, 'drifts.jsonl');
    const out = fileOutput(fileConfigSchema.parse({ enabled: true, path: file, max_bytes: 4096, max_files: 2 }));
    const rs = makeRecords(20);
    for (const r of rs) out.send(r);
    await out.close();
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['drifts.jsonl', 'drifts.jsonl.1', 'drifts.jsonl.2']);
    const current = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).drift_id);
    expect(current[current.length - 1]).toBe(rs[19].drift_id);
    for (const f of files) expect(readFileSync(path.join(dir, f)).length).toBeLessThanOrEqual(4096);
  });
});
