import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const EXPORTER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(EXPORTER_DIR, 'bin/tfdrift.js');
export const DEMO_STATES = path.join(EXPORTER_DIR, 'demo/states');
export const DEMO_EVENTS = path.join(EXPORTER_DIR, 'demo/events');
export const CORPUS = path.join(EXPORTER_DIR, 'test/fixtures/corpus');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (dist/) as a user would. */
export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? EXPORTER_DIR, env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd: EXPORTER_DIR, env: { ...process.env, ...env } });
}

/**
 * Resolves with the first regex match on the stream's accumulated text; rejects at once when the
 * stream ends without it (the child exited), so `timeoutMs` is only a guard against a hang.
 */
export function waitFor(stream: NodeJS.ReadableStream, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; got:\n${text.slice(-2000)}`)), timeoutMs);
    stream.on('data', (d: Buffer) => {
      text += d.toString();
      const m = text.match(pattern);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    stream.on('end', () => {
      clearTimeout(timer);
      reject(new Error(`the stream ended (process exited?) before ${pattern}; got:\n${text.slice(-2000)}`));
    });
  });
}

/**
 * Runs a command in this process (no Node start-up, no child to wait for) with its output
 * captured: for tests of what a command prints and returns, where the process boundary is not the point.
 */
export async function runCliInProcess(args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const { runCli: run } = await import('../../src/cli/main.js');
  let stdout = '';
  let stderr = '';
  const code = await run(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: { ...process.env, ...opts.env } });
  return { code, stdout, stderr };
}
