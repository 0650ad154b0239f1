import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { validateDriftRecord, type DriftRecord } from '../../src/model/drift.js';
import { gcpFalcoAlertFromLogEntry, isGcpLogEntry } from '../../src/providers/gcp/record.js';
import { decodeLogEntryMessage } from '../../src/ingest/pubsub/entry.js';
import { expandPaths, readInputFile } from '../../src/ingest/records.js';
import { silentLogger } from '../../src/util/logger.js';
import { CORPUS, EXPORTER_DIR } from '../helpers/cli.js';
import { collectingOutput, counter, ingestConfig, post, tempDir } from './helpers.js';
import { startChild, until } from './queue-helpers.js';
import { PubSubPeer } from './pubsub-peer.js';

const GCP_FIXTURES = path.join(EXPORTER_DIR, 'test/fixtures/gcp');
// No GCE metadata server here: tell google-auth-library not to probe for one (it only warns).
process.env.METADATA_SERVER_DETECTION = 'none';
const SUB = 'projects/tfdrift-test/subscriptions/tfdrift-audit';
/** The GCP fixture states, bound to the projects of the corpus records they were written for. */
const GCP_STATES = [
  { name: 'gcp-firewall', backend: 'local', path: path.join(GCP_FIXTURES, 'states/firewall.tfstate'), provider: 'gcp', project_id: 'test-project-123456' },
  { name: 'gcp-bucket-iam', backend: 'local', path: path.join(GCP_FIXTURES, 'states/bucket-iam.tfstate'), provider: 'gcp', project_id: 'western-verve-123456' },
  { name: 'gcp-instances', backend: 'local', path: path.join(GCP_FIXTURES, 'states/instances.tfstate'), provider: 'gcp' },
];

/**
 * Every LogEntry of the corpus (cloud-custodian, panther-analysis, plaso) plus the firewall
 * fixture. Rule-test collections reuse one entry's insertId for variants of it; Logging never
 * does, and "processed once" needs identities, so a variant gets its insertId suffixed (`~2`).
 */
async function corpusEntries(): Promise<Record<string, unknown>[]> {
  const files = [...(await expandPaths([path.join(CORPUS, 'gcp')])).filter((f) => /\.(json|jsonl)$/.test(f)), path.join(GCP_FIXTURES, 'firewall-opened.json')];
  const all: Record<string, unknown>[] = [];
  for (const f of files) for (const item of await readInputFile(f, 'gcp')) if (item.kind === 'record' && isGcpLogEntry(item.value)) all.push(item.value);
  const key = (e: Record<string, unknown>): string => `${String(e.logName)}|${String(e.timestamp)}|${String(e.insertId)}`;
  const seen = new Map<string, number>();
  // Variants also reuse an operation's ID with the same first/last flags, which would fold them into one
  // operation (one drift per operation): such a variant gets its operation ID suffixed too.
  const opKey = (e: Record<string, unknown>): string | null => {
    const op = e.operation as { id?: unknown; first?: unknown; last?: unknown } | undefined;
    return typeof op?.id === 'string' ? `${op.id}|${String(op.first)}|${String(op.last)}` : null;
  };
  const seenOps = new Map<string, number>();
  return all.map((e) => {
    const n = (seen.get(key(e)) ?? 0) + 1;
    seen.set(key(e), n);
    let out = n === 1 || typeof e.insertId !== 'string' ? e : { ...e, insertId: `${e.insertId}~${n}` };
    const ok = opKey(e);
    if (ok !== null) {
      const m = (seenOps.get(ok) ?? 0) + 1;
      seenOps.set(ok, m);
      if (m > 1) out = { ...out, operation: { ...(e.operation as object), id: `${(e.operation as { id: string }).id}~${m}` } };
    }
    return out;
  });
}

let entries: Record<string, unknown>[] = [];
beforeAll(async () => {
  entries = await corpusEntries();
});

let peer: PubSubPeer | null = null;
const apps: App[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.stop();
  await peer?.stop();
  peer = null;
});

function config(dir: string, pubsub = true) {
  return ingestConfig(dir, {
    states: GCP_STATES,
    // One stream keeps delivery in publish order, so the comparison with the native path (file order) holds
    // for order-sensitive entries (an operation's first and last entry).
    inputs: { gcp_pubsub: { enabled: pubsub, subscriptions: [SUB], max_streams: 1 } },
  });
}

async function startPeer(): Promise<PubSubPeer> {
  peer = new PubSubPeer();
  await peer.start();
  peer.createSubscription(SUB);
  process.env.PUBSUB_EMULATOR_HOST = peer.host; // as the client library finds the emulator
  return peer;
}

async function startWith(dir: string, pubsub = true): Promise<{ app: App; out: ReturnType<typeof collectingOutput> }> {
  const out = collectingOutput();
  const app = await startApp(config(dir, pubsub), { log: silentLogger(), outputs: [out] });
  apps.push(app);
  // Alerts are journaled from the first second but processed once every state has had its first load.
  await app.statesSettled;
  return { app, out };
}

/** The drift records the native path (provider's LogEntry parser, no input) gives for these entries. */
async function nativeRecords(list: Record<string, unknown>[]): Promise<DriftRecord[]> {
  const { app, out } = await startWith(tempDir(), false);
  for (const e of list) app.pipeline.processRecord(app.pipeline.provider('gcp')!, e, 'file');
  return out.records;
}

const ids = (records: DriftRecord[]): string[] => records.map((r) => r.drift_id).sort();
const attrs = (records: DriftRecord[]): string[] => records.flatMap((r) => r.changes.filter((c) => c.actual !== null).map((c) => `${r.resource_type}.${c.attribute}`)).sort();

describe('inputs.gcp_pubsub: Cloud Audit Logs → log sink → Pub/Sub (loopback google.pubsub.v1.Subscriber)', () => {
  it('gives attribute-level drift from the full entries (IAM policy delta, firewall rules) that the Falco path cannot give; failed calls stay silent', async () => {
    await startPeer();
    for (const e of entries) peer!.publish(SUB, JSON.stringify(e));
    const { app, out } = await startWith(tempDir());
    await until(() => peer!.backlog(SUB) === 0, 120_000, 'every message acknowledged');
    await app.ingest.alerts.idle();

    expect(entries.length).toBeGreaterThan(100);
    for (const r of out.records) expect(validateDriftRecord(r)).toEqual([]);
    const native = await nativeRecords(entries);
    expect(ids(out.records)).toEqual(ids(native));
    const iam = out.records.find((r) => r.resource_type === 'google_storage_bucket_iam_binding');
    expect(iam?.changes).toEqual([{ attribute: 'members', expected: ['group:readers@example.com'], actual: ['allUsers', 'group:readers@example.com'], detail: null }]);
    const fw = out.records.filter((r) => r.resource_type === 'google_compute_firewall').flatMap((r) => r.changes.map((c) => [c.attribute, c.actual]));
    expect(fw).toEqual(expect.arrayContaining([['deny', ['all:all']], ['allow', ['tcp:22']], ['source_ranges', ['0.0.0.0/0']]]));
    expect(await counter(app.metrics, 'tfdrift_events_received_total', { input: 'gcp_pubsub', source: 'gcp' })).toBe(entries.length);
    expect(await app.metrics.registry.getSingleMetricAsString('tfdrift_input_connected')).toMatch(/input="gcp_pubsub"\} 1/);

    // The real failed CreateServiceAccount (status 7, PERMISSION_DENIED) in a project with state: silent here.
    const failed = entries.filter((e) => ((e.protoPayload as { status?: { code?: number } } | undefined)?.status?.code ?? 0) !== 0);
    expect(failed.length).toBeGreaterThan(3);
    expect(await counter(app.metrics, 'tfdrift_events_suppressed_total', { reason: 'failed_call' })).toBeGreaterThan(0);
    const failedIds = new Set(failed.filter((e) => typeof e.insertId === 'string').map((e) => String(e.insertId)));
    expect(failedIds.size).toBeGreaterThan(3);
    expect(out.records.filter((r) => failedIds.has(r.event.id ?? ''))).toEqual([]);

    // The same entries as the gcpaudit plugin sends them through Falco: no attribute values.
    const viaFalco = await startWith(tempDir(), false);
    const url = `${viaFalco.app.url}/falco`;
    const alerts = entries.map((e) => gcpFalcoAlertFromLogEntry(e));
    expect((await post(url, alerts.map((a) => JSON.stringify(a)).join('\n'), { 'content-type': 'application/x-ndjson' })).status).toBe(200);
    await viaFalco.app.ingest.alerts.idle();
    const full = attrs(out.records);
    const falco = attrs(viaFalco.out.records);
    expect(full).toEqual(expect.arrayContaining(['google_compute_firewall.allow', 'google_compute_firewall.deny', 'google_storage_bucket_iam_binding.members']));
    expect(falco).not.toContain('google_storage_bucket_iam_binding.members');
    expect(falco).not.toContain('google_compute_firewall.allow');
    expect(falco).not.toContain('google_compute_firewall.deny');
  }, 240_000);

  it('kill -9 before the ack: the lease expires, the entries are redelivered, each drift is still reported once', async () => {
    await startPeer();
    for (const e of entries) peer!.publish(SUB, JSON.stringify(e));
    const expected = ids(await nativeRecords(entries));
    peer!.holdAcks = true; // acks are sent but never land
    const dir = tempDir();
    const child = await startChild(dir, { states: GCP_STATES, inputs: { gcp_pubsub: { enabled: true, subscriptions: [SUB], max_streams: 1 } } }, { PUBSUB_EMULATOR_HOST: peer!.host, METADATA_SERVER_DETECTION: 'none' });
    try {
      await until(() => child.records().length > 0 && peer!.calls.includes('Acknowledge'), 120_000, 'the child to report drift and send acks');
    } finally {
      await child.kill9();
    }
    const before = child.records();
    expect(peer!.backlog(SUB)).toBe(entries.length); // nothing acknowledged
    peer!.holdAcks = false;
    peer!.advance(600); // past every ack deadline the client asked for

    const { app, out } = await startWith(dir);
    await until(() => peer!.backlog(SUB) === 0, 120_000, 'redelivery and ack');
    await app.ingest.alerts.idle();
    expect(before.length).toBeGreaterThan(0);
    expect(peer!.redeliveredAcks).toBeGreaterThan(0); // what the child had leased came again
    expect([...before.map((r) => r.drift_id), ...out.records.map((r) => r.drift_id)].sort()).toEqual(expected);
  }, 240_000);

  it('data that is not a LogEntry is counted and nacked; the subscription keeps flowing', async () => {
    await startPeer();
    const sample = entries.slice(0, 30);
    peer!.publish(SUB, 'not json');
    sample.forEach((e) => peer!.publish(SUB, JSON.stringify(e)));
    const { app, out } = await startWith(tempDir());
    await until(() => peer!.backlog(SUB) === 1, 60_000, 'the good entries acknowledged');
    await app.ingest.alerts.idle();
    expect(peer!.data(SUB)).toEqual(['not json']);
    expect(await counter(app.metrics, 'tfdrift_events_failed_total', { reason: 'poison_message' })).toBeGreaterThanOrEqual(1);
    expect(ids(out.records)).toEqual(ids(await nativeRecords(sample)));
  }, 120_000);
});

describe('Pub/Sub message data', () => {
  it('is the LogEntry JSON; anything else is named', () => {
    expect(decodeLogEntryMessage(Buffer.from(JSON.stringify(entries[0])))).toEqual({ kind: 'record', record: entries[0] });
    expect(decodeLogEntryMessage(Buffer.from('{'))).toMatchObject({ kind: 'poison', reason: 'invalid_json' });
    expect(decodeLogEntryMessage(Buffer.from('{"a":1}'))).toMatchObject({ kind: 'poison', reason: 'not_a_log_entry' });
    expect(decodeLogEntryMessage(undefined)).toMatchObject({ kind: 'poison', reason: 'empty_body' });
  });
});
