import { closeSync, existsSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { DriftRecord } from '../model/drift.js';
import type { Metrics } from '../metrics/registry.js';
import type { Logger } from '../util/logger.js';
import { errorMessage } from '../util/errors.js';
import type { FileConfig } from './config.js';
import type { Output } from './types.js';

/**
 * JSON lines to a file for Promtail/Alloy/Fluent Bit. Rotates by renaming (path → path.1 → … path.N),
 * which is what those tailers follow; writes are synchronous so a record is in the file when send returns.
 */
export function fileOutput(cfg: FileConfig, metrics?: Metrics, log?: Logger): Output {
  mkdirSync(path.dirname(path.resolve(cfg.path)), { recursive: true });
  let fd: number | null = openSync(cfg.path, 'a');
  let size = fstatSync(fd).size;

  const rotate = (): void => {
    if (fd !== null) closeSync(fd);
    if (cfg.max_files === 0) rmSync(cfg.path, { force: true });
    else {
      rmSync(`${cfg.path}.${cfg.max_files}`, { force: true });
      for (let i = cfg.max_files - 1; i >= 1; i--) if (existsSync(`${cfg.path}.${i}`)) renameSync(`${cfg.path}.${i}`, `${cfg.path}.${i + 1}`);
      renameSync(cfg.path, `${cfg.path}.1`);
    }
    fd = openSync(cfg.path, 'a');
    size = 0;
  };

  return {
    name: 'file',
    send(record: DriftRecord) {
      const line = `${JSON.stringify(record)}\n`;
      const bytes = Buffer.byteLength(line);
      try {
        if (fd === null) throw new Error('file output is closed');
        if (size > 0 && size + bytes > cfg.max_bytes) rotate();
        writeSync(fd!, line);
        size += bytes;
        metrics?.outputSent.inc({ output: 'file', status: 'ok' });
      } catch (err) {
        metrics?.outputSent.inc({ output: 'file', status: 'error' });
        log?.error('file output: write failed', { path: cfg.path, error: errorMessage(err) });
      }
    },
    queueLength: () => 0,
    flush: async () => {},
    close: async () => {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}
