import { spawn, type ChildProcess } from 'node:child_process';
import { demoRecords } from '../../src/cli/commands/demo.js';
import { EXPORTER_DIR, waitFor } from '../helpers/cli.js';
import { corpusCloudTrail } from './corpus.js';

/** Resolves once `cond` holds, checking after each turn of the event loop's timers (20 ms); rejects after `timeoutMs`. */
export async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 60_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The demo's and the corpus's real CloudTrail records, one per eventID. */
export async function cloudTrailRecords(): Promise<Record<string, unknown>[]> {
  const seen = new Set<string>();
  const out: Record<string, unknown>[] = [];
  for (const r of [...demoRecords(), ...(await corpusCloudTrail())]) {
    const id = String(r.eventID);
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(r);
  }
  return out;
}

/** The exporter as a child process (test/ingest/queue-child.ts); stdout collects its drift records. */
export async function startChild(storageDir: string, overrides: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'test/ingest/queue-child.ts'], {
    cwd: EXPORTER_DIR,
    env: { ...process.env, ...env, STORAGE_DIR: storageDir, CONFIG_JSON: JSON.stringify(overrides) },
  });
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  await waitFor(child.stderr!, /READY (\S+)/, 60_000);
  return {
    records: () => stdout.split('\n').filter((l) => l.endsWith('}')).map((l) => JSON.parse(l) as { drift_id: string }),
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
