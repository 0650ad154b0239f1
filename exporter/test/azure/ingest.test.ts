import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { PartitionContext, ReceivedEventData, SubscriptionEventHandlers } from '@azure/event-hubs';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { FileCheckpointStore } from '../../src/ingest/azure/checkpoints.js';
import { decodeActivityPayload } from '../../src/ingest/azure/decode.js';
import type { ConsumerClientLike } from '../../src/ingest/azure/eventhubs.js';
import { wireAzureInputs } from '../../src/ingest/azure/wire.js';
import { validateDriftRecord, type DriftRecord } from '../../src/model/drift.js';
import type { Output } from '../../src/outputs/types.js';
import { silentLogger } from '../../src/util/logger.js';
import { CORPUS } from '../helpers/cli.js';
import { AZURE_FIXTURES } from '../gcp/scenario.js';

type Rec = Record<string, unknown>;
const STATE = path.join(AZURE_FIXTURES, 'states/prod.tfstate');
const corpus = (): Rec[] => (JSON.parse(readFileSync(path.join(CORPUS, 'azure/panther-analysis/panther_azure_monitoractivity_rule_tests.json'), 'utf8')) as { records: Rec[] }).records;
/**
 * Corpus records under a fresh correlation ID: the Azure provider folds repeats of one
 * operation (same correlation ID) for the life of the process, and these tests share one.
 */
const fresh = (r: Rec): Rec => ({ ...r, correlationId: randomUUID() });
const nsgRuleWrite = (): Rec => fresh(corpus().find((r) => r.operationName === 'Microsoft.Network/networkSecurityGroups/securityRules/write')!);
const vmWrite = (): Rec => fresh(corpus().find((r) => r.operationName === 'Microsoft.Compute/virtualMachines/write')!);

const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.stop()));
});

async function boot(inputs: Record<string, unknown>, token = 'sekret'): Promise<{ app: App; records: DriftRecord[] }> {
  const records: DriftRecord[] = [];
  const sink: Output = { name: 'test', send: (r) => void records.push(r), queueLength: () => 0, flush: async () => {}, close: async () => {} };
  const config = parseConfig({
    server: { listen: '127.0.0.1:0', token },
    inputs,
    states: [{ name: 'azure-prod', backend: 'local', path: STATE, provider: 'azure', account_id: '12345678-1234-1234-1234-123456789abc' }],
    storage: { dir: mkdtempSync(path.join(os.tmpdir(), 'tfdrift-azure-')) },
  });
  const app = await startApp(config, { log: silentLogger(), outputs: [sink] });
  await app.statesSettled; // states load in the background (issue 16); this test drives the pipeline directly
  apps.push(app);
  return { app, records };
}

describe('decoding activity payloads', () => {
  it('reads {"records":[...]}, gzip, REST lists, arrays and NDJSON; names bad lines', () => {
    const rec = corpus()[0];
    expect(decodeActivityPayload(Buffer.from(JSON.stringify({ records: [rec, rec] }))).records).toHaveLength(2);
    expect(decodeActivityPayload(gzipSync(JSON.stringify({ records: [rec] }))).records).toEqual([rec]);
    expect(decodeActivityPayload({ value: [rec] }).records).toEqual([rec]);
    expect(decodeActivityPayload([{ records: [rec] }, rec]).records).toHaveLength(2);
    const nd = decodeActivityPayload(`${JSON.stringify(rec)}\n{oops\n${JSON.stringify({ records: [rec] })}\n`);
    expect(nd.records).toHaveLength(2);
    expect(nd.errors.map((e) => e.message)).toEqual([expect.stringMatching(/^line 2: invalid JSON/)]);
    expect(decodeActivityPayload('').errors[0].reason).toBe('empty_body');
  });
});

describe('POST /azure (Event Hubs forwarders)', () => {
  it('needs the credential, processes the records before answering, and rejects bodies without records', async () => {
    const { app, records } = await boot({ azure_http: { enabled: true } });
    const body = `${JSON.stringify(nsgRuleWrite())}\n${JSON.stringify(vmWrite())}\n`;
    expect((await fetch(`${app.url}/azure`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body })).status).toBe(401);
    const res = await fetch(`${app.url}/azure`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', authorization: 'Bearer sekret' }, body });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: 2, failed: 0, drifts: 2 });
    expect(records.map((r) => [r.change_type, r.resource_type])).toEqual([
      ['modified', 'azurerm_network_security_group'],
      ['unmanaged', 'azurerm_linux_virtual_machine'],
    ]);
    for (const r of records) expect(validateDriftRecord(r)).toEqual([]);
    const bad = await fetch(`${app.url}/azure?token=sekret`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"hello":"world"}' });
    expect(bad.status).toBe(400);
    const metrics = await (await fetch(`${app.url}/metrics`, { headers: { authorization: 'Bearer sekret' } })).text();
    expect(metrics).toMatch(/tfdrift_events_received_total\{input="azure_http",source="azure"\} 2/);
    expect(metrics).toMatch(/tfdrift_input_connected\{input="azure_http"\} 1/);
  });

  it('is absent unless enabled', async () => {
    const { app } = await boot({});
    expect((await fetch(`${app.url}/azure`, { method: 'POST', headers: { authorization: 'Bearer sekret' }, body: '{}' })).status).toBe(404);
  });
});

describe('Azure activity alerts through the Falco receiver (community plugin, configurable source)', () => {
  it('an alert whose source is the configured name and whose fields carry the record → drift', async () => {
    const { app, records } = await boot({ azure_falco_source: 'azureactivity' });
    const rec = nsgRuleWrite();
    const fields: Rec = {};
    for (const [k, v] of Object.entries(rec)) fields[`azure.${k}`] = typeof v === 'string' ? v : JSON.stringify(v);
    const alert = { output: 'Azure write', priority: 'Warning', rule: 'Azure activity write', time: '2024-12-17T14:00:01Z', source: 'azureactivity', output_fields: fields, hostname: 'falco-1' };
    const res = await fetch(`${app.url}/falco?token=sekret`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alert) });
    expect(res.status).toBe(200);
    const end = Date.now() + 10_000;
    while (records.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(records).toMatchObject([{ change_type: 'modified', resource_type: 'azurerm_network_security_group', falco: { rule: 'Azure activity write', hostname: 'falco-1' } }]);
  });
});

/** A stand-in for EventHubConsumerClient: the test drives the handlers the input subscribed. */
class FakeClient implements ConsumerClientLike {
  handlers: SubscriptionEventHandlers | null = null;
  closed = false;
  subscribe(handlers: SubscriptionEventHandlers): { close(): Promise<void> } {
    this.handlers = handlers;
    return { close: async () => void (this.closed = true) };
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

function eventOf(body: unknown, sequenceNumber: number): ReceivedEventData {
  return { body, sequenceNumber, offset: String(sequenceNumber * 100), enqueuedTimeUtc: new Date(), partitionKey: null, properties: {}, systemProperties: {} } as unknown as ReceivedEventData;
}

function contextFor(store: FileCheckpointStore, log: string[]): PartitionContext {
  return {
    fullyQualifiedNamespace: 'tfdrift-test.servicebus.windows.net', eventHubName: 'insights-activity-logs', consumerGroup: '$Default', partitionId: '0',
    updateCheckpoint: async (ev: ReceivedEventData) => {
      log.push(`checkpoint ${ev.sequenceNumber}`);
      await store.updateCheckpoint({
        fullyQualifiedNamespace: 'tfdrift-test.servicebus.windows.net', eventHubName: 'insights-activity-logs', consumerGroup: '$Default',
        partitionId: '0', sequenceNumber: ev.sequenceNumber, offset: ev.offset as unknown as string,
      } as never);
    },
  } as unknown as PartitionContext;
}

describe('Event Hubs consumer (injected client)', () => {
  it('decodes each message into records, processes them, then checkpoints the batch at its last event', async () => {
    const { app, records } = await boot({});
    const client = new FakeClient();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-eh-'));
    const azure = wireAzureInputs(
      parseConfig({ inputs: { azure_event_hubs: { enabled: true, connection_string: 'Endpoint=sb://x/', checkpoint_dir: dir } }, states: [], storage: { dir } }),
      { server: app.server, pipeline: app.pipeline, metrics: app.metrics, log: silentLogger(), clientFactory: () => client },
    );
    azure.start();
    expect(client.handlers).not.toBeNull();
    await client.handlers!.processInitialize?.({ partitionId: '0' } as never);
    expect(azure.connected(true)).toEqual([{ labels: { input: 'azure_event_hubs' }, value: 1 }]);

    const store = new FileCheckpointStore(dir);
    const log: string[] = [];
    const seenAtCheckpoint: number[] = [];
    const ctx = contextFor(store, log);
    const wrapped = { ...ctx, updateCheckpoint: async (ev: ReceivedEventData) => { seenAtCheckpoint.push(records.length); await ctx.updateCheckpoint(ev); } } as PartitionContext;
    await client.handlers!.processEvents(
      [eventOf(Buffer.from(JSON.stringify({ records: [nsgRuleWrite()] })), 41), eventOf({ records: [vmWrite(), { not: 'a record' }] }, 42), eventOf('{broken', 43)],
      wrapped,
    );
    expect(records.map((r) => r.change_type)).toEqual(['modified', 'unmanaged']);
    expect(seenAtCheckpoint).toEqual([2]); // every record was processed before the checkpoint
    expect(log).toEqual(['checkpoint 43']);
    expect(azure.eventHubs?.stats).toMatchObject({ events: 3, records: 3, drifts: 2, checkpoints: 1 });
    await client.handlers!.processEvents([], wrapped); // empty batch after the wait time: no checkpoint
    expect(log).toEqual(['checkpoint 43']);

    // A restarted exporter resumes from the file.
    const reread = await new FileCheckpointStore(dir).listCheckpoints('tfdrift-test.servicebus.windows.net', 'insights-activity-logs', '$Default');
    expect(reread).toMatchObject([{ partitionId: '0', sequenceNumber: 43 }]);
    await azure.stop();
    expect(client.closed).toBe(true);
  });

  it('does not checkpoint a batch whose processing failed (it is redelivered)', async () => {
    const { app } = await boot({});
    const client = new FakeClient();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-eh-'));
    const azure = wireAzureInputs(
      parseConfig({ inputs: { azure_event_hubs: { enabled: true, connection_string: 'Endpoint=sb://x/' } }, states: [], storage: { dir } }),
      { server: app.server, pipeline: app.pipeline, metrics: app.metrics, log: silentLogger(), clientFactory: () => client },
    );
    azure.start();
    const log: string[] = [];
    const ctx = contextFor(new FileCheckpointStore(dir), log);
    const original = app.pipeline.processRecord.bind(app.pipeline);
    app.pipeline.processRecord = () => {
      throw new Error('disk full');
    };
    await expect(client.handlers!.processEvents([eventOf({ records: [nsgRuleWrite()] }, 7)], ctx)).rejects.toThrow('disk full');
    app.pipeline.processRecord = original;
    expect(log).toEqual([]);
    await azure.stop();
  });
});

describe('file checkpoint store', () => {
  it('never moves a checkpoint backwards and honours ownership etags', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-cp-'));
    const store = new FileCheckpointStore(dir);
    const base = { fullyQualifiedNamespace: 'ns', eventHubName: 'hub', consumerGroup: '$Default', partitionId: '1' };
    await store.updateCheckpoint({ ...base, sequenceNumber: 10, offset: 1000 } as never);
    await store.updateCheckpoint({ ...base, sequenceNumber: 5, offset: 500 } as never);
    expect(await store.listCheckpoints('ns', 'hub', '$Default')).toMatchObject([{ sequenceNumber: 10 }]);
    const [owned] = await store.claimOwnership([{ ...base, ownerId: 'a' }]);
    expect(owned.etag).toBeTruthy();
    expect(await store.claimOwnership([{ ...base, ownerId: 'b', etag: 'stale' }])).toEqual([]);
    expect(await store.claimOwnership([{ ...base, ownerId: 'b', etag: owned.etag }])).toHaveLength(1);
    expect((await new FileCheckpointStore(dir).listOwnership('ns', 'hub', '$Default'))[0].ownerId).toBe('b');
  });
});
