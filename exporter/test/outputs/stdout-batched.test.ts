import { Writable } from 'node:stream';
import { setImmediate as turn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { stdoutOutput } from '../../src/outputs/stdout.js';
import { formatPretty } from '../../src/outputs/pretty.js';
import { Metrics } from '../../src/metrics/registry.js';
import type { DriftRecord } from '../../src/model/drift.js';
import { makeRecords } from './records.js';

/** A stream that keeps each write() as it was made. */
function capture(): { stream: Writable; writes: string[]; text: () => string } {
  const writes: string[] = [];
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _enc, done) {
      writes.push(String(chunk));
      done();
    },
  });
  return { stream, writes, text: () => writes.join('') };
}

const line = (r: DriftRecord): string => `${JSON.stringify(r)}\n`;

describe('stdout output, unbatched (the daemon)', () => {
  it('writes each record at once, one write per record', () => {
    const { stream, writes } = capture();
    const out = stdoutOutput('jsonl', stream);
    const records = makeRecords(3);
    out.send(records[0]);
    expect(writes).toEqual([line(records[0])]);
    out.send(records[1]);
    out.sendJson!(JSON.stringify(records[2]));
    expect(writes).toEqual(records.map(line));
  });
});

describe('stdout output, batched (replay)', () => {
  it('holds lines until the event loop turns, then writes them in one write', async () => {
    const { stream, writes } = capture();
    const out = stdoutOutput('jsonl', stream, undefined, true);
    const records = makeRecords(5);
    for (const r of records) out.send(r);
    expect(writes).toEqual([]);
    await turn();
    expect(writes).toEqual([records.map(line).join('')]);
    // The next records start a new batch.
    out.send(records[0]);
    expect(writes).toHaveLength(1);
    await turn();
    expect(writes).toEqual([records.map(line).join(''), line(records[0])]);
    await turn();
    expect(writes).toHaveLength(2);
  });

  it('flush() writes what is held at once', async () => {
    const { stream, writes } = capture();
    const out = stdoutOutput('jsonl', stream, undefined, true);
    const records = makeRecords(3);
    for (const r of records) out.send(r);
    const flushed = out.flush();
    expect(writes).toEqual([records.map(line).join('')]);
    await flushed;
    // The turn already scheduled finds nothing left to write.
    await turn();
    expect(writes).toHaveLength(1);
    await out.flush();
    expect(writes).toHaveLength(1);
  });

  it('more than 64 KiB held is written before the loop turns', async () => {
    const { stream, writes } = capture();
    const out = stdoutOutput('jsonl', stream, undefined, true);
    const records = makeRecords(400);
    const lines = records.map(line);
    let sent = 0;
    let bytes = 0;
    while (writes.length === 0) {
      out.send(records[sent]);
      bytes += lines[sent].length;
      sent++;
      expect(sent).toBeLessThan(records.length);
    }
    // The write came with the line that took the batch to 64 KiB, not before, and held everything so far.
    expect(bytes).toBeGreaterThanOrEqual(64 * 1024);
    expect(bytes - lines[sent - 1].length).toBeLessThan(64 * 1024);
    expect(writes).toEqual([lines.slice(0, sent).join('')]);
    for (const r of records.slice(sent)) out.send(r);
    await turn();
    expect(writes.join('')).toBe(lines.join(''));
    // Every write but the last is a full batch: one write per ~64 KiB, not per record.
    expect(writes.length).toBeLessThanOrEqual(Math.ceil(lines.join('').length / (64 * 1024)) + 1);
    for (const w of writes.slice(0, -1)) expect(w.length).toBeGreaterThanOrEqual(64 * 1024);
  });

  it('loses and reorders nothing across many records, send and sendJson mixed, with flushes and turns in between', async () => {
    const { stream, writes, text } = capture();
    const metrics = new Metrics({ defaultMetrics: false });
    const out = stdoutOutput('jsonl', stream, metrics, true);
    const records = makeRecords(3000);
    for (let i = 0; i < records.length; i++) {
      if (i % 2 === 0) out.send(records[i]);
      else out.sendJson!(JSON.stringify(records[i]));
      if (i % 997 === 0) await turn();
      if (i % 1499 === 0) await out.flush();
    }
    await out.flush();
    expect(text()).toBe(records.map(line).join(''));
    expect(writes.length).toBeLessThan(records.length / 10);
    const parsed = text().trimEnd().split('\n').map((l) => JSON.parse(l) as DriftRecord);
    expect(parsed.map((r) => r.drift_id)).toEqual(records.map((r) => r.drift_id));
    const sentOk = (await metrics.registry.getSingleMetric('tfdrift_output_sent_total')!.get()).values.find((v) => v.labels.output === 'stdout' && v.labels.status === 'ok');
    expect(sentOk?.value).toBe(records.length);
  });

  it('flush() waits for a stream that asked to drain', async () => {
    const done: (() => void)[] = [];
    const writes: string[] = [];
    // A slow pipe: each write completes only when the test says so; highWaterMark 1 byte makes any write need a drain.
    const stream = new Writable({
      highWaterMark: 1,
      decodeStrings: false,
      write(chunk: string, _enc, cb) {
        writes.push(chunk);
        done.push(cb);
      },
    });
    const out = stdoutOutput('jsonl', stream, undefined, true);
    const [r] = makeRecords(1);
    out.send(r);
    let flushed = false;
    const flushing = out.flush().then(() => void (flushed = true));
    expect(writes).toEqual([line(r)]);
    await turn();
    expect(flushed).toBe(false);
    done.shift()!();
    await flushing;
    expect(flushed).toBe(true);
  });
});

describe('sendJson', () => {
  it('jsonl: the text as it is, plus a newline (not re-serialised)', async () => {
    const [r] = makeRecords(1);
    // Key order and spacing of the text are kept: the output does not parse and re-serialise it.
    const text = JSON.stringify({ ...r, drift_id: r.drift_id }, null, 0).replace('{', '{ ');
    for (const batched of [false, true]) {
      const { stream, writes } = capture();
      const out = stdoutOutput('jsonl', stream, undefined, batched);
      out.sendJson!(text);
      await out.flush();
      expect(writes).toEqual([`${text}\n`]);
    }
  });

  it('pretty: the parsed record formatted as send() formats it', async () => {
    const records = makeRecords(4);
    for (const batched of [false, true]) {
      const viaSend = capture();
      const viaJson = capture();
      const a = stdoutOutput('pretty', viaSend.stream, undefined, batched);
      const b = stdoutOutput('pretty', viaJson.stream, undefined, batched);
      for (const r of records) {
        a.send(r);
        b.sendJson!(JSON.stringify(r));
      }
      await a.flush();
      await b.flush();
      expect(viaJson.text()).toBe(viaSend.text());
      expect(viaJson.text()).toBe(records.map((r) => `${formatPretty(r, false)}\n\n`).join(''));
      expect(viaJson.text()).toContain(records[0].resource_id!);
    }
  });
});
