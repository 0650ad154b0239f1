import type { Writable } from 'node:stream';
import type { DriftRecord } from '../model/drift.js';
import type { Metrics } from '../metrics/registry.js';
import type { Output } from './types.js';
import { formatPretty } from './pretty.js';

/** JSON lines (one record per line, for Promtail/Alloy/Fluent Bit) or a readable form. */
export function stdoutOutput(format: 'jsonl' | 'pretty', stream: Writable = process.stdout, metrics?: Metrics): Output {
  const colour = format === 'pretty' && 'isTTY' in stream && Boolean((stream as NodeJS.WriteStream).isTTY);
  return {
    name: 'stdout',
    send(record: DriftRecord) {
      stream.write(format === 'jsonl' ? `${JSON.stringify(record)}\n` : `${formatPretty(record, colour)}\n\n`);
      metrics?.outputSent.inc({ output: 'stdout', status: 'ok' });
    },
    queueLength: () => 0,
    flush: () => new Promise((resolve) => (stream.writableNeedDrain ? stream.once('drain', () => resolve()) : resolve())),
    close: async () => {},
  };
}
