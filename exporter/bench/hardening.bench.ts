import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileGlob } from '../src/detect/glob.js';
import type { Bench, BenchRow } from './harness.js';

/**
 * Issue 16 figures: the slowest pathological glob match (against a linear floor: one `indexOf` scan
 * of the same value), and N distinct unmanaged alerts through the pipeline with the open-drift bound (RSS
 * against the same process's RSS before the first alert). `BENCH_OPEN_DRIFTS` sets N (default 1,000,000; 0 skips it).
 */
const dir = path.dirname(fileURLToPath(import.meta.url));

function time(fn: () => void, reps: number): number {
  const t = performance.now();
  for (let i = 0; i < reps; i++) fn();
  return (performance.now() - t) / reps;
}

function globRows(): BenchRow[] {
  const cases: [string, string][] = [];
  for (const stars of [10, 20, 40])
    for (const len of [40, 1000, 10_000, 100_000]) {
      cases.push([`*${'a*'.repeat(stars)}b`, 'a'.repeat(len)]); // the example, scaled
      cases.push([`*${'a?*'.repeat(stars)}b`, 'ab'.repeat(len / 2)]);
      cases.push([`${'?'.repeat(stars)}*${'ab*'.repeat(stars)}c`, `${'ab'.repeat(len / 2)}`]);
    }
  let worst = { ms: 0, glob: '', len: 0, floor: 0 };
  for (const [glob, value] of cases) {
    const g = compileGlob(glob);
    const reps = value.length > 10_000 ? 5 : 50;
    const ms = time(() => g.test(value), reps);
    if (ms > worst.ms) worst = { ms, glob, len: value.length, floor: time(() => value.indexOf('\u0000'), reps) };
  }
  return [
    { name: 'glob: slowest pathological match', value: worst.ms, unit: 'ms', note: `${worst.glob.length}-char glob with ${worst.glob.split('*').length - 1} stars, ${worst.len.toLocaleString('en-US')}-char value; floor (indexOf scan) ${worst.floor.toFixed(4)} ms → ${(worst.ms / Math.max(worst.floor, 1e-6)).toFixed(0)} ×` },
    { name: 'glob: issue example (10 stars, 40 a)', value: time(() => compileGlob(`*${'a*'.repeat(10)}b`).test('a'.repeat(40)), 10_000) * 1000, unit: 'µs', note: 'was 30 s with the regex' },
  ];
}

function openDriftRows(): BenchRow[] {
  const total = Number(process.env.BENCH_OPEN_DRIFTS ?? 1_000_000);
  if (total === 0) return []; // BENCH_OPEN_DRIFTS=0: glob figures only
  // The child imports the compiled build (what the image runs).
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: path.join(dir, '..'), stdio: 'inherit' });
  const heapCap = Number(process.env.BENCH_HEAP_MB ?? 192);
  const run = spawnSync(process.execPath, [`--max-old-space-size=${heapCap}`, '--expose-gc', path.join(dir, 'open-drifts-child.mjs'), String(total)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) throw new Error(`open-drifts child failed: ${run.stderr}`);
  const r = JSON.parse(run.stdout.trim().split('\n').pop() as string) as Record<string, number>;
  return [
    { name: `open drifts: ${total.toLocaleString('en-US')} distinct unmanaged alerts`, value: r.total / r.seconds, unit: 'alerts/s', note: `${r.seconds.toFixed(0)} s; ${r.open.toLocaleString('en-US')} open (max_open_drifts ${r.maxOpen.toLocaleString('en-US')}), ${r.evicted.toLocaleString('en-US')} evicted` },
    { name: 'open drifts: peak RSS', value: r.rssPeakMb, unit: 'MB', note: `${(r.rssPeakMb / r.rssStartMb).toFixed(2)} × RSS before the first alert (${r.rssStartMb.toFixed(0)} MB); node --max-old-space-size=${heapCap}` },
    { name: 'open drifts: heap after GC', value: r.heapAfterGcMb, unit: 'MB', note: `${(r.heapAfterGcMb - r.heapStartMb).toFixed(0)} MB above start for ${r.open.toLocaleString('en-US')} open drifts` },
    { name: 'open drifts: files on disk', value: r.onDiskMb, unit: 'MB', note: 'open-drifts.json + journal after the run' },
  ];
}

const bench: Bench = {
  name: 'hardening (issue 16)',
  async run() {
    return [...globRows(), ...openDriftRows()];
  },
};
export default bench;
