/**
 * `tfdrift doctor` against a running exporter (the real daemon on loopback) and a Loki-protocol
 * peer: a healthy setup passes; a broken one (wrong token, a state that never loads, events
 * of an account with no state, Loki down) is named check by check, with what to fix.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import YAML from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { registerDoctorCommand } from '../../src/cli/commands/doctor.js';
import { silentLogger } from '../../src/util/logger.js';
import { VERSION } from '../../src/version.js';
import { demoAlerts, ingestConfig, post, tempDir } from '../ingest/helpers.js';
import { LokiPeer, until } from '../outputs/loki-peer.js';

const TOKEN = 'doctor-test-token-7f1e';

let app: App | null = null;
let loki: LokiPeer | null = null;
afterEach(async () => {
  await app?.stop();
  await loki?.stop();
  app = null;
  loki = null;
});

/** Runs `tfdrift doctor ARGS` in-process; returns its exit code and what it printed. */
async function doctor(args: string[]): Promise<{ code: number; out: string; findings: { check: string; status: string; what: string; fix?: string }[] }> {
  let out = '';
  const program = new Command('tfdrift').exitOverride();
  registerDoctorCommand(program, { stdout: (t) => void (out += t), stderr: () => undefined, env: {} });
  const before = process.exitCode;
  try {
    await program.parseAsync(['doctor', ...args], { from: 'user' });
    const code = Number(process.exitCode ?? 0);
    let json = '';
    await program.parseAsync(['doctor', ...args, '--format', 'json'], { from: 'user' }).then(() => undefined);
    json = out.slice(out.indexOf('{\n'));
    return { code, out: out.slice(0, out.indexOf('{\n')), findings: (JSON.parse(json) as { findings: [] }).findings };
  } finally {
    process.exitCode = before;
  }
}

describe('tfdrift doctor', () => {
  it('passes a healthy setup: token accepted, every state loaded, alerts in, Loki accepting', async () => {
    loki = new LokiPeer();
    await loki.start();
    const config = ingestConfig(tempDir(), {
      server: { listen: '127.0.0.1:0', token: TOKEN },
      outputs: { stdout: { enabled: false }, loki: { enabled: true, url: loki.url, batch_interval_ms: 20 } },
    });
    app = await startApp(config, { log: silentLogger() });
    for (const alert of demoAlerts()) expect((await post(`${app.url}/falco`, JSON.stringify(alert), { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    await app.ingest.alerts.idle();
    await until(() => loki!.entries().length > 0);
    await app.pipeline.flush();

    const { code, out, findings } = await doctor(['--url', app.url, '--token', TOKEN, '--loki-url', loki.url]);
    expect(findings.filter((f) => f.status === 'fail')).toEqual([]);
    expect(code).toBe(0);
    expect(out).toContain('all checks passed');
    expect(findings.filter((f) => f.check === 'states' && f.status === 'ok').length).toBe(config.states.length);
    expect(findings).toContainEqual(expect.objectContaining({ check: 'inputs', status: 'ok', what: expect.stringMatching(new RegExp(`^falco_http: ${demoAlerts().length} event\\(s\\) received \\(aws_cloudtrail ${demoAlerts().length}\\)`)) }));
    expect(findings).toContainEqual(expect.objectContaining({ check: 'loki', status: 'ok', what: `Loki at ${loki.url} accepts pushes` }));
    expect(findings).toContainEqual(expect.objectContaining({ check: 'exporter', status: 'ok' }));

    // The same from the exporter's own config file: its address (a wildcard listen means this host), token and Loki output.
    const file = path.join(tempDir(), 'tfdrift.yaml');
    const port = new URL(app.url).port;
    writeFileSync(file, YAML.stringify({ server: { listen: `0.0.0.0:${port}`, token: TOKEN }, states: config.states, outputs: { loki: { enabled: true, url: loki.url } } }));
    const fromConfig = await doctor(['--config', file]);
    expect(fromConfig.code).toBe(0);
    expect(fromConfig.findings.map((f) => `${f.check} ${f.status}`)).toEqual(findings.map((f) => `${f.check} ${f.status}`));
    expect(fromConfig.findings[0].what).toBe(`reachable at http://127.0.0.1:${port} with the token (tfdrift ${VERSION})`);
  });

  it('names what is broken and how to fix it: wrong token, a state that never loaded, accounts without state, Loki down', async () => {
    loki = new LokiPeer();
    await loki.start();
    const lokiUrl = loki.url;
    await loki.stop(); // Loki is down: its port refuses connections
    const dir = tempDir();
    const config = ingestConfig(dir, {
      server: { listen: '127.0.0.1:0', token: TOKEN },
      // Only one state, in a file that does not exist; the demo alerts' accounts have none.
      states: [{ name: 'network-prod', backend: 'local', path: `${dir}/missing.tfstate`, provider: 'aws', account_id: '032092706103' }],
      outputs: { stdout: { enabled: false }, loki: { enabled: true, url: lokiUrl, batch_interval_ms: 20, retry: { initial_backoff_ms: 10_000 } } },
    });
    app = await startApp(config, { log: silentLogger() });

    const wrong = await doctor(['--url', app.url, '--token', 'not-the-token']);
    expect(wrong.code).toBe(1);
    expect(wrong.findings[0]).toMatchObject({ check: 'exporter', status: 'fail', what: `${app.url} refuses the token` });
    expect(wrong.findings[0].fix).toContain('http_output.url');

    // Before any alert: the input is up but has received nothing.
    const quiet = await doctor(['--url', app.url, '--token', TOKEN]);
    expect(quiet.findings).toContainEqual(expect.objectContaining({ check: 'inputs', status: 'warn', what: 'falco_http: no events received since the exporter started' }));

    for (const alert of demoAlerts()) await post(`${app.url}/falco`, JSON.stringify(alert), { authorization: `Bearer ${TOKEN}` });
    await post(`${app.url}/falco`, '{"not":"an alert"}', { authorization: `Bearer ${TOKEN}` });
    await app.ingest.alerts.idle();

    const broken = await doctor(['--url', app.url, '--token', TOKEN, '--loki-url', lokiUrl]);
    expect(broken.code).toBe(1);
    const fails = broken.findings.filter((f) => f.status === 'fail');
    expect(fails).toContainEqual(expect.objectContaining({ check: 'states', what: expect.stringMatching(/^network-prod: never loaded: .*missing\.tfstate/) }));
    expect(fails).toContainEqual(expect.objectContaining({ check: 'events', what: expect.stringMatching(/^\d+ event\(s\) of accounts with no loaded state produced no drift \(no_state_for_account\)$/) }));
    expect(fails).toContainEqual(expect.objectContaining({ check: 'loki', what: expect.stringMatching(new RegExp(`^Loki not reachable at ${lokiUrl} \\(ECONNREFUSED\\)$`)) }));
    expect(broken.findings).toContainEqual(expect.objectContaining({ check: 'events', status: 'warn', what: '1 event(s) failed: not_an_alert', fix: expect.stringContaining('json_include_output_fields_property') }));
    expect(broken.out).toMatch(/FAIL states +network-prod: never loaded/);
    expect(broken.out).toMatch(/fix: events of its account produce no drift until it loads/);
  });

  it('says so when nothing listens at the address', async () => {
    loki = new LokiPeer();
    await loki.start();
    const closed = loki.url;
    await loki.stop();
    const { code, findings } = await doctor(['--url', closed, '--token', TOKEN]);
    expect(code).toBe(1);
    expect(findings).toEqual([expect.objectContaining({ check: 'exporter', status: 'fail', what: `not reachable at ${closed} (ECONNREFUSED)` })]);
  });
});
