/**
 * The Event Hubs input over the wire: the real @azure/event-hubs client inside the exporter,
 * talking AMQP 1.0 to a loopback Event Hubs peer (eventhubs-peer.ts, on rhea): CBS put-token
 * with the connection string's SAS (signature verified), partition discovery on $management,
 * one receiver link per partition in the exporter's consumer group, activity records in,
 * checkpoints written after processing, and a receiver link dropped mid-batch; and `tfdrift run`
 * with only the namespace, over TLS, putting an Azure AD token from DefaultAzureCredential
 * (a managed-identity endpoint on loopback) on $cbs.
 */
import { spawn } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { validateDriftRecord, type DriftRecord } from '../../src/model/drift.js';
import type { Output } from '../../src/outputs/types.js';
import { silentLogger, type Logger } from '../../src/util/logger.js';
import { BIN, CORPUS, EXPORTER_DIR } from '../helpers/cli.js';
import { AZURE_FIXTURES } from '../gcp/scenario.js';
import { until } from '../ingest/fake-falco.js';
import { makeCerts } from '../ingest/helpers.js';
import { startServer } from '../state/helpers.js';
import { EventHubsPeer, type PutToken } from './eventhubs-peer.js';

type Rec = Record<string, unknown>;
const HUB = 'insights-activity-logs';
const KEY = 'bGlzdGVuLWtleS1mb3ItdGVzdHM=';
const STATE = path.join(AZURE_FIXTURES, 'states/prod.tfstate');
const corpus = (): Rec[] => (JSON.parse(readFileSync(path.join(CORPUS, 'azure/panther-analysis/panther_azure_monitoractivity_rule_tests.json'), 'utf8')) as { records: Rec[] }).records;
const writes = (): Rec[] => corpus().filter((r) => ['Microsoft.Network/networkSecurityGroups/securityRules/write', 'Microsoft.Compute/virtualMachines/write'].includes(String(r.operationName)));
/** One diagnostic-settings event: `{"records":[…]}` with one activity record under a fresh correlation ID. */
const event = (i: number): { id: string; body: Buffer } => {
  const id = randomUUID();
  const base = writes()[i % writes().length];
  return { id, body: Buffer.from(JSON.stringify({ records: [{ ...base, correlationId: id }] })) };
};

/** A SAS token as Event Hubs checks it: HMAC-SHA256 over the encoded resource URI and expiry, with the rule's key. */
function validSas(t: PutToken): boolean {
  if (t.type !== 'servicebus.windows.net:sastoken') return false;
  const p = new URLSearchParams(t.token.replace(/^SharedAccessSignature /, '').replace(/&/g, '&'));
  const sr = p.get('sr') ?? '';
  const expected = createHmac('sha256', KEY).update(`${encodeURIComponent(sr)}\n${p.get('se')}`).digest('base64');
  return p.get('skn') === 'tfdrift-listen' && p.get('sig') === expected && Number(p.get('se')) > Date.now() / 1000 && t.audience.startsWith(sr);
}

let app: App | null = null;
let peer: EventHubsPeer | null = null;
afterEach(async () => {
  await app?.stop();
  await peer?.stop();
  app = null;
  peer = null;
});

/** A logger that keeps what it is told (the input reports client errors as warnings). */
function collectingLog(): Logger & { lines: { level: string; message: string; meta: Rec }[] } {
  const lines: { level: string; message: string; meta: Rec }[] = [];
  const at = (level: string) => ((message: string, meta: Rec = {}) => void lines.push({ level, message, meta })) as unknown as Logger['warn'];
  return { lines, error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

async function boot(extra: Record<string, unknown> = {}, log: Logger = silentLogger()): Promise<{ app: App; records: DriftRecord[]; processed: string[]; storage: string }> {
  const records: DriftRecord[] = [];
  const sink: Output = { name: 'test', send: (r) => void records.push(r), queueLength: () => 0, flush: async () => {}, close: async () => {} };
  const storage = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-eh-'));
  const config = parseConfig({
    server: { listen: '127.0.0.1:0' },
    inputs: {
      falco_http: { enabled: false },
      azure_event_hubs: { enabled: true, connection_string: peer!.connectionString('tfdrift-listen', KEY), event_hub_name: '', consumer_group: 'tfdrift', start_position: 'earliest', max_batch_size: 10, max_wait_seconds: 1, ...extra },
    },
    states: [{ name: 'azure-prod', backend: 'local', path: STATE, provider: 'azure', account_id: '12345678-1234-1234-1234-123456789abc' }],
    storage: { dir: storage },
  });
  const started = await startApp(config, { log, outputs: [sink] });
  app = started;
  const processed: string[] = [];
  const original = started.pipeline.processRecord.bind(started.pipeline);
  vi.spyOn(started.pipeline, 'processRecord').mockImplementation((provider, record, input) => {
    processed.push(String((record as Rec).correlationId));
    return original(provider, record, input);
  });
  return { app: started, records, processed, storage };
}

/** The checkpoint the exporter wrote for each partition (sequence number of the last processed event). */
function checkpoints(storage: string): Record<string, number> {
  const dir = path.join(storage, 'eventhubs');
  const file = readdirSync(dir).find((f) => f.endsWith('.json'))!;
  const doc = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { checkpoints: { partitionId: string; sequenceNumber: number; consumerGroup: string }[] };
  return Object.fromEntries(doc.checkpoints.map((c) => [`${c.consumerGroup}/${c.partitionId}`, c.sequenceNumber]));
}

describe('Event Hubs over AMQP 1.0 (loopback peer on rhea)', () => {
  it('authenticates with the connection string (CBS), finds the partitions, reads each in its consumer group, checkpoints after processing', async () => {
    peer = new EventHubsPeer(HUB, ['0', '1']);
    peer.accept = validSas;
    await peer.start();
    const p0 = [event(0), event(1), event(2)];
    const p1 = [event(3), event(4)];
    peer.publish('0', p0.map((e) => e.body));
    peer.publish('1', p1.map((e) => e.body));
    const { app, records, processed, storage } = await boot();

    await until(() => processed.length >= 5, 60_000, 'all five events processed');
    await until(() => { try { return checkpoints(storage)['tfdrift/0'] === 2 && checkpoints(storage)['tfdrift/1'] === 1; } catch { return false; } }, 30_000, 'checkpoints');
    expect(processed.sort()).toEqual([...p0, ...p1].map((e) => e.id).sort());
    expect(peer.tokens.length).toBeGreaterThan(0);
    expect(peer.tokens.every(validSas)).toBe(true);
    expect(peer.managementReads).toContain('com.microsoft:eventhub');
    expect(peer.attaches.map((a) => `${a.group}/${a.partition}`).sort()).toEqual(['tfdrift/0', 'tfdrift/1']);
    expect(peer.attaches.every((a) => a.filter === "amqp.annotation.x-opt-offset > '-1'")).toBe(true);
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) expect(validateDriftRecord(r)).toEqual([]);
    expect(app.metrics.registry.getSingleMetric('tfdrift_input_connected')).toBeDefined();
  });

  it('a receiver link dropped mid-batch: the client re-attaches after the last event it got, every event processed once', async () => {
    peer = new EventHubsPeer(HUB, ['0']);
    peer.accept = validSas;
    await peer.start();
    const events = Array.from({ length: 6 }, (_, i) => event(i));
    peer.dropAfter.set('0', 2);
    peer.publish('0', events.map((e) => e.body));
    const { processed, storage } = await boot({ retry_delay_seconds: 0.2 });

    await until(() => processed.length >= 6, 60_000, 'six events processed');
    await until(() => { try { return checkpoints(storage)['tfdrift/0'] === 5; } catch { return false; } }, 30_000, 'checkpoint at 5');
    expect(peer.attaches.length).toBeGreaterThanOrEqual(2);
    expect(peer.attaches[1].filter).toMatch(/^amqp\.annotation\.x-opt-(offset > '1000'|sequence-number > '1')$/);
    expect(processed.sort()).toEqual(events.map((e) => e.id).sort());
  });

  it('a refused token is an error the input reports, not silence', async () => {
    peer = new EventHubsPeer(HUB, ['0']);
    peer.accept = () => false;
    await peer.start();
    peer.publish('0', [event(0).body]);
    const log = collectingLog();
    const { processed } = await boot({ retry_delay_seconds: 0.2 }, log);

    await until(() => log.lines.some((l) => l.message === 'event hubs error'), 60_000, 'the input to report the refusal');
    const reported = log.lines.find((l) => l.message === 'event hubs error')!;
    expect(String(reported.meta.error)).toMatch(/InvalidSignature|401|not valid/i);
    expect(String(reported.meta.error)).not.toContain(KEY);
    expect(processed).toEqual([]);
    expect(peer.attaches).toEqual([]);
  });

  it('Azure AD: `tfdrift run` with only the namespace gets a token from DefaultAzureCredential (managed identity) and puts it on $cbs as a jwt, over TLS', async () => {
    const certs = makeCerts();
    peer = new EventHubsPeer(HUB, ['0']);
    const msiToken = 'eyJ0eXAiOiJKV1QifQ.aad-eventhubs.sig';
    peer.accept = (t) => t.type === 'jwt' && t.token === msiToken;
    await peer.start({ key: readFileSync(certs.serverKey), cert: readFileSync(certs.serverCert) });
    const e = event(0);
    peer.publish('0', [e.body]);
    const resources: string[] = [];
    const msi = await startServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (req.headers['x-identity-header'] !== 'msi-secret') return void res.writeHead(401).end();
      resources.push(String(url.searchParams.get('resource')));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: msiToken, expires_on: String(Math.floor(Date.now() / 1000) + 3600), resource: url.searchParams.get('resource'), token_type: 'Bearer' }));
    });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-eh-aad-'));
    const config = path.join(dir, 'tfdrift.yaml');
    writeFileSync(config, JSON.stringify({
      server: { listen: '127.0.0.1:0' },
      inputs: { falco_http: { enabled: false }, azure_event_hubs: { enabled: true, fully_qualified_namespace: `127.0.0.1:${peer.port}`, event_hub_name: HUB, consumer_group: 'tfdrift', start_position: 'earliest', max_wait_seconds: 1, retry_delay_seconds: 0.2 } },
      states: [{ name: 'azure-prod', backend: 'local', path: STATE, provider: 'azure', account_id: '12345678-1234-1234-1234-123456789abc' }],
      outputs: { stdout: { enabled: true, format: 'jsonl' } },
      storage: { dir },
    }));
    // The process trusts the peer's CA the way an operator adds a private CA; its only Azure identity is the managed identity.
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(AZURE_|IDENTITY_|MSI_|IMDS_)/.test(k)));
    const run = spawn(process.execPath, [BIN, 'run', '--config', config], {
      cwd: EXPORTER_DIR,
      env: { ...clean, NODE_EXTRA_CA_CERTS: certs.ca, IDENTITY_ENDPOINT: `${msi.url}/msi/token`, IDENTITY_HEADER: 'msi-secret' },
    });
    let out = '';
    let err = '';
    run.stdout.on('data', (d: Buffer) => void (out += d.toString()));
    run.stderr.on('data', (d: Buffer) => void (err += d.toString()));
    try {
      await until(() => out.includes('"event_type":"terraform_drift_detected"'), 60_000, `a drift record on stdout; stderr:\n${err.slice(-1500)}`);
      expect(resources[0]).toBe('https://eventhubs.azure.net/');
      expect(peer.tokens.length).toBeGreaterThan(0);
      expect(peer.tokens.every((t) => t.type === 'jwt' && t.token === msiToken)).toBe(true);
      expect(peer.tokens[0].audience).toContain(`127.0.0.1:${peer.port}/${HUB}`);
      expect(peer.attaches.map((a) => `${a.group}/${a.partition}`)).toEqual(['tfdrift/0']);
      const record = JSON.parse(out.split('\n').find((l) => l.includes('terraform_drift_detected'))!) as DriftRecord;
      expect(validateDriftRecord(record)).toEqual([]);
      expect(record.provider).toBe('azure');
    } finally {
      run.kill('SIGTERM');
      await new Promise((r) => run.once('exit', r));
      await msi.close();
    }
  }, 90_000);
});
