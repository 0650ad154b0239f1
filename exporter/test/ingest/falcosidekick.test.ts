/**
 * TFDrift behind Falcosidekick's webhook output (Falco → Falcosidekick → many outputs): the
 * body and headers Falcosidekick really sends, posted to the real `POST /falco`.
 *
 * What Falcosidekick sends, from its source (github.com/falcosecurity/falcosidekick, commit
 * 8807ab7b, MIT OR Apache-2.0): outputs/webhook.go posts `types.FalcoPayload` through
 * outputs/client.go `sendRequest` — `json.NewEncoder(body).Encode(payload)` (struct fields in
 * declaration order uuid, output, priority, rule, time, output_fields, source, tags, hostname;
 * map keys sorted; `<>&` escaped; a trailing newline), headers `Content-Type: application/json;
 * charset=utf-8`, `User-Agent: Falcosidekick`, then every `webhook.customheaders` entry
 * (`WEBHOOK_CUSTOMHEADERS=Authorization:Bearer <token>`). handlers.go adds a uuid, the
 * `customfields` into output_fields and `customtags` to tags; priority is re-encoded title case
 * (types/priority.go) and time as Go's RFC 3339 with nanoseconds, trailing zeros trimmed.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { demoRecords } from '../../src/cli/commands/demo.js';
import { silentLogger } from '../../src/util/logger.js';
import { collectingOutput, counter, demoAlerts, ingestConfig, nativeDriftIds, tempDir } from './helpers.js';

const TOKEN = 'sidekick-test-token-51c3';

/** encoding/json: map keys sorted, HTML-sensitive characters and U+2028/9 escaped. */
function goJson(value: unknown): string {
  const sortMaps = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sortMaps) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortMaps((v as Record<string, unknown>)[k])])) : v;
  return JSON.stringify(sortMaps(value)).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** time.Time's MarshalJSON: RFC 3339 with nanoseconds, trailing zeros (and a bare dot) trimmed. */
function goTime(iso: string): string {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(iso)!;
  const frac = (m[2] ?? '').replace(/0+$/, '');
  return `${m[1]}${frac ? `.${frac}` : ''}${m[3]}`;
}

const TITLE: Record<string, string> = { debug: 'Debug', informational: 'Informational', info: 'Informational', notice: 'Notice', warning: 'Warning', error: 'Error', critical: 'Critical', alert: 'Alert', emergency: 'Emergency' };

/** The webhook body Falcosidekick makes of one Falco alert. */
function sidekickBody(alert: Record<string, unknown>, opts: { customfields?: Record<string, string>; customtags?: string[] } = {}): string {
  const payload: Record<string, unknown> = {
    uuid: randomUUID(),
    output: alert.output,
    priority: TITLE[String(alert.priority).toLowerCase()] ?? '',
    rule: alert.rule,
    time: goTime(String(alert.time)),
    output_fields: { ...(alert.output_fields as object), ...opts.customfields },
    source: alert.source,
  };
  const tags = [...((alert.tags as string[]) ?? []), ...(opts.customtags ?? [])];
  if (tags.length > 0) payload.tags = tags;
  if (alert.hostname) payload.hostname = alert.hostname;
  // Struct fields keep their order; only the output_fields map is sorted.
  return `{${Object.entries(payload).map(([k, v]) => `${JSON.stringify(k)}:${goJson(v)}`).join(',')}}\n`;
}

/** Headers of Falcosidekick's webhook POST, custom headers last (they may override). */
function sidekickHeaders(custom: Record<string, string>): Record<string, string> {
  return { 'Content-Type': 'application/json; charset=utf-8', 'User-Agent': 'Falcosidekick', ...custom };
}

let app: App | null = null;
afterEach(async () => {
  await app?.stop();
  app = null;
});

async function start() {
  const out = collectingOutput();
  // Beyond loopback in production; here the token is set, so every request must carry it.
  const config = ingestConfig(tempDir(), { server: { listen: '127.0.0.1:0', token: TOKEN } });
  app = await startApp(config, { log: silentLogger(), outputs: [out] });
  return { app, out, url: `${app.url}${config.inputs.falco_http.path}` };
}

describe('behind Falcosidekick (webhook output)', () => {
  it('accepts its webhook body with the token in its custom Authorization header, and detects what Falco’s own body detects', async () => {
    const { app, out, url } = await start();
    const alerts = demoAlerts().map((a) => ({ ...a, time: '2026-03-29T10:15:08.120000000Z', tags: ['aws', 'cloud', 'tfdrift'] }));
    for (const alert of alerts) {
      const body = sidekickBody(alert, { customfields: { environment: 'prod' }, customtags: ['sidekick'] });
      expect(body.endsWith('}\n')).toBe(true);
      const res = await fetch(url, { method: 'POST', body, headers: sidekickHeaders({ Authorization: `Bearer ${TOKEN}` }) });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ accepted: 1, failed: 0 });
    }
    await app.ingest.alerts.idle();
    expect(out.records.map((r) => r.drift_id).sort()).toEqual(await nativeDriftIds(demoRecords()));
    expect(out.records.every((r) => r.falco?.hostname === 'falco-test' && r.falco?.priority === 'Warning')).toBe(true);
    expect(await counter(app.metrics, 'tfdrift_events_received_total', { input: 'falco_http', source: 'aws_cloudtrail' })).toBe(alerts.length);
    expect(await counter(app.metrics, 'tfdrift_events_failed_total')).toBe(0);
  });

  it('refuses the body without the header (401, which Falcosidekick logs and counts as an error, unlike Falco)', async () => {
    const { app, out, url } = await start();
    const body = sidekickBody(demoAlerts()[0]);
    const missing = await fetch(url, { method: 'POST', body, headers: sidekickHeaders({}) });
    expect(missing.status).toBe(401);
    const wrong = await fetch(url, { method: 'POST', body, headers: sidekickHeaders({ Authorization: 'Bearer not-the-token' }) });
    expect(wrong.status).toBe(401);
    await app.ingest.alerts.idle();
    expect(out.records).toEqual([]);
    expect(await counter(app.metrics, 'tfdrift_events_received_total')).toBe(0);
  });

  it('the encoder follows Go: sorted map keys, escaped <>&, trimmed nanoseconds', () => {
    const body = sidekickBody({ output: 'a<b>&c', priority: 'warning', rule: 'r', time: '2026-01-02T03:04:05.500000000Z', source: 's', output_fields: { 'z.b': '1', 'a.b': '2' } });
    const parsed = JSON.parse(body) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['uuid', 'output', 'priority', 'rule', 'time', 'output_fields', 'source']);
    expect(body).toContain('"output":"a\\u003cb\\u003e\\u0026c"');
    expect(body).toContain('"output_fields":{"a.b":"2","z.b":"1"}');
    expect(parsed.time).toBe('2026-01-02T03:04:05.5Z');
    expect(parsed.priority).toBe('Warning');
  });
});
