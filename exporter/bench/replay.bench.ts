import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Metrics } from '../src/metrics/registry.js';
import { Pipeline } from '../src/pipeline.js';
import { allProviders } from '../src/providers/registry.js';
import { DriftLedger } from '../src/detect/ledger.js';
import { readInputFile } from '../src/ingest/records.js';
import { stdoutOutput } from '../src/outputs/stdout.js';
import { silentLogger } from '../src/util/logger.js';
import { loadReplayStates } from '../src/replay/states.js';
import { CloudTrailScanner } from '../src/archive/scan.js';
import { gunzipWhole } from '../src/archive/gzip.js';
import { benchArchive, type Archive } from './replay-data.js';
import type { Bench, BenchRow } from './harness.js';

/**
 * `npm run bench -- replay [--records N]` (default 1,000,000): the generated archive (replay-data.ts)
 * replayed from disk and from a loopback S3 peer (s3rver in a child process), against the floor
 * measured in the same run: gunzip + JSON.parse of the same objects on one thread. The floor
 * gunzips the way replay does (one output buffer sized from the gzip trailer, a third faster than
 * plain gunzipSync), so the ratio credits replay with nothing the floor could not do as well.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv;
const flag = argv.indexOf('--records');
const RECORDS = flag > 0 ? Number(argv[flag + 1]) : Number(process.env.TFDRIFT_BENCH_RECORDS ?? 1_000_000);
const sink = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });
const secs = (t: bigint): number => Number(process.hrtime.bigint() - t) / 1e9;

const BIN = path.join(here, '../bin/tfdrift.js');
/** Preloaded into each CLI run: the process's peak RSS (getrusage, all threads) on stderr at exit. */
const MAXRSS = `data:text/javascript,${encodeURIComponent("process.on('exit', () => process.stderr.write('MAXRSS ' + process.resourceUsage().maxRSS + '\\n'))")}`;

interface CliRun {
  s: number;
  rssMiB: number;
  drifts: number;
  records: number;
  stderr: string;
}

/** `tfdrift replay ARGS` as users run it (compiled, a process of its own); drift records to /dev/null. */
function cliReplay(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--import', MAXRSS, BIN, 'replay', ...args], { stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const s = secs(t);
      const summary = /(\d+) records: \d+ with drift \((\d+) drift record/.exec(stderr);
      const rss = /MAXRSS (\d+)/.exec(stderr);
      if (code !== 0 || !summary || !rss) return reject(new Error(`tfdrift replay exited ${code}: ${stderr.slice(-2000)}`));
      resolve({ s, rssMiB: Number(rss[1]) / 1024, records: Number(summary[1]), drifts: Number(summary[2]), stderr });
    });
  });
}

/** Runs `fn` in this process while sampling RSS every 50 ms; returns seconds and the largest RSS seen (MiB). */
async function measured(fn: () => Promise<unknown> | unknown): Promise<{ s: number; rss: number }> {
  let max = process.memoryUsage.rss();
  const timer = setInterval(() => (max = Math.max(max, process.memoryUsage.rss())), 50);
  const t = process.hrtime.bigint();
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  return { s: secs(t), rss: Math.max(max, process.memoryUsage.rss()) / 2 ** 20 };
}

function floor(a: Archive): { s: number; gunzipS: number; scanS: number } {
  let gunzipS = 0;
  let scanS = 0;
  const t = process.hrtime.bigint();
  for (const f of a.files) {
    const buf = readFileSync(path.join(a.dir, f));
    const g = process.hrtime.bigint();
    const bytes = gunzipWhole(buf);
    const text = bytes.toString('utf8');
    gunzipS += secs(g);
    JSON.parse(text);
    const sc = process.hrtime.bigint();
    // What replay's scanner does instead of decode + parse (on the same bytes): timed apart, not part of the floor.
    const scanner = new CloudTrailScanner(() => {}, { times: false });
    scanner.feed(bytes);
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
/** CPU seconds a process has used (Linux /proc; null elsewhere). */
function cpuSeconds(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime (fields 14 and 15 of the whole line), in clock ticks: 100 per second on Linux.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

async function startS3Peer(dir: string): Promise<{ url: string; stop: () => void; cpu: () => number | null }> {
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
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill(), cpu: () => cpuSeconds(child.pid) };
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
    if (!existsSync(path.join(here, '../dist/replay/run.js'))) throw new Error('replay bench runs the compiled CLI: npm run build first');
    const events = path.join(a.dir, 'AWSLogs');
    const cores = os.availableParallelism();

    const f = floor(a);
    rows.push({ name: 'floor: gunzip + JSON.parse, 1 thread', value: a.records / f.s, unit: 'records/s', note: `${f.s.toFixed(2)} s (gunzip and UTF-8 decoding ${f.gunzipS.toFixed(2)} s); replay's scanner alone on the same bytes ${f.scanS.toFixed(2)} s` });

    const bare = await cliReplay(['--state', a.stateFile, '--events', path.join(a.dir, a.files[0])]);
    rows.push({ name: 'start-up: one-object replay', value: bare.s, unit: 's', note: `RSS peak ${bare.rssMiB.toFixed(0)} MiB (modules, mapping tables, state)` });
    const par = await cliReplay(['--state', a.stateFile, '--events', events]);
    const readers = /read on (\d+) threads: the main thread read (\d+)/.exec(par.stderr);
    rows.push({ name: `replay CLI, ${cores} core(s) (auto workers)`, value: a.records / par.s, unit: 'records/s', note: `${(f.s / par.s).toFixed(2)} × floor; ${par.s.toFixed(2)} s wall incl. start-up; ${par.drifts} drifts; RSS peak ${par.rssMiB.toFixed(0)} MiB; ${readers ? `${readers[1]} reading threads, the main thread read ${readers[2]} of ${a.files.length} objects` : 'main thread only'}` });
    const single = await cliReplay(['--state', a.stateFile, '--events', events, '--workers', '0']);
    rows.push({ name: 'replay CLI, main thread only (--workers 0)', value: a.records / single.s, unit: 'records/s', note: `${(f.s / single.s).toFixed(2)} × floor; ${single.s.toFixed(2)} s; RSS peak ${single.rssMiB.toFixed(0)} MiB` });
    if (single.drifts !== par.drifts || single.records !== par.records) throw new Error(`single-threaded and parallel runs disagree: ${single.drifts} vs ${par.drifts} drifts`);
    // Every generated record names its account (recipientAccountId): all no_state_for_account are decided unread.
    const unread = ['read_only', 'failed_call', 'no_state_for_account'].reduce((n, r) => n + Number(new RegExp(`${r}=(\\d+)`).exec(par.stderr)?.[1] ?? 0), 0);
    rows.push({ name: 'records parsed', value: a.records - unread, unit: 'records', note: `${(((a.records - unread) / a.records) * 100).toFixed(1)}%; the rest decided on their own top-level keys, never decoded (read-only, failed, an account without state)` });

    if (!argv.includes('--no-before')) {
      let drifts = 0;
      const old = await measured(async () => (drifts = await before(a)));
      rows.push({ name: 'before: whole files, every record through the pipeline', value: a.records / old.s, unit: 'records/s', note: `${(f.s / old.s).toFixed(2)} × floor; ${old.s.toFixed(2)} s; RSS max ${old.rss.toFixed(0)} MiB; ${drifts} drifts` });
    }

    if (!argv.includes('--no-s3')) await s3Rows(a, f.s, par.drifts, rows);
    return rows;
  },
};

/** The same archive served by s3rver; a failure of the peer is reported as a row, not lost with the others. */
async function s3Rows(a: Archive, floorS: number, drifts: number, rows: BenchRow[]): Promise<void> {
  try {
    {
      const dataDir = `${a.dir}-s3rver`;
      const peer = await startS3Peer(dataDir);
      try {
        const t = process.hrtime.bigint();
        await upload(a, peer.url);
        const uploadS = secs(t);
        const env = { ...process.env, AWS_ENDPOINT_URL_S3: peer.url, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };
        const peerCpu = peer.cpu();
        const s3 = await cliReplay(['--state', a.stateFile, '--events', 's3://bench-trail/AWSLogs/'], env);
        const peerUsed = peerCpu === null ? null : (peer.cpu() ?? peerCpu) - peerCpu;
        const fetch = /S3: .*$/m.exec(s3.stderr)?.[0] ?? '';
        rows.push({ name: 'replay CLI from S3 (s3rver, loopback, child process)', value: a.records / s3.s, unit: 'records/s', note: `${(floorS / s3.s).toFixed(2)} × floor; ${s3.s.toFixed(2)} s; RSS peak ${s3.rssMiB.toFixed(0)} MiB; upload ${uploadS.toFixed(0)} s${peerUsed === null ? '' : `; the peer itself used ${peerUsed.toFixed(1)} s of this machine's CPU serving the GETs`}` });
        rows.push({ name: 'S3 object fetch (same run)', value: Number(/readers waited ([\d.]+) s/.exec(fetch)?.[1] ?? NaN), unit: 's waited', note: fetch.replace(/^S3: /, '') });
        if (s3.drifts !== drifts) throw new Error(`S3 and disk runs disagree: ${s3.drifts} vs ${drifts} drifts`);
      } finally {
        peer.stop();
      }
    }
  } catch (err) {
    rows.push({ name: 'replay from S3 (s3rver)', value: 0, unit: 'failed', note: (err as Error).message });
  }
}
export default bench;
