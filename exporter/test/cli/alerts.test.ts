/** `tfdrift alerts apply|diff|delete` against the local Grafana provisioning peer (loopback). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerAlertsCommand } from '../../src/cli/commands/alerts.js';
import { CliError } from '../../src/cli/exit.js';
import { GrafanaPeer } from '@tfdrift/alert-rules/testing';
import { runCliInProcess as runCli } from '../helpers/cli.js';

const TOKEN = 'glsa_cli';
let peer: GrafanaPeer;

beforeEach(async () => {
  peer = new GrafanaPeer({ token: TOKEN });
  await peer.start();
});
afterEach(() => peer.stop());

interface Run {
  stdout: string;
  stderr: string;
  error?: CliError;
}

async function tfdrift(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const out: Run = { stdout: '', stderr: '' };
  const program = new Command('tfdrift').exitOverride().configureOutput({ writeOut: (s) => (out.stderr += s), writeErr: (s) => (out.stderr += s) });
  registerAlertsCommand(program, { stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t), env });
  try {
    await program.parseAsync(['node', 'tfdrift', 'alerts', ...args]);
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    out.error = err;
  }
  return out;
}

describe('tfdrift alerts', () => {
  it('apply creates the rules, then a second apply changes nothing; token from GRAFANA_TOKEN', async () => {
    const first = await tfdrift(['apply', '--grafana-url', peer.url, '--preset', 'large', '--contact-point', 'platform-slack'], { GRAFANA_TOKEN: TOKEN });
    expect(first.error).toBeUndefined();
    expect(first.stdout).toBe('');
    expect(first.stderr).toContain('+ rule TFDrift: critical drift');
    expect(first.stderr).toContain('11 to create, 0 to update, 0 to delete, 0 unchanged');
    expect(peer.rules.size).toBe(9);
    const writes = peer.writes().length;

    const second = await tfdrift(['apply', '--grafana-url', peer.url, '--preset', 'large', '--contact-point', 'platform-slack', '--json'], { GRAFANA_TOKEN: TOKEN });
    expect(second.stderr).toContain('no changes');
    const json = JSON.parse(second.stdout);
    expect(json).toMatchObject({ command: 'apply', dry_run: false, grafana_url: peer.url });
    expect(json.changes.every((c: { action: string }) => c.action === 'unchanged')).toBe(true);
    expect(peer.writes().length).toBe(writes);
  });

  it('diff shows the threshold change of a preset switch and writes nothing', async () => {
    await tfdrift(['apply', '--grafana-url', peer.url, '--token', TOKEN]);
    const writes = peer.writes().length;
    const diff = await tfdrift(['diff', '--grafana-url', peer.url, '--token', TOKEN, '--preset', 'large', '--json']);
    expect(diff.stderr).toContain('(dry run: nothing written)');
    expect(diff.stderr).toContain('data[2].model.conditions[0].evaluator.params[0]: 0 → 3');
    const json = JSON.parse(diff.stdout);
    expect(json.changes.filter((c: { action: string }) => c.action === 'update')).toHaveLength(3);
    expect(peer.writes().length).toBe(writes);
  });

  it('apply --dry-run and delete', async () => {
    const dry = await tfdrift(['apply', '--dry-run', '--grafana-url', peer.url, '--token', TOKEN]);
    expect(dry.stderr).toContain('dry run');
    expect(peer.writes()).toEqual([]);
    await tfdrift(['apply', '--grafana-url', peer.url, '--token', TOKEN]);
    const del = await tfdrift(['delete', '--grafana-url', peer.url, '--token', TOKEN]);
    expect(del.error).toBeUndefined();
    expect(del.stderr).toContain('- rule TFDrift: critical drift');
    expect(peer.rules.size).toBe(0);
    expect(peer.policyTree.routes).toEqual([]);
  });

  it('reads thresholds, windows and the job label from --config', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tfdrift-alerts-'));
    const file = path.join(dir, 'config.yaml');
    writeFileSync(
      file,
      [
        'outputs:',
        '  loki: { enabled: true, url: "http://127.0.0.1:3100", labels: { job: tfdrift-prod } }',
        'alerts:',
        '  preset: large',
        '  production_accounts: ["123456789012"]',
        '  thresholds:',
        '    critical: { threshold: 1, window: 15m }',
        '    drift_rate: { enabled: false }',
        '  maintenance_windows:',
        '    - { weekdays: [Sunday], start_time: "02:00", end_time: "04:00", location: Europe/Berlin }',
        '',
      ].join('\n'),
    );
    const run = await tfdrift(['apply', '--grafana-url', peer.url, '--token', TOKEN, '--config', file]);
    expect(run.error).toBeUndefined();
    const rules = Array.from(peer.rules.values()).map((s) => s.rule);
    expect(rules).toHaveLength(8);
    const critical = rules.find((r) => r.labels.tfdrift_alert === 'critical');
    expect(critical.data[0].model.expr).toContain('{job="tfdrift-prod", severity="critical"}');
    expect(critical.data[0].model.expr).toContain('[15m]');
    expect(critical.data[2].model.conditions[0].evaluator.params).toEqual([1]);
    expect(peer.muteTimings.get('tfdrift-maintenance-tfdrift-prod')?.mt.time_intervals[0]).toMatchObject({ weekdays: ['sunday'], location: 'Europe/Berlin' });
  });

  it('errors name the URL and status and exit 2: 401, 404 datasource, 409 provenance, bad flags', async () => {
    const unauth = await tfdrift(['apply', '--grafana-url', peer.url]);
    expect(unauth.error?.code).toBe(2);
    expect(unauth.error?.message).toContain(`${peer.url}/api/datasources/uid/loki → 401`);

    const noDs = await tfdrift(['apply', '--grafana-url', peer.url, '--token', TOKEN, '--datasource-uid', 'missing']);
    expect(noDs.error?.code).toBe(2);
    expect(noDs.error?.message).toContain('Loki datasource "missing" does not exist');

    peer.folders.set('tfdrift', { uid: 'tfdrift', title: 'TFDrift' });
    peer.seedRule(
      { uid: 'from-file', title: 'File rule', folderUID: 'tfdrift', ruleGroup: 'tfdrift', condition: 'A', for: '0s', noDataState: 'OK', execErrState: 'Error', data: [] },
      'file',
    );
    const conflict = await tfdrift(['apply', '--grafana-url', peer.url, '--token', TOKEN]);
    expect(conflict.error?.code).toBe(2);
    expect(conflict.error?.message).toContain('provenance conflict');
    expect(conflict.error?.message).toContain('"File rule" (uid from-file, provenance file)');
    expect(conflict.stderr).toContain('conflict: rule "File rule"');

    expect((await tfdrift(['apply'])).error?.message).toBe('--grafana-url: required (or set GRAFANA_URL)');
    expect((await tfdrift(['apply', '--grafana-url', peer.url, '--preset', 'medium'])).error?.message).toBe('--preset: expected small or large, got "medium"');
    expect((await tfdrift(['apply', '--grafana-url', 'grafana:3000'])).error?.message).toBe('--grafana-url: expected an http:// or https:// URL, got "grafana:3000"');
    expect((await tfdrift(['apply', '--grafana-url', peer.url, '--org-id', 'x'])).error?.message).toBe('--org-id: expected an integer, got "x"');
  });

  it("preflight: a policy tree whose default receiver is gone writes nothing and lists every check", async () => {
    peer.contactPoints = [{ name: 'platform-oncall', type: 'email' }];
    const run = await tfdrift(['apply', '--grafana-url', peer.url, '--token', TOKEN, '--json']);
    expect(run.error?.code).toBe(2);
    expect(peer.writes()).toEqual([]);
    expect(run.stderr).toContain('preflight failed, nothing written');
    expect(run.stderr).toMatch(/FAIL contact-point grafana-default-email: contact point "grafana-default-email" \(the policy tree's default receiver\) does not exist/);
    expect(run.stderr).toMatch(/ok +datasource loki: Loki datasource "loki" exists/);
    const json = JSON.parse(run.stdout);
    expect(json.written).toEqual([]);
    expect(json.preflight.filter((c: { ok: boolean }) => !c.ok).map((c: { target: string }) => c.target)).toEqual(['grafana-default-email']);
  });

  it('a write failing midway: the report is Grafana re-read, resource by resource', async () => {
    peer.failOn({ method: 'PUT', path: '/api/v1/provisioning/policies', status: 500, message: 'database is locked' });
    const run = await tfdrift(['apply', '--grafana-url', peer.url, '--token', TOKEN, '--json']);
    expect(run.error?.code).toBe(2);
    expect(run.error?.message).toContain('database is locked');
    expect(run.stderr).toContain('stopped at policy notification policy route for TFDrift alerts');
    const json = JSON.parse(run.stdout);
    const applied = new Map<string, boolean>(json.state.map((c: { id: string; applied: boolean }) => [c.id, c.applied]));
    for (const uid of Object.keys(Object.fromEntries(applied))) {
      if (uid.startsWith('tfdrift-')) expect(applied.get(uid), uid).toBe(peer.rules.has(uid));
    }
    expect(peer.rules.size).toBe(9);
    expect(applied.get('policies')).toBe(false);
    expect(run.stderr).toMatch(/NOT applied \(missing\) +policy notification policy route/);
    // Retry once Grafana is healthy: only the route is left to write.
    const retry = await tfdrift(['apply', '--grafana-url', peer.url, '--token', TOKEN]);
    expect(retry.error).toBeUndefined();
    expect(retry.stderr).toContain('1 to create, 0 to update, 0 to delete');
  });
});

// Through the CLI entry (parsing, error style, exit code) in this process: what a shell would see, without a child to wait for.
describe('tfdrift alerts through the CLI entry', () => {
  it('apply: JSON on stdout only, progress on stderr, exit 0; then diff finds nothing', async () => {
    const run = await runCli(['alerts', 'apply', '--grafana-url', peer.url, '--json'], { env: { GRAFANA_TOKEN: TOKEN } });
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.changes.filter((c: { action: string }) => c.action === 'create')).toHaveLength(11);
    expect(run.stderr).toContain('11 to create');
    const diff = await runCli(['alerts', 'diff', '--grafana-url', peer.url, '--token', TOKEN]);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toBe('');
    expect(diff.stderr).toContain('no changes');
  });

  it('an error names the URL and status, exits 2 and keeps stdout empty', async () => {
    const run = await runCli(['alerts', 'apply', '--grafana-url', peer.url, '--token', 'wrong', '--json']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(new RegExp(`tfdrift: Grafana rejected the credentials \\(GET ${peer.url}/api/datasources/uid/loki → 401`));
  });
});

describe('tfdrift alerts --config: errors name the file and the key', () => {
  it('a missing file, invalid YAML, a bad preset and an unknown rule', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tfdrift-alerts-'));
    const missing = path.join(dir, 'nope.yaml');
    const bad = (name: string, text: string): string => {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      return file;
    };
    const yaml = bad('broken.yaml', 'alerts: [unclosed\n');
    const preset = bad('preset.yaml', 'alerts:\n  preset: medium\n');
    const rule = bad('rule.yaml', 'alerts:\n  thresholds:\n    nosuchrule: { threshold: 1 }\n');
    const run = (file: string) => runCli(['alerts', 'diff', '--grafana-url', peer.url, '--config', file]);
    expect(await run(missing)).toEqual({ code: 2, stdout: '', stderr: `tfdrift: ${missing}: no such file or directory (check the path)\n` });
    expect((await run(yaml)).stderr).toBe(`tfdrift: ${yaml}: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1\n`);
    expect((await run(preset)).stderr).toBe(`tfdrift: ${preset}: alerts.preset: expected small or large, got "medium"\n`);
    expect((await run(rule)).stderr).toBe(`tfdrift: ${rule}: alerts.thresholds.nosuchrule: not a known rule\n`);
    expect(peer.writes()).toHaveLength(0);
  });
});
