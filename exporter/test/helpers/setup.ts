import { execFileSync } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { EXPORTER_DIR } from './cli.js';

/** CLI tests run the compiled bin; rebuild when any source is newer than dist (local runs). */
export default function setup(): void {
  const dist = path.join(EXPORTER_DIR, 'dist/cli/main.js');
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
      const p = path.join(dir, e.name);
      return Math.max(m, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
    }, 0);
  const rebuilt = !existsSync(dist) || newest(path.join(EXPORTER_DIR, 'src')) > statSync(dist).mtimeMs;
  if (rebuilt) {
    try {
      execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: EXPORTER_DIR, stdio: 'inherit' });
    } catch {
      // tsc still emits what compiles; CLI tests then fail on their own if the break matters.
      process.stderr.write('warning: tsc reported errors while refreshing dist/ for CLI tests\n');
    }
  }
  // The compiled mapping tables (the rest of `npm run build`) when a table or the code changed.
  const compiled = path.join(EXPORTER_DIR, 'dist/mappings.json');
  if (rebuilt || !existsSync(compiled) || newest(path.join(EXPORTER_DIR, 'mappings')) > statSync(compiled).mtimeMs) {
    try {
      execFileSync(process.execPath, ['scripts/compile-mappings.mjs'], { cwd: EXPORTER_DIR, stdio: 'inherit' });
    } catch {
      // A table that does not parse: the tests reading it report where.
      process.stderr.write('warning: the mapping tables did not compile; tests read the YAML\n');
    }
  }
}
