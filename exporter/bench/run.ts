import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';
import { printTable, type Bench } from './harness.js';

/** Runs every bench/*.bench.ts (or those named on the command line) and prints a table each. */
const dir = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
// Bench names filter; `--flag value` pairs are options of a bench (e.g. `replay --records 200000`).
const only = args.filter((a, i) => !a.startsWith('-') && !(args[i - 1]?.startsWith('--') && /^\d+$/.test(a)));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
process.stdout.write(`# tfdrift benchmarks\n\nnode ${process.version}, ${os.cpus().length} CPU(s) ${os.cpus()[0]?.model ?? ''}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${new Date().toISOString()}\n`);
for (const f of files) {
  const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as { default: Bench };
  const started = Date.now();
  const rows = await mod.default.run();
  printTable(`${mod.default.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`, rows);
}
