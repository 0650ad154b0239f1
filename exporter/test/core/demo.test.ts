import { describe, expect, it } from 'vitest';
import { validateDriftRecord } from '../../src/model/drift.js';
import { startCli, waitFor } from '../helpers/cli.js';

// The waits are on the child's output (they fail at once if it exits); the limits only guard
// against a hang, generous because a busy machine can take long to start a process. How fast the
// demo shows its first drift is a figure for `npm run bench`, not something a test asserts.
const HANG = 100_000;

describe('tfdrift demo', () => {
  it('shows drift records, serves /metrics on loopback, and exits cleanly on Ctrl-C', async () => {
    const child = startCli(['demo', '--listen', '127.0.0.1:0', '--output', 'jsonl', '--interval', '100'], { LOKI_URL: '' });
    try {
      const [, url] = await waitFor(child.stderr!, /through (http:\/\/127\.0\.0\.1:\d+)\/falco/, HANG);
      const [line] = await waitFor(child.stdout!, /^\{.*\}$/m, HANG);
      expect(validateDriftRecord(JSON.parse(line))).toEqual([]);
      expect(JSON.parse(line).falco).toMatchObject({ rule: 'Terraform drift: AWS write', hostname: 'tfdrift-demo' });
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/^tfdrift_events_received_total\{input="falco_http",source="aws_cloudtrail"\} [1-9]/m);
      expect(metrics).toMatch(/^tfdrift_build_info\{version="\d+\.\d+\.\d+"\} 1$/m);
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    }
  }, 3 * HANG);

  it('in a container (listening on all interfaces, token required) still feeds its own ingest', async () => {
    const child = startCli(['demo', '--listen', '0.0.0.0:0', '--output', 'jsonl', '--interval', '100'], { LOKI_URL: '', TFDRIFT_SERVER_TOKEN: 'demo-token' });
    try {
      const [, port] = await waitFor(child.stderr!, /through http:\/\/0\.0\.0\.0:(\d+)\/falco/, HANG);
      const [line] = await waitFor(child.stdout!, /^\{.*\}$/m, HANG);
      expect(validateDriftRecord(JSON.parse(line))).toEqual([]);
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
      expect((await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: 'Bearer demo-token' } })).status).toBe(200);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  }, 3 * HANG);
});
