import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import winston from 'winston';
import Transport from 'winston-transport';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/metrics/registry.js';
import { notifierConfigSchema } from '../../src/outputs/config.js';
import type { PostResult } from '../../src/outputs/http-post.js';
import { notifierOutput } from '../../src/outputs/notify/notifier.js';
import { until, virtualClock } from './loki-peer.js';
import { makeRecords } from './records.js';

const SECRET_URL = 'https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX';

/** A logger that keeps every line, to prove secrets never reach the logs. */
function capturingLogger() {
  const lines: string[] = [];
  class Capture extends Transport {
    override log(info: unknown, next: () => void): void {
      lines.push(JSON.stringify(info));
      next();
    }
  }
  return { log: winston.createLogger({ level: 'debug', transports: [new Capture()] }), lines };
}

function fakePost(statuses: number[]) {
  const calls: { url: string; headers: Record<string, string>; body: string }[] = [];
  const post = async (url: string, headers: Record<string, string>, body: Buffer | string): Promise<PostResult> => {
    calls.push({ url, headers, body: String(body) });
    const status = statuses.length > 0 ? statuses.shift()! : 200;
    if (status === 0) throw new Error('connect ECONNREFUSED');
    return { status, body: status >= 400 ? 'invalid_payload' : 'ok', headers: {} };
  };
  return { post, calls };
}

async function counts(metrics: Metrics, output: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await metrics.outputSent.get()).values) if (v.labels.output === output) out[String(v.labels.status)] = v.value;
  return out;
}

function notifier(cfg: Record<string, unknown>, statuses: number[] = []) {
  const metrics = new Metrics({ defaultMetrics: false });
  const { log, lines } = capturingLogger();
  const { post, calls } = fakePost(statuses);
  const clock = virtualClock();
  const out = notifierOutput(notifierConfigSchema.parse(cfg), { metrics, log, clock, post, env: { SLACK_URL: SECRET_URL, PD_KEY: 'pdkey', HMAC: 'k' }, random: () => 0.5 });
  return { out, metrics, lines, calls, clock };
}

describe('notifiers: filtering, dedup, rate limit, retries', () => {
  it('sends only records at or above min_severity', async () => {
    const n = notifier({ type: 'slack', url_env: 'SLACK_URL', min_severity: 'high' });
    const rs = makeRecords(5); // critical, high, medium, low, info
    for (const r of rs) n.out.send(r);
    await n.out.flush();
    expect(n.calls).toHaveLength(2);
    expect(await counts(n.metrics, 'slack')).toEqual({ ok: 2, filtered: 3 });
  });

  it('deduplicates by drift_id within the window, and sends the resolution separately', async () => {
    const n = notifier({ type: 'pagerduty', routing_key_env: 'PD_KEY', min_severity: 'info' });
    const [r] = makeRecords(1);
    n.out.send(r);
    n.out.send(r);
    n.out.send({ ...r, event_type: 'terraform_drift_resolved' });
    await n.out.flush();
    expect(n.calls.map((c) => JSON.parse(c.body).event_action)).toEqual(['trigger', 'resolve']);
    expect(n.calls[0].url).toBe('https://events.pagerduty.com/v2/enqueue');
    expect(await counts(n.metrics, 'pagerduty')).toEqual({ ok: 2, deduplicated: 1 });
  });

  it('rate-limits per destination with a token bucket (burst, then per_minute)', async () => {
    const n = notifier({ type: 'discord', url: 'http://127.0.0.1:9/x', min_severity: 'info', rate_limit: { burst: 3, per_minute: 6 } });
    for (const r of makeRecords(5)) n.out.send(r);
    await n.out.flush();
    expect(await counts(n.metrics, 'discord')).toEqual({ ok: 3, rate_limited: 2 });
    n.clock.t += 10_000; // one token per 10 s
    for (const r of makeRecords(2, 100)) n.out.send(r);
    await n.out.flush();
    expect(await counts(n.metrics, 'discord')).toEqual({ ok: 4, rate_limited: 3 });
  });

  it('retries 5xx and network errors with backoff, gives up after max_attempts; 400 is not retried', async () => {
    const n = notifier({ type: 'teams', url: 'http://127.0.0.1:9/x', min_severity: 'info', retry: { max_attempts: 3 } }, [500, 0, 200, 400, 503, 503, 503]);
    const rs = makeRecords(3);
    for (const r of rs) n.out.send(r);
    await n.out.flush();
    expect(n.calls).toHaveLength(7);
    expect(await counts(n.metrics, 'teams')).toEqual({ ok: 1, retry: 5, rejected: 1, error: 1 });
    expect(n.clock.t).toBeGreaterThan(0);
  });

  it('never logs webhook URLs, routing keys or secrets', async () => {
    const n = notifier({ type: 'slack', url_env: 'SLACK_URL', min_severity: 'info', retry: { max_attempts: 2 } }, [0, 0, 400]);
    for (const r of makeRecords(2)) n.out.send(r);
    await n.out.flush();
    expect(n.lines.length).toBeGreaterThan(0);
    const all = n.lines.join('\n');
    expect(all).not.toContain('XXXXSECRETXXXX');
    expect(all).not.toContain('/services/');
    expect(all).toContain('https://hooks.slack.com/');
  });

  it('refuses to start without a URL, naming the key but not any value', () => {
    expect(() => notifierOutput(notifierConfigSchema.parse({ type: 'slack', url_env: 'UNSET_VAR' }), { log: capturingLogger().log, env: {} })).toThrow(/url or url_env/);
  });

  it('generic webhook over real HTTP: the record as body, a verifiable HMAC-SHA256 signature', async () => {
    const got: { body: string; sig: string | undefined }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        got.push({ body, sig: req.headers['x-tfdrift-signature-256'] as string | undefined });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const out = notifierOutput(notifierConfigSchema.parse({ type: 'webhook', url, secret_env: 'HMAC', min_severity: 'info' }), { log: capturingLogger().log, env: { HMAC: 'k' } });
    const [r] = makeRecords(1);
    out.send(r);
    await until(() => got.length === 1);
    await out.close();
    server.close();
    expect(JSON.parse(got[0].body)).toEqual(r);
    expect(got[0].sig).toBe(`sha256=${createHmac('sha256', 'k').update(got[0].body).digest('hex')}`);
  });
});
