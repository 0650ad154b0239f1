import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FalcoGrpcInput, backoffDelay, type GrpcInputConfig } from '../../src/ingest/grpc.js';
import { inputsConfigSchema } from '../../src/ingest/config.js';
import { corpusCloudTrail, responseFromCloudTrail } from './corpus.js';
import { FakeFalco, until } from './fake-falco.js';
import { counter, ingestHarness, makeCerts, nativeDriftIds, tempDir } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function grpcConfig(address: string, extra: Record<string, unknown> = {}): GrpcInputConfig {
  return inputsConfigSchema.parse({
    falco_grpc: { enabled: true, address, poll_interval_ms: 20, reconnect: { initial_ms: 20, max_ms: 200 }, ...extra },
  }).falco_grpc;
}

let certs: ReturnType<typeof makeCerts>;
beforeAll(() => {
  certs = makeCerts();
});

describe('Falco gRPC outputs input', () => {
  it('streams the corpus over a unix socket; streams cut mid-way with redelivery → reconnect, nothing lost, nothing processed twice', async () => {
    const records = await corpusCloudTrail();
    expect(records.length).toBeGreaterThan(300);
    const h = await ingestHarness();
    const falco = new FakeFalco();
    const address = await falco.start(`unix://${path.join(tempDir('tfdrift-sock-'), 'falco.sock')}`);
    falco.cutAfter = Math.ceil(records.length / 4);
    falco.redeliver = 7;
    falco.queue.push(...records.map(responseFromCloudTrail));
    const input = new FalcoGrpcInput({ config: grpcConfig(address), ingest: h.ingest, metrics: h.metrics, log: h.log });
    input.start();
    cleanups.push(async () => {
      await input.stop();
      await falco.kill();
      await h.ingest.close();
    });
    await until(() => falco.queue.length === 0 && h.processed.size === records.length, 30_000, 'every alert processed');
    await h.ingest.idle();
    expect(falco.streams).toBeGreaterThanOrEqual(4);
    expect(input.connections).toBe(falco.streams);
    expect(input.falcoVersion).toBe('0.43.0');
    expect(falco.sent).toBeGreaterThan(records.length); // redelivered messages were really resent
    expect([...h.processed.values()].every((n) => n === 1)).toBe(true);
    expect(await counter(h.metrics, 'tfdrift_events_suppressed_total', { reason: 'duplicate_alert' })).toBe(falco.sent - records.length);
    expect(h.out.records.map((r) => r.drift_id).sort()).toEqual(await nativeDriftIds(records));
    expect(await counter(h.metrics, 'tfdrift_events_received_total', { input: 'falco_grpc', source: 'aws_cloudtrail' })).toBe(records.length);
  });

  it('over TCP with mutual TLS: survives Falco going away and coming back on the same port, and reports tfdrift_input_connected', async () => {
    const records = (await corpusCloudTrail()).slice(0, 200);
    const h = await ingestHarness();
    const serverCreds = () =>
      grpc.ServerCredentials.createSsl(readFileSync(certs.ca), [{ cert_chain: readFileSync(certs.serverCert), private_key: readFileSync(certs.serverKey) }], true);
    let falco = new FakeFalco();
    const address = await falco.start('127.0.0.1:0', serverCreds());
    const config = grpcConfig(address, { tls: { enabled: true, ca: certs.ca, cert: certs.clientCert, key: certs.clientKey, server_name: 'localhost' } });
    const input = new FalcoGrpcInput({ config, ingest: h.ingest, metrics: h.metrics, log: h.log });
    h.metrics.sources.inputConnected = () => [{ labels: { input: 'falco_grpc' }, value: input.connected ? 1 : 0 }];
    input.start();
    cleanups.push(async () => {
      await input.stop();
      await falco.kill();
      await h.ingest.close();
    });
    falco.queue.push(...records.slice(0, 100).map(responseFromCloudTrail));
    await until(() => h.processed.size === 100, 20_000, 'first half');
    expect(await counter(h.metrics, 'tfdrift_input_connected', { input: 'falco_grpc' })).toBe(1);
    await falco.kill();
    await until(() => !input.connected, 10_000, 'disconnect noticed');
    expect(await counter(h.metrics, 'tfdrift_input_connected', { input: 'falco_grpc' })).toBe(0);
    falco = new FakeFalco();
    await falco.start(address, serverCreds());
    falco.queue.push(...records.slice(100).map(responseFromCloudTrail));
    await until(() => h.processed.size === 200, 20_000, 'second half after reconnect');
    await until(() => input.connected, 5000, 'connected again');
    expect(await counter(h.metrics, 'tfdrift_input_connected', { input: 'falco_grpc' })).toBe(1);
    expect([...h.processed.values()].every((n) => n === 1)).toBe(true);
  });

  it('refuses a server whose certificate the configured CA did not sign (no alert accepted)', async () => {
    const h = await ingestHarness();
    const falco = new FakeFalco();
    const address = await falco.start('127.0.0.1:0', grpc.ServerCredentials.createSsl(null, [{ cert_chain: readFileSync(certs.serverCert), private_key: readFileSync(certs.serverKey) }], false));
    const otherCa = tempDir('tfdrift-ca2-');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'k', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=other'], { cwd: otherCa, stdio: 'pipe' });
    const config = grpcConfig(address, { tls: { enabled: true, ca: path.join(otherCa, 'ca.crt'), cert: certs.clientCert, key: certs.clientKey, server_name: 'localhost' } });
    falco.queue.push(responseFromCloudTrail((await corpusCloudTrail())[0]));
    const input = new FalcoGrpcInput({ config, ingest: h.ingest, metrics: h.metrics, log: h.log });
    input.start();
    cleanups.push(async () => {
      await input.stop();
      await falco.kill();
      await h.ingest.close();
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(input.connections).toBe(0);
    expect(falco.queue.length).toBe(1);
  });

  it('counts undecodable frames as bad_grpc_message and keeps the stream; the get method polls too', async () => {
    const records = (await corpusCloudTrail()).slice(0, 50);
    const h = await ingestHarness();
    const falco = new FakeFalco();
    const address = await falco.start('127.0.0.1:0');
    records.forEach((r, i) => {
      falco.queue.push(responseFromCloudTrail(r));
      if (i % 5 === 0) falco.queue.push(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2])); // length beyond the frame
    });
    const input = new FalcoGrpcInput({ config: grpcConfig(address, { method: 'get' }), ingest: h.ingest, metrics: h.metrics, log: h.log });
    input.start();
    cleanups.push(async () => {
      await input.stop();
      await falco.kill();
      await h.ingest.close();
    });
    await until(() => h.processed.size === records.length, 20_000, 'all good alerts');
    expect(await counter(h.metrics, 'tfdrift_events_failed_total', { reason: 'bad_grpc_message' })).toBe(10);
  });

  it('backs off exponentially with jitter, capped', () => {
    const lo = (a: number) => backoffDelay(a, 100, 5000, () => 0);
    const hi = (a: number) => backoffDelay(a, 100, 5000, () => 1);
    expect([0, 1, 2, 3].map(hi)).toEqual([100, 200, 400, 800]);
    expect([0, 1, 2, 3].map(lo)).toEqual([50, 100, 200, 400]);
    expect(hi(10)).toBe(5000);
    expect(lo(50)).toBe(2500);
  });
});
