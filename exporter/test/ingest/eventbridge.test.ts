import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { validateDriftRecord } from '../../src/model/drift.js';
import { decodeEventBridgeMessage } from '../../src/ingest/eventbridge/envelope.js';
import { queueRegion } from '../../src/ingest/eventbridge/input.js';
import { silentLogger } from '../../src/util/logger.js';
import { collectingOutput, counter, ingestConfig, nativeDriftIds, tempDir } from './helpers.js';
import { cloudTrailRecords, startChild, until } from './queue-helpers.js';
import { SqsPeer, eventBridgeEvent } from './sqs-peer.js';

// The SDK's default credential chain reads these (the peer checks that requests are SigV4-signed).
const AWS_ENV = { AWS_ACCESS_KEY_ID: 'AKIDTFDRIFTTEST', AWS_SECRET_ACCESS_KEY: 'tfdrift-test-secret', AWS_REGION: 'us-east-1' };
Object.assign(process.env, AWS_ENV);

let records: Record<string, unknown>[] = [];
let expected: string[] = [];
beforeAll(async () => {
  records = await cloudTrailRecords();
  expected = await nativeDriftIds(records);
}, 120_000);

let peer: SqsPeer | null = null;
let app: App | null = null;
afterEach(async () => {
  await app?.stop();
  await peer?.stop();
  app = null;
  peer = null;
});

function inputConfig(queue: string, extra: Record<string, unknown> = {}) {
  return { inputs: { aws_eventbridge: { enabled: true, queues: [queue], reconnect: { initial_ms: 50, max_ms: 2000 }, ...extra } } };
}

async function startWith(dir: string, queue: string, extra: Record<string, unknown> = {}, sleep?: (ms: number, signal: AbortSignal) => Promise<void>) {
  const out = collectingOutput();
  app = await startApp(ingestConfig(dir, inputConfig(queue, extra)), { log: silentLogger(), outputs: [out], ingest: sleep ? { sleep } : undefined });
  return { app, out };
}

describe('inputs.aws_eventbridge: CloudTrail → EventBridge → SQS (loopback SQS peer, JSON protocol)', () => {
  it('reports every real record\'s drift once, deletes in batches after the journal, and survives throttling, expired receipt handles and duplicates', async () => {
    peer = new SqsPeer();
    await peer.start();
    const queue = peer.createQueue('tfdrift');
    peer.failNext('ReceiveMessage', ['RequestThrottled', 'RequestThrottled']);
    peer.failNext('DeleteMessageBatch', ['RequestThrottled']);
    peer.expireNextDeletes = 3;
    for (const r of records) peer.send('tfdrift', eventBridgeEvent(r));
    // EventBridge delivers at least once: a few events twice; console sign-ins are not API calls.
    for (const r of records.slice(0, 5)) peer.send('tfdrift', eventBridgeEvent(r));
    peer.send('tfdrift', eventBridgeEvent({ ...records[0], eventName: 'ConsoleLogin', eventSource: 'signin.amazonaws.com' }, 'AWS Console Sign In via CloudTrail'));

    // One poller keeps the queue's order, so the comparison with the native path (file order) holds
    // for order-sensitive records (a create and a delete of one resource); other tests use two.
    const { app, out } = await startWith(tempDir(), queue, { pollers_per_queue: 1 });
    await until(() => peer!.depth('tfdrift') === 0, 120_000, 'the queue to drain');
    await app.ingest.alerts.idle();

    expect(records.length).toBeGreaterThan(100);
    expect(expected.length).toBeGreaterThan(5);
    for (const r of out.records) expect(validateDriftRecord(r)).toEqual([]);
    expect(out.records.map((r) => r.drift_id).sort()).toEqual(expected);
    expect(await counter(app.metrics, 'tfdrift_events_received_total', { input: 'aws_eventbridge', source: 'aws' })).toBeGreaterThanOrEqual(records.length);
    expect(await counter(app.metrics, 'tfdrift_events_suppressed_total', { reason: 'not_an_api_call' })).toBe(1);
    expect(await counter(app.metrics, 'tfdrift_events_failed_total', { reason: 'sqs_receipt_expired' })).toBe(3);
    const lagCount = /tfdrift_input_lag_seconds_count\{input="aws_eventbridge"\} (\d+)/.exec(await app.metrics.registry.metrics());
    expect(Number(lagCount?.[1])).toBeGreaterThanOrEqual(records.length);
    // Deletes are batched (up to 10 per call), never one call per message.
    expect(peer.calls.filter((c) => c === 'DeleteMessageBatch').length).toBeLessThan(records.length / 5);
    expect(peer.calls).not.toContain('DeleteMessage');
    const metrics = await app.metrics.registry.metrics();
    expect(metrics).toMatch(/tfdrift_input_connected\{input="aws_eventbridge"\} 1/);
  }, 180_000);

  it('a message that is not a CloudTrail event is counted, hidden, and left to the redrive policy; the queue keeps flowing', async () => {
    peer = new SqsPeer();
    await peer.start();
    peer.createQueue('tfdrift-dlq');
    const queue = peer.createQueue('tfdrift', { redrive: { dlq: 'tfdrift-dlq', maxReceiveCount: 2 } });
    const sample = records.slice(0, 40);
    peer.send('tfdrift', 'not json {');
    sample.slice(0, 20).forEach((r) => peer!.send('tfdrift', eventBridgeEvent(r)));
    peer.send('tfdrift', JSON.stringify({ hello: 'world' }));
    sample.slice(20).forEach((r) => peer!.send('tfdrift', eventBridgeEvent(r)));

    const { app, out } = await startWith(tempDir(), queue, { poison_visibility_seconds: 300 });
    await until(() => peer!.depth('tfdrift') === 2, 60_000, 'the good messages to be deleted');
    await app.ingest.alerts.idle();
    expect(out.records.map((r) => r.drift_id).sort()).toEqual(await nativeDriftIds(sample));
    expect(await counter(app.metrics, 'tfdrift_events_failed_total', { reason: 'poison_message' })).toBe(2);
    expect(peer.calls).toContain('ChangeMessageVisibility');
    // Once hidden for poison_visibility_seconds they come back; past maxReceiveCount the redrive policy takes them.
    peer.advance(301);
    await until(async () => (await counter(app.metrics, 'tfdrift_events_failed_total', { reason: 'poison_message' })) === 4, 60_000, 'the second receive');
    peer.advance(301);
    await until(() => peer!.depth('tfdrift-dlq') === 2, 60_000, 'the redrive to the dead-letter queue');
    expect(peer.depth('tfdrift')).toBe(0);
    expect(peer.bodies('tfdrift-dlq').sort()).toEqual(['not json {', JSON.stringify({ hello: 'world' })].sort());
  }, 120_000);

  it('the peer down for 60 s (virtual clock): receives fail, tfdrift_input_connected goes 0, then reconnects and loses nothing', async () => {
    peer = new SqsPeer();
    await peer.start();
    const queue = peer.createQueue('tfdrift');
    const sample = records.slice(0, 60);
    sample.slice(0, 30).forEach((r) => peer!.send('tfdrift', eventBridgeEvent(r)));
    let virtualDown = 0;
    let down = false;
    const connectedWhileDown: string[] = [];
    const sleep = async (ms: number): Promise<void> => {
      if (!down) return;
      virtualDown += ms;
      connectedWhileDown.push(await app!.metrics.registry.getSingleMetricAsString('tfdrift_input_connected'));
      if (virtualDown >= 60_000) {
        down = false;
        await peer!.start(); // same port
      }
      await new Promise((r) => setImmediate(r));
    };
    const { app: a, out } = await startWith(tempDir(), queue, {}, sleep);
    await until(() => peer!.depth('tfdrift') === 0, 60_000, 'the first half');
    down = true;
    await peer.stop();
    // Sent while the endpoint is unreachable: they wait in the queue.
    sample.slice(30).forEach((r) => peer!.send('tfdrift', eventBridgeEvent(r)));
    await until(() => !down && peer!.depth('tfdrift') === 0, 120_000, 'reconnect and drain');
    await a.ingest.alerts.idle();
    expect(virtualDown).toBeGreaterThanOrEqual(60_000);
    expect(a.ingest.eventBridge!.stats.receiveErrors).toBeGreaterThan(3);
    expect(connectedWhileDown.some((s) => /input="aws_eventbridge"\} 0/.test(s))).toBe(true);
    expect(out.records.map((r) => r.drift_id).sort()).toEqual(await nativeDriftIds(sample));
    // Connected again once a receive succeeds after the outage (the drain may finish before the next poll).
    await until(() => a.ingest.eventBridge!.connected, 60_000, 'the input to report connected');
    expect(await a.metrics.registry.getSingleMetricAsString('tfdrift_input_connected')).toMatch(/input="aws_eventbridge"\} 1/);
  }, 180_000);

  it('kill -9 between receive and delete: the messages reappear after the visibility timeout and each drift is still reported once', async () => {
    peer = new SqsPeer();
    await peer.start();
    const queue = peer.createQueue('tfdrift', { visibilityTimeout: 30 });
    for (const r of records) peer.send('tfdrift', eventBridgeEvent(r));
    peer.holdDeletes = true; // the child receives and journals, but its delete never completes
    const dir = tempDir();
    const child = await startChild(dir, inputConfig(queue, { pollers_per_queue: 1 }), AWS_ENV);
    try {
      await until(() => child.records().length > 0 && peer!.calls.includes('DeleteMessageBatch'), 120_000, 'the child to report drift and send its delete');
    } finally {
      await child.kill9();
    }
    const before = child.records();
    expect(before.length).toBeGreaterThan(0);
    expect(peer.depth('tfdrift')).toBe(records.length); // nothing was deleted
    peer.holdDeletes = false;
    peer.advance(31);

    const { app, out } = await startWith(dir, queue, { pollers_per_queue: 1 });
    await until(() => peer!.depth('tfdrift') === 0, 120_000, 'redelivery and delete');
    await app.ingest.alerts.idle();
    const all = [...before, ...out.records].map((r) => r.drift_id).sort();
    expect(all).toEqual(expected); // every drift once: none lost, none repeated
    expect(peer.redeliveredDeletes).toBeGreaterThanOrEqual(10); // the batches the child held were received again, then deleted
  }, 240_000);
});

describe('EventBridge envelope', () => {
  it('takes the record from detail, ignores other CloudTrail detail-types, names what is wrong with the rest; unwraps SNS', () => {
    const r = { eventName: 'PutBucketVersioning', eventSource: 's3.amazonaws.com', eventID: 'x' };
    expect(decodeEventBridgeMessage(eventBridgeEvent(r))).toEqual({ kind: 'record', record: r });
    expect(decodeEventBridgeMessage(JSON.stringify({ Type: 'Notification', Message: eventBridgeEvent(r) }))).toEqual({ kind: 'record', record: r });
    expect(decodeEventBridgeMessage(eventBridgeEvent(r, 'AWS Service Event via CloudTrail'))).toEqual({ kind: 'ignored', reason: 'not_an_api_call' });
    expect(decodeEventBridgeMessage('{')).toMatchObject({ kind: 'poison', reason: 'invalid_json' });
    expect(decodeEventBridgeMessage('')).toMatchObject({ kind: 'poison', reason: 'empty_body' });
    expect(decodeEventBridgeMessage('{"a":1}')).toMatchObject({ kind: 'poison', reason: 'not_an_eventbridge_event' });
    expect(decodeEventBridgeMessage(JSON.stringify({ 'detail-type': 'AWS API Call via CloudTrail', detail: {} }))).toMatchObject({ kind: 'poison', reason: 'not_a_cloudtrail_record' });
  });

  it('reads the region from the queue URL', () => {
    expect(queueRegion('https://sqs.eu-west-3.amazonaws.com/123456789012/tfdrift')).toBe('eu-west-3');
    expect(queueRegion('http://127.0.0.1:4566/123456789012/q')).toBeNull();
  });
});
