/**
 * The exporter packed as users get it (`npm pack`), installed alone with `npm install --omit=dev`
 * into an empty folder, then run. Real npm and real processes: the package boundary is the point.
 * Installs from the local npm cache where it can (`--prefer-offline`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPORTER_DIR } from '../helpers/cli.js';
import { readCompiledTables } from '../../src/providers/mapping/compiled.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its exit (event-driven: no time limit here; the test's limit guards a hang). */
function run(cmd: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TFDRIFT_') && !k.startsWith('npm_')));
    const child = spawn(cmd, args, { cwd, env: { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the exporter as an npm package', () => {
  it('packs, installs alone with --omit=dev, and runs tfdrift replay and tfdrift demo', async () => {
    const work = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-pack-'));
    const stage = path.join(work, 'stage');
    const staged = await run(process.execPath, [path.join(EXPORTER_DIR, 'scripts/pack.mjs'), 'stage', stage], EXPORTER_DIR);
    expect(staged.code, staged.stderr).toBe(0);
    const packed = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], stage);
    expect(packed.code, packed.stderr).toBe(0);
    const tarball = path.join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!);
    expect(packed.stderr).toMatch(/bundled deps: 1/);

    const app = path.join(work, 'app');
    await run('mkdir', ['-p', app], work);
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'tfdrift-user', private: true }));
    const installed = await run('npm', ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', tarball], app);
    expect(installed.code, installed.stderr).toBe(0);
    const pkg = path.join(app, 'node_modules/tfdrift');
    // No development toolchain came along, and the alert-rule builder is the bundled copy.
    const top = readdirSync(path.join(app, 'node_modules'));
    for (const dev of ['typescript', 'vitest', 'eslint', 'tsx', '@grafana']) expect(top).not.toContain(dev);
    expect(readdirSync(path.join(pkg, 'node_modules/@tfdrift'))).toEqual(['alert-rules']);
    expect(readdirSync(path.join(pkg, 'proto')).sort()).toEqual(['outputs.proto', 'schema.proto', 'version.proto']);
    // The compiled mapping tables are current in the installed package (start-up reads them, not the YAML).
    expect(readCompiledTables(path.join(pkg, 'dist/mappings.json'), 'aws', path.join(pkg, 'mappings/aws'))).not.toBeNull();

    const bin = path.join(app, 'node_modules/.bin/tfdrift');
    const replay = await run(bin, ['replay', '--state', path.join(pkg, 'demo/states/network-prod.tfstate'), '--events', path.join(pkg, 'demo/events/01-sg-open-port-22.json')], app);
    expect(replay.code, replay.stderr).toBe(0);
    const records = replay.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      event_type: 'terraform_drift_detected',
      change_type: 'modified',
      provider: 'aws',
      account_id: '032092706103',
      resource_type: 'aws_security_group',
      resource_id: 'sg-003dc7f1f1c686164',
      event: { name: 'AuthorizeSecurityGroupIngress' },
      version: JSON.parse((await import('node:fs')).readFileSync(path.join(pkg, 'package.json'), 'utf8')).version,
    });

    const demo = await run(bin, ['demo', '--listen', '127.0.0.1:0', '--output', 'jsonl', '--interval', '5', '--passes', '1'], app);
    expect(demo.code, demo.stderr).toBe(0);
    const demoRecords = demo.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event_type: string });
    expect(demoRecords.length).toBeGreaterThan(0);
    expect(demoRecords.every((r) => r.event_type === 'terraform_drift_detected')).toBe(true);
  }, 900_000);
});
