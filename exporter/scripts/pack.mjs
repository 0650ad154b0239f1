#!/usr/bin/env node
// `npm pack` of the exporter, installable on its own (`npm install --omit=dev tfdrift-x.y.z.tgz`).
// What the package needs from elsewhere in the repository is copied in for the pack:
// @tfdrift/alert-rules (a workspace; bundled, see bundleDependencies) and the Falco proto files
// (../proto → proto/, found by src/ingest/proto.ts).
//
//   node scripts/pack.mjs prepare      (prepack)  build alert-rules, copy both into exporter/
//   node scripts/pack.mjs cleanup      (postpack) remove the copies (development uses the workspace link)
//   node scripts/pack.mjs stage DIR    the package's files plus both copies in DIR, from the current
//                                      builds, nothing written in exporter/ (the packed-tarball test)
import { execFileSync } from 'node:child_process';
import { cpSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, rmdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const EXPORTER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPO = path.resolve(EXPORTER, '..');
const ALERT_RULES = path.join(REPO, 'packages/alert-rules');
const bundled = (dir) => path.join(dir, 'node_modules/@tfdrift/alert-rules');

function cleanup(dir) {
  // Only a copy made here: never the workspace symlink npm may have put in the same place.
  let isCopy = false;
  try {
    isCopy = !lstatSync(bundled(dir)).isSymbolicLink();
  } catch {
    isCopy = false;
  }
  if (isCopy) rmSync(bundled(dir), { recursive: true, force: true });
  try {
    rmdirSync(path.dirname(bundled(dir))); // the @tfdrift scope, when nothing else is in it
  } catch {
    // not empty or not there
  }
  rmSync(path.join(dir, 'proto'), { recursive: true, force: true });
}

function copyIn(dir) {
  cleanup(dir);
  mkdirSync(bundled(dir), { recursive: true });
  for (const f of ['package.json', 'README.md', 'dist']) cpSync(path.join(ALERT_RULES, f), path.join(bundled(dir), f), { recursive: true });
  mkdirSync(path.join(dir, 'proto'), { recursive: true });
  for (const f of readdirSync(path.join(REPO, 'proto')).filter((x) => x.endsWith('.proto'))) cpSync(path.join(REPO, 'proto', f), path.join(dir, 'proto', f));
}

function stage(dir) {
  const manifest = JSON.parse(readFileSync(path.join(EXPORTER, 'package.json'), 'utf8'));
  mkdirSync(dir, { recursive: true });
  cpSync(path.join(EXPORTER, 'package.json'), path.join(dir, 'package.json'));
  for (const f of manifest.files.filter((x) => x !== 'proto')) cpSync(path.join(EXPORTER, f), path.join(dir, f), { recursive: true });
  copyIn(dir);
}

const [step, dir] = process.argv.slice(2);
if (step === 'prepare') {
  execFileSync('npm', ['run', 'build'], { cwd: ALERT_RULES, stdio: ['ignore', 'ignore', 'inherit'] });
  copyIn(EXPORTER);
} else if (step === 'cleanup') cleanup(EXPORTER);
else if (step === 'stage' && dir) stage(path.resolve(dir));
else {
  process.stderr.write('usage: node scripts/pack.mjs prepare | cleanup | stage DIR\n');
  process.exit(2);
}
