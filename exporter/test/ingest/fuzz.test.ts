import { Agent, request } from 'node:http';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { FalcoGrpcInput } from '../../src/ingest/grpc.js';
import { inputsConfigSchema } from '../../src/ingest/config.js';
import { falcoAlertFromCloudTrail } from '../../src/providers/aws/falco-fields.js';
import { silentLogger } from '../../src/util/logger.js';
import { responseFromCloudTrail } from './corpus.js';
import { FakeFalco, until } from './fake-falco.js';
import { collectingOutput, counter, ingestConfig, ingestHarness, syntheticRoleRecords, tempDir } from './helpers.js';

/**
 * Property-based abuse of both inputs: ≥10,000 malformed, truncated, oversized and
 * type-confused bodies / messages with good alerts interleaved. Nothing may crash or reject
 * unhandled; every rejection is counted; every good alert's drift still comes out once.
 */

const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => void unhandled.push(e);
beforeAll(() => void process.on('unhandledRejection', onUnhandled));
afterAll(() => void process.off('unhandledRejection', onUnhandled));

const MAX_BODY = 16 * 1024;
const CT_FIELDS = ['ct.id', 'ct.name', 'ct.src', 'ct.request', 'ct.response', 'ct.readonly', 'ct.error', 'ct.user', 'ct.user.arn', 'ct.time', 'ct.region', 'ct.recipientaccountid'];
const baseAlert = falcoAlertFromCloudTrail(syntheticRoleRecords(1, 'base')[0]);
const baseText = JSON.stringify(baseAlert);

interface Case {
  body: string | Buffer;
  headers?: Record<string, string>;
  /** true when the body must be refused with 4xx */
  bad: boolean;
}

const confused = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.string(), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }));

/** node:http with keep-alive: far lighter than fetch for thousands of small posts. */
function postRaw(agent: Agent, url: URL, body: string | Buffer, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-length': String(Buffer.byteLength(body)), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const httpCase: fc.Arbitrary<Case> = fc.oneof(
  // truncated alert JSON
  fc.integer({ min: 1, max: baseText.length - 1 }).map((n) => ({ body: baseText.slice(0, n), bad: true })),
  // random bytes, sometimes with gzip magic
  fc.uint8Array({ minLength: 0, maxLength: 600 }).map((b) => ({ body: Buffer.from(b), bad: true })),
  fc.uint8Array({ maxLength: 200 }).map((b) => ({ body: Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.from(b)]), bad: true })),
  // oversized, plain or as a gzip bomb
  fc.integer({ min: MAX_BODY + 1, max: MAX_BODY * 2 }).map((n) => ({ body: `{"output_fields":{"x":"${'a'.repeat(n)}"},"rule":"r"}`, bad: true })),
  fc.constant({ body: gzipSync(Buffer.alloc(MAX_BODY * 8, 0x20)), headers: { 'content-encoding': 'gzip' }, bad: true }),
  // JSON that is not an alert
  fc.jsonValue({ maxDepth: 2 }).filter((v) => JSON.stringify(v).length < 2000 && !(v !== null && typeof v === 'object' && !Array.isArray(v) && 'output_fields' in v)).map((v) => ({ body: JSON.stringify(v), bad: true })),
  // type-confused top-level fields
  fc.record({ key: fc.constantFrom('rule', 'priority', 'output', 'hostname', 'time', 'source'), value: fc.oneof(fc.integer(), fc.boolean(), fc.array(fc.integer(), { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 })) })
    .map(({ key, value }) => ({ body: JSON.stringify({ ...baseAlert, [key]: value }), bad: true })),
  confused.filter((v) => v === null || typeof v !== 'object' || Array.isArray(v)).map((v) => ({ body: JSON.stringify({ ...baseAlert, output_fields: v }), bad: true })),
  // wrong media type / encoding
  fc.constantFrom('text/html', 'application/xml', 'multipart/form-data', 'image/png').map((t) => ({ body: baseText, headers: { 'content-type': t }, bad: true })),
  fc.constantFrom('br', 'deflate', 'zstd').map((e) => ({ body: baseText, headers: { 'content-encoding': e }, bad: true })),
  // alert-shaped with type-confused output_fields values: accepted, then classified downstream
  fc.dictionary(fc.constantFrom(...CT_FIELDS), confused, { maxKeys: 8 }).map((f) => ({
    body: JSON.stringify({ ...baseAlert, output_fields: Object.fromEntries(Object.entries(f).map(([k, v]) => [k, typeof v === 'object' && v !== null ? JSON.stringify(v) : v])) }),
    bad: false,
  })),
);

describe('property: malformed input at both inputs', () => {
  it('HTTP: ≥10,000 hostile bodies, good alerts interleaved — no 5xx, each refusal counted, every good drift once', async () => {
    const out = collectingOutput();
    const config = ingestConfig(tempDir(), { inputs: { falco_http: { max_body_bytes: MAX_BODY }, dedup_keys: 0 }, detection: { dedup_window_seconds: 0 } });
    const app: App = await startApp(config, { log: silentLogger(), outputs: [out] });
    const url = new URL(`${app.url}/falco`);
    const agent = new Agent({ keepAlive: true, maxSockets: 12 });
    let goodSeq = 0;
    let total = 0;
    const expectedRoles: string[] = [];
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(httpCase, { minLength: 100, maxLength: 100 }), async (cases) => {
          // one good alert after every 10 hostile bodies
          const all: Case[] = [];
          cases.forEach((c, i) => {
            all.push(c);
            if (i % 10 === 9) {
              const rec = syntheticRoleRecords(1, `f${goodSeq++}`)[0];
              expectedRoles.push(String((rec.requestParameters as Record<string, unknown>).roleName));
              all.push({ body: JSON.stringify(falcoAlertFromCloudTrail(rec)), bad: false });
            }
          });
          const failedBefore = await counter(app.metrics, 'tfdrift_events_failed_total');
          const receivedBefore = await counter(app.metrics, 'tfdrift_events_received_total', { input: 'falco_http' });
          const statuses: number[] = [];
          let accepted = 0;
          let next = 0;
          await Promise.all(
            Array.from({ length: 12 }, async () => {
              while (next < all.length) {
                const c = all[next++];
                const res = await postRaw(agent, url, c.body, { 'content-type': 'application/json', ...c.headers });
                let body: { accepted?: number } = {};
                try {
                  body = JSON.parse(res.body) as typeof body;
                } catch {
                  // error bodies are JSON too; a 413 may close early
                }
                statuses.push(res.status);
                if (c.bad) expect([400, 413, 415], `${res.status} for ${String(c.body).slice(0, 80)}`).toContain(res.status);
                else expect(res.status).toBe(200);
                accepted += body.accepted ?? 0;
              }
            }),
          );
          total += all.length;
          await app.ingest.alerts.idle();
          const refused = statuses.filter((s) => s >= 400).length;
          expect(await counter(app.metrics, 'tfdrift_events_failed_total') - failedBefore).toBeGreaterThanOrEqual(refused);
          expect(await counter(app.metrics, 'tfdrift_events_received_total', { input: 'falco_http' }) - receivedBefore).toBe(accepted);
        }),
        { numRuns: 100, seed: 20260329, endOnFailure: true },
      );
      expect(total).toBeGreaterThanOrEqual(10_000);
      const got = out.records.map((r) => r.resource_id ?? '').filter((id) => id.startsWith('tfdrift-test-role-f'));
      expect(got.sort()).toEqual(expectedRoles.map((r) => r).sort());
      expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
      expect(unhandled).toEqual([]);
    } finally {
      agent.destroy();
      await app.stop();
    }
  }, 120_000);

  it('gRPC: ≥10,000 hostile messages (bytes, truncated frames, type-confused fields) — stream survives, every message accounted for, good alerts once', async () => {
    const h = await ingestHarness({ inputs: { dedup_keys: 0 } });
    const falco = new FakeFalco();
    const address = await falco.start('127.0.0.1:0');
    const config = inputsConfigSchema.parse({ falco_grpc: { enabled: true, address, poll_interval_ms: 10, reconnect: { initial_ms: 20, max_ms: 200 } } }).falco_grpc;
    const input = new FalcoGrpcInput({ config, ingest: h.ingest, metrics: h.metrics, log: h.log });
    input.start();
    const good = syntheticRoleRecords(500, 'g').map(responseFromCloudTrail);
    const { loadFalcoProtos } = await import('../../src/ingest/proto.js');
    const serialize = (loadFalcoProtos()['falco.outputs.service'] as Record<string, { responseSerialize: (v: object) => Buffer }>).sub.responseSerialize;
    // Truncations of a record outside the counted good set (a cut on a field boundary decodes as a shorter, valid alert).
    const decoy = responseFromCloudTrail(syntheticRoleRecords(1, 'trunc')[0]);
    const wire = serialize(decoy);
    const hostile: fc.Arbitrary<Buffer | object> = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => Buffer.from(b)),
      fc.integer({ min: 1, max: wire.length - 1 }).map((n) => Buffer.from(wire.subarray(0, n))),
      fc.dictionary(fc.constantFrom(...CT_FIELDS, 'gcp.methodName', 'x'), fc.string({ maxLength: 20 }), { maxKeys: 6 }).map((f) => ({ ...decoy, output_fields: f })),
      fc.record({ source: fc.string({ maxLength: 12 }), rule: fc.string({ maxLength: 12 }), priority: fc.integer({ min: -5, max: 20 }), hostname: fc.string({ maxLength: 5 }) }),
    );
    const items = fc.sample(hostile, { numRuns: 10_000, seed: 42 });
    let g = 0;
    items.forEach((m, i) => {
      falco.queue.push(m as never);
      if (i % 20 === 19) falco.queue.push(good[g++]);
    });
    const sent = falco.queue.length;
    try {
      await until(async () => {
        const accounted = (await counter(h.metrics, 'tfdrift_events_failed_total', { reason: 'bad_grpc_message' })) +
          (await counter(h.metrics, 'tfdrift_events_received_total', { input: 'falco_grpc' })) +
          (await counter(h.metrics, 'tfdrift_events_failed_total', { reason: 'bad_output_fields' })) +
          (await counter(h.metrics, 'tfdrift_events_failed_total', { reason: 'bad_alert_field' })) +
          (await counter(h.metrics, 'tfdrift_events_failed_total', { reason: 'not_an_alert' }));
        return accounted === sent && falco.queue.length === 0;
      }, 50_000, 'every message accounted for');
      await h.ingest.idle();
      expect(sent).toBeGreaterThan(10_000);
      expect(await counter(h.metrics, 'tfdrift_events_failed_total', { reason: 'bad_grpc_message' })).toBeGreaterThan(1000);
      const ids = good.slice(0, g).map((r) => r.output_fields!['ct.id']);
      for (const id of ids) expect(h.processed.get(id)).toBe(1);
      expect(h.out.records.filter((r) => (r.resource_id ?? '').startsWith('tfdrift-test-role-g-')).length).toBe(g);
      expect(input.connections).toBe(1); // one stream carried it all
      expect(unhandled).toEqual([]);
    } finally {
      await input.stop();
      await falco.kill();
      await h.ingest.close();
    }
  }, 120_000);
});
