import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { silentLogger } from '../../src/util/logger.js';
import { demoRecords } from '../../src/cli/commands/demo.js';
import { FakeFalco, until } from './fake-falco.js';
import { responseFromCloudTrail } from './corpus.js';
import { collectingOutput, demoAlerts, ingestConfig, makeCerts, tempDir } from './helpers.js';

let app: App | null = null;
let falco: FakeFalco | null = null;
afterEach(async () => {
  await app?.stop();
  await falco?.kill();
  app = null;
  falco = null;
});

function httpsPost(url: string, body: string, opts: { ca: string; cert?: string; key?: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, {
      method: 'POST',
      ca: readFileSync(opts.ca),
      ...(opts.cert ? { cert: readFileSync(opts.cert), key: readFileSync(opts.key!) } : {}),
      headers: { 'content-type': 'application/json' },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the app with both Falco inputs', () => {
  it('accepts POST /falco over mutual TLS with a client certificate and no token; refuses a client without one', async () => {
    const certs = makeCerts();
    const out = collectingOutput();
    const config = ingestConfig(tempDir(), {
      server: { listen: '127.0.0.1:0', token: 'not-sent-by-the-client', tls: { enabled: true, cert: certs.serverCert, key: certs.serverKey, client_ca: certs.ca } },
    });
    app = await startApp(config, { log: silentLogger(), outputs: [out] });
    const url = `${app.url.replace('127.0.0.1', 'localhost')}/falco`;
    const body = JSON.stringify(demoAlerts()[0]);
    expect(await httpsPost(url, body, { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey })).toBe(200);
    expect(await httpsPost(url, body, { ca: certs.ca })).toBe(401);
    await app.ingest.alerts.idle();
    expect(out.records.length).toBe(1);
  });

  it('runs the gRPC subscriber from config: drift records out, tfdrift_input_connected{input="falco_grpc"} 1 on /metrics', async () => {
    falco = new FakeFalco();
    const address = await falco.start('127.0.0.1:0');
    const out = collectingOutput();
    const config = ingestConfig(tempDir(), { inputs: { falco_grpc: { enabled: true, address, poll_interval_ms: 20 } } });
    app = await startApp(config, { log: silentLogger(), outputs: [out] });
    falco.queue.push(...demoRecords().map(responseFromCloudTrail));
    await until(() => out.records.length >= 9, 20_000, 'drift records from gRPC alerts');
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/^tfdrift_input_connected\{input="falco_grpc"\} 1$/m);
    expect(metrics).toMatch(/^tfdrift_input_connected\{input="falco_http"\} 1$/m);
    expect(metrics).toMatch(/^tfdrift_events_received_total\{input="falco_grpc",source="aws_cloudtrail"\} \d+/m);
    expect(app.ingest.grpc?.falcoVersion).toBe('0.43.0');
  });
});
