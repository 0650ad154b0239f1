import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';
import { printTable, type Bench } from './harness.js';

/** Runs every bench/*.bench.ts (or those named on the command line) and prints a table each. */
const dir = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort();
const benchName = (f: string): string => f.replace(/\.bench\.ts$/, '');

if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(`Usage: npm run bench [-- NAME...]      (from the repository root or exporter/)

Runs the exporter's benchmarks and prints one Markdown table each, with every figure next to a
floor measured in the same run (a bare server, node -e 0, a parse-only pass).

  NAME   run only the benchmarks whose name contains NAME (default: all)
         available: ${available.map(benchName).join(', ')}

Examples:
  npm run bench -- cli          CLI start-up: --version, --help, config check, a one-record replay vs node -e 0
  npm run bench -- ingest state

Prerequisites: wrk (HTTP load generator; Debian/Ubuntu: apt-get install -y wrk) for the HTTP rows of
the ingest benchmark (they are reported as skipped without it). Run on a quiet machine: other load
changes the absolute figures more than the ratios.

Environment: CLI_BENCH_BIN=path/to/bin/tfdrift.js measures another build in the cli benchmark.
`);
  process.exit(0);
}
// Words naming a benchmark select it; options (and their values) are left for the benchmarks to read.
const names = args.filter((a) => !a.startsWith('-') && available.some((f) => f.includes(a)));
const files = available.filter((f) => names.length === 0 || names.some((o) => f.includes(o)));
if (names.length === 0 && args.length > 0 && !args.some((a) => a.startsWith('-'))) {
  process.stderr.write(`bench: no benchmark matches ${args.join(' ')} (available: ${available.map(benchName).join(', ')})\n`);
  process.exit(2);
}
process.stdout.write(`# tfdrift benchmarks\n\nnode ${process.version}, ${os.cpus().length} CPU(s) ${os.cpus()[0]?.model ?? ''}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, ${new Date().toISOString()}\n`);
for (const f of files) {
  const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as { default: Bench };
  const started = Date.now();
  const rows = await mod.default.run();
  printTable(`${mod.default.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`, rows);
}
