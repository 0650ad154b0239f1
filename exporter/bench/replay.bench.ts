import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Metrics } from '../src/metrics/registry.js';
import { Pipeline } from '../src/pipeline.js';
import { allProviders } from '../src/providers/registry.js';
import { DriftLedger } from '../src/detect/ledger.js';
import { readInputFile } from '../src/ingest/records.js';
import { stdoutOutput } from '../src/outputs/stdout.js';
import { silentLogger } from '../src/util/logger.js';
import { loadReplayStates } from '../src/replay/states.js';
import { CloudTrailScanner } from '../src/replay/scan.js';
import type * as ReplayRun from '../src/replay/run.js';
import { benchArchive, type Archive } from './replay-data.js';
import type { Bench, BenchRow } from './harness.js';

/**
 * `npm run bench -- replay [--records N]` (default 1,000,000): the generated archive (replay-data.ts)
 * replayed from disk and from a loopback S3 peer (s3rver in a child process), against the floor
 * measured in the same run: gunzip + JSON.parse of the same objects on one thread.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv;
const flag = argv.indexOf('--records');
const RECORDS = flag > 0 ? Number(argv[flag + 1]) : Number(process.env.TFDRIFT_BENCH_RECORDS ?? 1_000_000);
const sink = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });
const secs = (t: bigint): number => Number(process.hrtime.bigint() - t) / 1e9;

/** The compiled replay when built (what users run; its workers load compiled code), else the sources. */
async function replayModule(): Promise<{ mod: typeof ReplayRun; compiled: boolean }> {
  const dist = path.join(here, '../dist/replay/run.js');
  if (existsSync(dist)) return { mod: (await import(pathToFileURL(dist).href)) as typeof ReplayRun, compiled: true };
  return { mod: await import('../src/replay/run.js'), compiled: false };
}

/** Resets the kernel's peak-RSS mark (Linux), so VmHWM covers only what follows. */
function resetPeak(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // not Linux, or not allowed: the sampled maximum still stands
  }
}
function peakRssMiB(): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Runs `fn` while sampling RSS every 50 ms; returns seconds and the largest RSS seen (MiB). */
async function measured(fn: () => Promise<unknown> | unknown): Promise<{ s: number; rss: number; peak: number | null }> {
  resetPeak();
  let max = process.memoryUsage.rss();
  const timer = setInterval(() => (max = Math.max(max, process.memoryUsage.rss())), 50);
  const t = process.hrtime.bigint();
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  const s = secs(t);
  max = Math.max(max, process.memoryUsage.rss());
  return { s, rss: max / 2 ** 20, peak: peakRssMiB() };
}

function floor(a: Archive): { s: number; gunzipS: number; scanS: number } {
  let gunzipS = 0;
  let scanS = 0;
  const t = process.hrtime.bigint();
  for (const f of a.files) {
    const buf = readFileSync(path.join(a.dir, f));
    const g = process.hrtime.bigint();
    const text = gunzipSync(buf).toString('utf8');
    gunzipS += secs(g);
    JSON.parse(text);
    const sc = process.hrtime.bigint();
    const scanner = new CloudTrailScanner(() => {});
    scanner.feed(text);
    scanS += secs(sc);
  }
  return { s: secs(t) - scanS, gunzipS, scanS };
}

/** Replay as it was before this room: whole files, every record parsed and sent through the pipeline. */
async function before(a: Archive): Promise<number> {
  const states = await loadReplayStates([a.stateFile], { warn: () => {} });
  const metrics = new Metrics({ defaultMetrics: false });
  const providers = allProviders();
  const pipeline = new Pipeline({ providers, states, outputs: [stdoutOutput('jsonl', sink())], metrics, log: silentLogger(), ledger: new DriftLedger(Number.MAX_SAFE_INTEGER) });
  let drifts = 0;
  for (const f of a.files)
    for (const item of await readInputFile(path.join(a.dir, f), 'auto')) {
      if (item.kind !== 'record') continue;
      const o = pipeline.processRecord(providers.find((p) => p.id === item.provider)!, item.value, 'file');
      if (o.status === 'drift') drifts += o.records.length;
    }
  return drifts;
}

/** s3rver in a child process (its own event loop and core time, as a real S3 would be). */
async function startS3Peer(dir: string): Promise<{ url: string; stop: () => void }> {
  const code = `import S3rver from 's3rver';
    const s = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: ${JSON.stringify(dir)}, configureBuckets: [{ name: 'bench-trail' }] });
    const { port } = await s.run(); process.stdout.write('PORT ' + port + '\\n');`;
  // s3rver's continuation tokens use a cipher OpenSSL 3 keeps in its legacy provider (listings over 1,000 keys).
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '--input-type=module', '-e', code], { cwd: path.join(here, '..'), stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (c) => reject(new Error(`s3rver exited (${c})`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

async function upload(a: Archive, url: string): Promise<void> {
  const client = new S3Client({ region: 'us-east-1', endpoint: url, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < a.files.length) {
        const f = a.files[next++];
        await client.send(new PutObjectCommand({ Bucket: 'bench-trail', Key: f, Body: readFileSync(path.join(a.dir, f)) }));
      }
    }),
  );
  client.destroy();
}

const bench: Bench = {
  name: `replay: generated CloudTrail archive (${RECORDS.toLocaleString('en-US')} records, 70% read-only, 5% failed, 25% writes)`,
  async run() {
    const rows: BenchRow[] = [];
    const t = process.hrtime.bigint();
    const a = benchArchive(RECORDS);
    const perObject = Math.round(a.records / a.files.length);
    rows.push({ name: 'archive', value: a.files.length, unit: 'objects', note: `${perObject} records/object, ${(a.gzBytes / a.files.length / 1024).toFixed(0)} KiB gz / ${(a.bytes / a.files.length / 1024).toFixed(0)} KiB JSON each (ready in ${secs(t).toFixed(1)} s)` });
    const { mod, compiled } = await replayModule();
    const run = (opts: Partial<ReplayRun.ReplayOptions>) => () =>
      mod.runReplay({ state: [a.stateFile], events: [path.join(a.dir, 'AWSLogs')], format: 'auto', output: 'jsonl', quiet: true, ...opts }, stdoutOutput('jsonl', sink()));

    const f = floor(a);
    rows.push({ name: 'floor: gunzip + JSON.parse, 1 thread', value: a.records / f.s, unit: 'records/s', note: `${f.s.toFixed(2)} s (gunzip ${f.gunzipS.toFixed(2)} s); scanner alone ${f.scanS.toFixed(2)} s` });

    let result: Awaited<ReturnType<typeof mod.runReplay>> | null = null;
    const cores = os.availableParallelism();
    const par = await measured(async () => (result = await run({})()));
    const parSummary = result!.summary;
    rows.push({ name: `replay, ${cores} core(s) (auto workers)`, value: a.records / par.s, unit: 'records/s', note: `${(f.s / par.s).toFixed(2)} × floor; ${par.s.toFixed(2)} s; ${parSummary.drifts} drifts; RSS max ${par.rss.toFixed(0)} MiB sampled${par.peak ? `, ${par.peak.toFixed(0)} MiB peak (VmHWM)` : ''}` });
    const single = await measured(async () => (result = await run({ workers: 0 })()));
    rows.push({ name: 'replay, main thread only (--workers 0)', value: a.records / single.s, unit: 'records/s', note: `${(f.s / single.s).toFixed(2)} × floor; ${single.s.toFixed(2)} s; RSS max ${single.rss.toFixed(0)} MiB` });
    if (result!.summary.drifts !== parSummary.drifts) throw new Error(`single-threaded and parallel runs disagree: ${result!.summary.drifts} vs ${parSummary.drifts} drifts`);
    const evaluated = a.records - Object.entries(parSummary.byReason).filter(([r]) => ['read_only', 'failed_call', 'unmapped', 'not_mutating'].includes(r)).reduce((n, [, c]) => n + c, 0);
    rows.push({ name: 'records reaching detection (main thread)', value: evaluated, unit: 'records', note: `${((evaluated / a.records) * 100).toFixed(1)}%; the rest dropped in workers (read-only/failed before JSON.parse)` });

    if (!argv.includes('--no-before')) {
      let drifts = 0;
      const old = await measured(async () => (drifts = await before(a)));
      rows.push({ name: 'before: whole files, every record through the pipeline', value: a.records / old.s, unit: 'records/s', note: `${(f.s / old.s).toFixed(2)} × floor; ${old.s.toFixed(2)} s; RSS max ${old.rss.toFixed(0)} MiB; ${drifts} drifts` });
    }

    if (!argv.includes('--no-s3')) await s3Rows(a, f.s, parSummary.drifts, run, rows);
    rows.push({ name: 'worker code', value: compiled ? 1 : 0, unit: compiled ? 'compiled (dist/)' : 'TypeScript via tsx' });
    return rows;
  },
};

type Runner = (opts: Partial<ReplayRun.ReplayOptions>) => () => Promise<{ summary: ReplayRun.ReplaySummary; exitCode: number }>;

/** The same archive served by s3rver; a failure of the peer is reported as a row, not lost with the others. */
async function s3Rows(a: Archive, floorS: number, drifts: number, run: Runner, rows: BenchRow[]): Promise<void> {
  let result: { summary: ReplayRun.ReplaySummary } | null = null;
  try {
    {
      const dataDir = `${a.dir}-s3rver`;
      const peer = await startS3Peer(dataDir);
      try {
        const t = process.hrtime.bigint();
        await upload(a, peer.url);
        const uploadS = secs(t);
        const env = { ...process.env };
        Object.assign(process.env, { AWS_ENDPOINT_URL_S3: peer.url, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' });
        try {
          const s3 = await measured(async () => (result = await run({ events: ['s3://bench-trail/AWSLogs/'] })()));
          const sum = result!.summary;
          rows.push({
            name: 'replay from S3 (s3rver, loopback, child process)', value: a.records / s3.s, unit: 'records/s',
            note: `${(floorS / s3.s).toFixed(2)} × floor; ${s3.s.toFixed(2)} s; GETs ${(sum.fetchMs / 1000).toFixed(1)} s summed over 16 in flight, waited on ${(sum.fetchWaitMs / 1000).toFixed(2)} s; RSS max ${s3.rss.toFixed(0)} MiB; upload ${uploadS.toFixed(0)} s`,
          });
          if (sum.drifts !== drifts) throw new Error(`S3 and disk runs disagree: ${sum.drifts} vs ${drifts} drifts`);
        } finally {
          process.env = env;
        }
      } finally {
        peer.stop();
      }
    }
  } catch (err) {
    rows.push({ name: 'replay from S3 (s3rver)', value: 0, unit: 'failed', note: (err as Error).message });
  }
}
export default bench;
