import type { Writable } from 'node:stream';
import type { DriftRecord } from '../model/drift.js';
import type { Metrics } from '../metrics/registry.js';
import type { Output } from './types.js';
import { formatPretty } from './pretty.js';

/** Lines held back at most (replay's batched writes). */
const BATCH_BYTES = 64 * 1024;

/**
 * JSON lines (one record per line, for Promtail/Alloy/Fluent Bit) or a readable form.
 * `batched` (replay): lines are gathered and written 64 KiB at a time or when the event loop
 * turns — one write per record is a system call per record on a pipe or file. The daemon writes
 * each record at once: a record held back when the process is killed would be lost.
 */
export function stdoutOutput(format: 'jsonl' | 'pretty', stream: Writable = process.stdout, metrics?: Metrics, batched = false): Output {
  const colour = format === 'pretty' && 'isTTY' in stream && Boolean((stream as NodeJS.WriteStream).isTTY);
  let held = '';
  let scheduled = false;
  const writeHeld = (): void => {
    scheduled = false;
    if (held === '') return;
    const text = held;
    held = '';
    stream.write(text);
  };
  const write = (line: string): void => {
    if (!batched) stream.write(line);
    else {
      held += line;
      if (held.length >= BATCH_BYTES) writeHeld();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(writeHeld);
      }
    }
    metrics?.outputSent.inc({ output: 'stdout', status: 'ok' });
  };
  return {
    name: 'stdout',
    send(record: DriftRecord) {
      write(format === 'jsonl' ? `${JSON.stringify(record)}\n` : `${formatPretty(record, colour)}\n\n`);
    },
    sendJson(json: string) {
      write(format === 'jsonl' ? `${json}\n` : `${formatPretty(JSON.parse(json) as DriftRecord, colour)}\n\n`);
    },
    queueLength: () => 0,
    flush: () => {
      writeHeld();
      return new Promise((resolve) => (stream.writableNeedDrain ? stream.once('drain', () => resolve()) : resolve()));
    },
    close: async () => {},
  };
}
