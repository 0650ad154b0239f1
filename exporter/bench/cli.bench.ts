import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bench, BenchRow } from './harness.js';

/**
 * CLI start-up: each command as a user runs it (`node bin/tfdrift.js …`, a fresh process) against
 * the floor `node -e 0`, interleaved in rounds so both see the same machine load. Median of 10.
 * CLI_BENCH_BIN=/other/bin/tfdrift.js measures another build (e.g. before a change).
 */
const EXPORTER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = process.env.CLI_BENCH_BIN ?? path.join(EXPORTER, 'bin/tfdrift.js');
const ROUNDS = Number(process.env.CLI_BENCH_ROUNDS ?? 10);

// TFDRIFT_* variables are configuration overrides: the commands run without any.
const CHILD_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TFDRIFT_')));

const CASES: { name: string; args: string[]; expect: RegExp }[] = [
  { name: 'tfdrift --version', args: ['--version'], expect: /^\d+\.\d+\.\d+/ },
  { name: 'tfdrift --help', args: ['--help'], expect: /Usage: tfdrift/ },
  { name: 'tfdrift config check', args: ['config', 'check', '--config', path.join(EXPORTER, 'config.example.yaml')], expect: /configuration is valid/ },
  {
    name: 'tfdrift replay (1 record, 1 state)',
    args: ['replay', '--state', path.join(EXPORTER, 'demo/states/network-prod.tfstate'), '--events', path.join(EXPORTER, 'demo/events/01-sg-open-port-22.json')],
    expect: /"event_type":"terraform_drift_detected"/,
  },
];

/** CPU time of waited-for children so far (Linux /proc; null elsewhere), in ms. */
function childrenCpuMs(): number | null {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /, '').split(' ');
    // After "pid (comm) ": state is field 3, so cutime (16) and cstime (17) are at indexes 13 and 14.
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return null;
  }
}

function timeOnce(args: string[], expect: RegExp | null): { wallMs: number; cpuMs: number | null } {
  const cpu0 = childrenCpuMs();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: EXPORTER, encoding: 'utf8', env: CHILD_ENV });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu1 = childrenCpuMs();
  if (expect && !(expect.test(r.stdout) || expect.test(r.stderr))) throw new Error(`node ${args.join(' ')} did not print ${expect} (exit ${r.status}):\n${r.stderr.slice(-1000)}`);
  return { wallMs, cpuMs: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0 };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const bench: Bench = {
  name: `cli: start-up of each command vs bare node -e 0 (median of ${ROUNDS}, fresh process each)`,
  async run(): Promise<BenchRow[]> {
    const floor: { wall: number[]; cpu: number[] } = { wall: [], cpu: [] };
    const runs = CASES.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
    timeOnce(['-e', '0'], null); // warm the file cache
    for (const c of CASES) timeOnce([BIN, ...c.args], c.expect);
    for (let round = 0; round < ROUNDS; round++) {
      const f = timeOnce(['-e', '0'], null);
      floor.wall.push(f.wallMs);
      if (f.cpuMs !== null) floor.cpu.push(f.cpuMs);
      CASES.forEach((c, i) => {
        const r = timeOnce([BIN, ...c.args], c.expect);
        runs[i].wall.push(r.wallMs);
        if (r.cpuMs !== null) runs[i].cpu.push(r.cpuMs);
      });
    }
    const floorWall = median(floor.wall);
    const cpu = (xs: number[]): string => (xs.length ? `, CPU ${Math.round(median(xs))} ms` : '');
    const rows: BenchRow[] = [{ name: 'node -e 0 (floor)', value: floorWall, unit: 'ms wall', note: `min ${Math.round(Math.min(...floor.wall))} ms${cpu(floor.cpu)}` }];
    CASES.forEach((c, i) => {
      const wall = median(runs[i].wall);
      rows.push({ name: c.name, value: wall, unit: 'ms wall', note: `${(wall / floorWall).toFixed(2)} × node -e 0; min ${Math.round(Math.min(...runs[i].wall))} ms${cpu(runs[i].cpu)}` });
    });
    if (process.env.CLI_BENCH_BIN) rows.push({ name: `measured build: ${BIN}`, value: NaN, unit: '', note: '' });
    return rows;
  },
};

export default bench;
