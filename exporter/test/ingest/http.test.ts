import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { validateDriftRecord } from '../../src/model/drift.js';
import { demoRecords } from '../../src/cli/commands/demo.js';
import { silentLogger } from '../../src/util/logger.js';
import { collectingOutput, counter, demoAlerts, ingestConfig, nativeDriftIds, post, tempDir } from './helpers.js';

let app: App | null = null;
afterEach(async () => {
  await app?.stop();
  app = null;
});

async function start(overrides: Record<string, unknown> = {}) {
  const out = collectingOutput();
  const config = ingestConfig(tempDir(), overrides);
  app = await startApp(config, { log: silentLogger(), outputs: [out] });
  return { app, out, url: `${app.url}${config.inputs.falco_http.path}` };
}

describe('POST /falco', () => {
  it('turns Falco http_output bodies of real CloudTrail records into the same drift records as the native path', async () => {
    const { app, out, url } = await start();
    for (const alert of demoAlerts()) {
      const res = await post(url, JSON.stringify(alert));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ accepted: 1, failed: 0 });
    }
    await app.ingest.alerts.idle();
    expect(out.records.length).toBeGreaterThan(5);
    for (const r of out.records) expect(validateDriftRecord(r)).toEqual([]);
    expect(out.records.map((r) => r.drift_id).sort()).toEqual(await nativeDriftIds(demoRecords()));
    expect(out.records.every((r) => r.falco?.hostname === 'falco-test')).toBe(true);
    expect(await counter(app.metrics, 'tfdrift_events_received_total', { input: 'falco_http', source: 'aws_cloudtrail' })).toBe(demoAlerts().length);
  });

  it('accepts gzip (compress_uploads), NDJSON and JSON-array batches', async () => {
    const { app, out, url } = await start();
    const alerts = demoAlerts();
    const third = Math.ceil(alerts.length / 3);
    const gz = await post(url, gzipSync(JSON.stringify(alerts[0])), { 'content-encoding': 'gzip' });
    expect(gz).toMatchObject({ status: 200, body: { accepted: 1 } });
    const rest = alerts.slice(1, third);
    const nd = await post(url, rest.map((a) => JSON.stringify(a)).join('\n') + '\n', { 'content-type': 'application/x-ndjson' });
    expect(nd).toMatchObject({ status: 200, body: { accepted: rest.length } });
    const arr = alerts.slice(third);
    const ja = await post(url, gzipSync(JSON.stringify(arr)));
    expect(ja).toMatchObject({ status: 200, body: { accepted: arr.length } });
    await app.ingest.alerts.idle();
    expect(out.records.map((r) => r.drift_id).sort()).toEqual(await nativeDriftIds(demoRecords()));
  });

  it('answers 413, 415 and 400 for what is not an alert, counting each in tfdrift_events_failed_total', async () => {
    const { app, url } = await start({ inputs: { falco_http: { max_body_bytes: 4096 } } });
    const alert = demoAlerts()[0];
    expect((await post(url, 'x'.repeat(5000))).status).toBe(413);
    expect((await post(url, gzipSync(JSON.stringify({ output_fields: { pad: 'y'.repeat(20000) }, rule: 'r' })))).status).toBe(413);
    expect((await post(url, JSON.stringify(alert), { 'content-type': 'text/html' })).status).toBe(415);
    expect((await post(url, JSON.stringify(alert), { 'content-encoding': 'br' })).status).toBe(415);
    const notAlert = await post(url, JSON.stringify({ hello: 'world' }));
    expect(notAlert.status).toBe(400);
    expect(JSON.stringify(notAlert.body)).toMatch(/output_fields/);
    expect((await post(url, '{"rule": "x", "output_fields": {')).status).toBe(400);
    expect((await post(url, '')).status).toBe(400);
    expect((await post(url, '[]')).status).toBe(400);
    expect((await post(url, JSON.stringify({ rule: 7, output_fields: {} }))).status).toBe(400);
    const mixed = await post(url, [JSON.stringify(alert), '{broken', '42'].join('\n'));
    expect(mixed).toMatchObject({ status: 200, body: { accepted: 1, failed: 2 } });
    await app.ingest.alerts.idle();
    const failed = async (reason: string) => counter(app.metrics, 'tfdrift_events_failed_total', { reason });
    expect(await failed('body_too_large')).toBe(2);
    expect(await failed('unsupported_media_type')).toBe(1);
    expect(await failed('unsupported_encoding')).toBe(1);
    expect(await failed('not_an_alert')).toBe(2);
    expect(await failed('invalid_json')).toBe(2);
    expect(await failed('empty_body')).toBe(2);
    expect(await failed('bad_alert_field')).toBe(1);
  });

  it('requires a credential beyond loopback-without-token: bearer or ?token=', async () => {
    const { url } = await start({ server: { listen: '127.0.0.1:0', token: 's3cret' } });
    const body = JSON.stringify(demoAlerts()[0]);
    expect((await post(url, body)).status).toBe(401);
    expect((await post(`${url}?token=wrong`, body)).status).toBe(401);
    expect((await post(`${url}?token=s3cret`, body)).status).toBe(200);
    expect((await post(url, body, { authorization: 'Bearer s3cret' })).status).toBe(200);
  });

  it('drops a redelivered alert (same CloudTrail event ID) once, counted as suppressed', async () => {
    const { app, out, url } = await start({ detection: { dedup_window_seconds: 0 } });
    const alert = demoAlerts()[0];
    await post(url, JSON.stringify(alert));
    await post(url, JSON.stringify({ ...alert, uuid: 'another' }));
    await app.ingest.alerts.idle();
    expect(out.records.length).toBe(1);
    expect(await counter(app.metrics, 'tfdrift_events_suppressed_total', { reason: 'duplicate_alert' })).toBe(1);
  });
});
