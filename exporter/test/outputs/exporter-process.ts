import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import YAML from 'yaml';
import { DEMO_EVENTS, DEMO_STATES, runCli, startCli } from '../helpers/cli.js';
import { demoRecords } from '../../src/cli/commands/demo.js';
import { falcoAlertFromCloudTrail } from '../../src/providers/aws/falco-fields.js';

/** A `tfdrift run` child process: its URL (from the "listening" log line) and the drift records it printed. */
export interface ExporterProcess {
  child: ChildProcess;
  url: string;
  stdoutRecords: () => { drift_id: string }[];
  /** The raw JSON lines: byte for byte what the Loki line must be. */
  stdoutLines: () => string[];
  stderr: () => string;
  exited: Promise<number | null>;
}

const DEMO_ACCOUNTS = ['network-prod:032092706103', 'iam-prod:751203476945', 'audit-logging:143434273843', 'audit-logging-eu:847129010505', 'identity:229654561268', 'apps:309303190113', 'data:111111111111', 'platform-roles:609418236337'];

/** The demo's states (one per account) with the given outputs, listening on a random loopback port. */
export function writeConfig(dir: string, outputs: Record<string, unknown>, storageDir: string): string {
  const demo = YAML.parse(
    `${'states:\n'}${DEMO_ACCOUNTS
      .map((s) => {
        const [name, account] = s.split(':');
        return `  - { name: ${name}, backend: local, path: ${JSON.stringify(path.join(DEMO_STATES, `${name}.tfstate`))}, provider: aws, account_id: "${account}" }\n`;
      })
      .join('')}`,
  ) as Record<string, unknown>;
  const file = path.join(dir, 'tfdrift.yaml');
  writeFileSync(file, YAML.stringify({ ...demo, server: { listen: '127.0.0.1:0' }, outputs, storage: { dir: storageDir }, logging: { level: 'info' } }));
  return file;
}

export async function startExporter(configFile: string): Promise<ExporterProcess> {
  const child = startCli(['run', '--config', configFile]);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`exporter did not start:\n${err.slice(-3000)}`)), 110_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const line = err.split('\n').find((l) => l.includes('tfdrift listening'));
      const m = line?.match(/"url":"([^"]+)"/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exited.then((code) => reject(new Error(`exporter exited (${code}) before listening:\n${err.slice(-3000)}`)));
  });
  // The signal handlers are installed just after the "listening" line; one round trip later they are in place.
  await fetch(`${url}/healthz`).then((r) => r.arrayBuffer());
  return {
    child, url, exited,
    stdoutRecords: () => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { drift_id: string }),
    stdoutLines: () => out.split('\n').filter((l) => l.startsWith('{')),
    stderr: () => err,
  };
}

export function postJson(url: string, body: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** How many drift records the demo events produce against the demo states (the offline replay's count). */
export async function expectedDemoDrifts(): Promise<number> {
  const states = DEMO_ACCOUNTS.map((s) => path.join(DEMO_STATES, `${s.split(':')[0]}.tfstate`));
  const r = await runCli(['replay', '--state', ...states, '--events', DEMO_EVENTS, '--output', 'jsonl']);
  return r.stdout.split('\n').filter((l) => l.startsWith('{')).length;
}

/** Replays the bundled real CloudTrail records as Falco alerts through POST /falco. */
export async function replayDemo(url: string): Promise<void> {
  for (const record of demoRecords()) {
    const res = await postJson(`${url}/falco`, falcoAlertFromCloudTrail(record, { hostname: 'test' }));
    if (res.status !== 200) throw new Error(`POST /falco answered ${res.status}: ${res.body}`);
  }
}
