import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { DriftRecord } from '../../src/model/drift.js';
import type { Output } from '../../src/outputs/types.js';
import { main } from '../../src/cli/main.js';
import { runReplay, type ReplayOptions } from '../../src/replay/run.js';

/** A capture output: the drift records replay would print, in order. */
export function captureOutput(): { output: Output; records: DriftRecord[] } {
  const records: DriftRecord[] = [];
  return { records, output: { name: 'capture', send: (r) => void records.push(r), queueLength: () => 0, flush: async () => {}, close: async () => {} } };
}

/** Records without the one field that depends on the clock. */
export function comparable(records: DriftRecord[]): unknown[] {
  return records.map((r) => ({ ...r, detected_at: null }));
}

/** Replay in-process with stderr captured. */
export async function replayCaptured(opts: Partial<ReplayOptions> & Pick<ReplayOptions, 'state' | 'events'>) {
  const { output, records } = captureOutput();
  const stderr: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => (stderr.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    const { summary, exitCode } = await runReplay({ format: 'auto', output: 'jsonl', ...opts }, output);
    return { records, summary, exitCode, stderr: stderr.join('') };
  } finally {
    process.stderr.write = write;
  }
}

/** The CLI in-process (`tfdrift ARGS`): exit code, stdout and stderr, as a user sees them. */
export async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const wOut = process.stdout.write.bind(process.stdout);
  const wErr = process.stderr.write.bind(process.stderr);
  const before = process.exitCode;
  process.exitCode = undefined;
  process.stdout.write = ((chunk: string | Uint8Array) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    await main(['node', 'tfdrift', ...args]);
    return { code: Number(process.exitCode ?? 0), stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = wOut;
    process.stderr.write = wErr;
    process.exitCode = before;
  }
}

export const ACCOUNT = '123456789012';

/** CloudTrail's object key for a delivery: AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_xxxx.json.gz */
export function archiveKey(account: string, region: string, delivered: Date, unique: string, org?: string): string {
  const iso = delivered.toISOString();
  const [y, m, d] = [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10)];
  const stamp = `${y}${m}${d}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
  return `AWSLogs/${org ? `${org}/` : ''}${account}/CloudTrail/${region}/${y}/${m}/${d}/${account}_CloudTrail_${region}_${stamp}_${unique.padEnd(16, '0').slice(0, 16)}.json.gz`;
}

/** One CloudTrail log file body, as CloudTrail writes it (gzip of {"Records":[...]}). */
export function logFile(records: unknown[]): Buffer {
  return gzipSync(JSON.stringify({ Records: records }));
}

/** Writes objects under a local folder with the archive layout; returns the keys written. */
export function writeLocalArchive(root: string, objects: { key: string; body: Buffer }[]): string[] {
  for (const o of objects) {
    const file = path.join(root, o.key);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, o.body);
  }
  return objects.map((o) => o.key);
}
