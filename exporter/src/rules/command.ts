import type { Command } from 'commander';
import { existsSync, mkdirSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateRules, type GeneratedFile } from './generate.js';

/** Differences between generated files and a directory: missing, changed, stale (generated name no longer produced). */
export function diffRules(dir: string, files: GeneratedFile[]): string[] {
  const problems: string[] = [];
  for (const f of files) {
    const p = path.join(dir, f.name);
    if (!existsSync(p)) problems.push(`${f.name}: missing`);
    else if (readFileSync(p, 'utf8') !== f.content) problems.push(`${f.name}: differs from the mapping tables`);
  }
  const names = new Set(files.map((f) => f.name));
  if (existsSync(dir))
    for (const f of readdirSync(dir).filter((x) => /^tfdrift_.*_rules\.yaml$/.test(x) && !names.has(x))) problems.push(`${f}: stale (no longer generated)`);
  return problems;
}

export function writeRules(dir: string, files: GeneratedFile[]): void {
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(path.join(dir, f.name), f.content);
  const names = new Set(files.map((f) => f.name));
  for (const f of readdirSync(dir).filter((x) => /^tfdrift_.*_rules\.yaml$/.test(x) && !names.has(x))) unlinkSync(path.join(dir, f));
}

export function registerRulesCommand(program: Command): void {
  const rules = program.command('rules').description('Falco rules generated from the mapping tables');
  rules
    .command('generate')
    .description('write Falco rules (one file per plugin source) from the mapping tables')
    .option('--out <dir>', 'output directory', 'rules')
    .option('--check', 'write nothing; exit 1 when the directory is out of date')
    .action((opts: { out: string; check?: boolean }) => {
      const files = generateRules();
      if (opts.check) {
        const problems = diffRules(opts.out, files);
        for (const p of problems) process.stderr.write(`${path.join(opts.out, p)}\n`);
        if (problems.length > 0) {
          process.stderr.write('rules are out of date: run `npx tfdrift rules generate`\n');
          process.exitCode = 1;
        }
        return;
      }
      writeRules(opts.out, files);
      for (const f of files) process.stderr.write(`wrote ${path.join(opts.out, f.name)}\n`);
    });
}
