#!/usr/bin/env node
// The CLI entry; compiled code lives in dist/ (built by `npm ci` through the prepare script).
import module from 'node:module';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // What `tfdrift --version` prints anyway, without loading the CLI (scripts call it often).
  const { version } = module.createRequire(import.meta.url)('../package.json');
  process.stdout.write(`${version}\n`);
} else {
  // Node 22.1+ keeps compiled code between runs (a large part of start-up); not available on Node 20.
  module.enableCompileCache?.();
  const { main } = await import('../dist/cli/main.js');
  await main(process.argv);
}
