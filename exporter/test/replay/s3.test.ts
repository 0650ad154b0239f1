import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_EVENTS, DEMO_STATES } from '../helpers/cli.js';
import { countingProxy } from '../state/helpers.js';
import { archiveKey, comparable, logFile, replayCaptured, writeLocalArchive } from './helpers.js';

// A real S3 implementation (s3rver, in-process) behind a counting proxy: the counts are what replay asked for.
const BUCKET = 'org-trail';
const ACCOUNTS = ['032092706103', '210987654321'];
const REGIONS = ['us-east-1', 'eu-west-1'];
const states = readdirSync(DEMO_STATES).map((f) => path.join(DEMO_STATES, f));
let dir: string;
let local: string;
let server: S3rver;
let proxy: Awaited<ReturnType<typeof countingProxy>>;
const keys: string[] = [];
const env = { ...process.env };

/** The demo's records, spread over accounts, regions and three days, one delivery every 6 hours. */
const demoRecords = readdirSync(DEMO_EVENTS).flatMap((f) => {
  const doc = JSON.parse(readFileSync(path.join(DEMO_EVENTS, f), 'utf8')) as unknown;
  return (Array.isArray(doc) ? doc : (doc as { Records: unknown[] }).Records) as Record<string, unknown>[];
});

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  process.env.AWS_REGION = 'us-east-1';
  dir = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-replay-s3-'));
  local = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-replay-s3-local-'));
  server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: BUCKET }] });
  const { port } = await server.run();
  proxy = await countingProxy(`http://127.0.0.1:${port}`);
  process.env.AWS_ENDPOINT_URL_S3 = proxy.url;
  const client = new S3Client({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, forcePathStyle: true });
  const objects: { key: string; body: Buffer }[] = [];
  let n = 0;
  for (const account of ACCOUNTS)
    for (const region of REGIONS)
      for (let h = 0; h < 72; h += 6) {
        const delivered = new Date(Date.UTC(2026, 2, 27, h));
        const records = demoRecords.map((r) => ({ ...r, eventID: `${account}-${region}-${h}-${String(r.eventID)}`, recipientAccountId: account, eventTime: new Date(delivered.getTime() - 120_000).toISOString() }));
        objects.push({ key: `trail/${archiveKey(account, region, delivered, `u${n++}`, 'o-abcdefghij')}`, body: logFile(records) });
      }
  objects.push({ key: 'trail/AWSLogs/o-abcdefghij/032092706103/CloudTrail-Digest/us-east-1/2026/03/28/digest.json.gz', body: logFile([]) });
  for (const o of objects) {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: o.key, Body: o.body }));
    keys.push(o.key);
  }
  writeLocalArchive(local, objects);
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'state/network.tfstate', Body: readFileSync(states.find((s) => s.includes('network'))!) }));
  client.destroy();
});
afterAll(async () => {
  process.env = env;
  await proxy.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(local, { recursive: true, force: true });
});

const objectGets = (from: number) =>
  proxy.log.requests.slice(from).filter((r) => r.method === 'GET' && !r.url.includes('list-type')).map((r) => decodeURIComponent(r.url.split('?')[0]).replace(`/${BUCKET}/`, ''));

describe('replay --events s3://bucket/prefix (archive layout) against s3rver', () => {
  it('reads the whole archive in key order and gives what the same folder on disk gives', async () => {
    const mark = proxy.log.requests.length;
    const s3 = await replayCaptured({ state: states, events: [`s3://${BUCKET}/trail/`], workers: 2, quiet: true });
    const disk = await replayCaptured({ state: states, events: [local], workers: 0, quiet: true });
    const dataKeys = keys.filter((k) => !k.includes('Digest'));
    expect(objectGets(mark).sort()).toEqual([...dataKeys].sort());
    expect(s3.summary.objects).toBe(dataKeys.length);
    expect(s3.records.length).toBeGreaterThan(0);
    expect(comparable(s3.records).map((r) => ({ ...(r as object), state_source: null }))).toEqual(comparable(disk.records).map((r) => ({ ...(r as object), state_source: null })));
    expect(s3.summary.records).toBe(disk.summary.records);
  });

  it('--since/--until/--account/--region prune by key: only objects that can hold the window are fetched', async () => {
    const mark = proxy.log.requests.length;
    const r = await replayCaptured({
      state: states, events: [`s3://${BUCKET}/trail`], since: '2026-03-28T05:00:00Z', until: '2026-03-28T11:00:00Z', account: ['032092706103'], region: ['us-east-1'], workers: 0, quiet: true,
    });
    // Deliveries at 06:00 and 12:00 (12:00 can still hold calls made before 11:00); nothing else is read.
    expect(objectGets(mark)).toEqual([
      expect.stringMatching(/AWSLogs\/o-abcdefghij\/032092706103\/CloudTrail\/us-east-1\/2026\/03\/28\/032092706103_CloudTrail_us-east-1_20260328T0600Z_/),
      expect.stringMatching(/AWSLogs\/o-abcdefghij\/032092706103\/CloudTrail\/us-east-1\/2026\/03\/28\/032092706103_CloudTrail_us-east-1_20260328T1200Z_/),
    ]);
    expect(r.summary.byReason.outside_window).toBe(demoRecords.length);
    expect(r.records.map((x) => x.event.time)).toEqual(r.records.map(() => '2026-03-28T05:58:00Z'));
    expect(r.records.length).toBeGreaterThan(0);
    expect(r.exitCode).toBe(0);
  });

  it('a corrupt object is named and the rest processed (exit 2)', async () => {
    const client = new S3Client({ region: 'us-east-1', endpoint: proxy.url, forcePathStyle: true });
    const key = `trail/${archiveKey('032092706103', 'us-east-1', new Date(Date.UTC(2026, 2, 30, 1)), 'corrupt')}`;
    const good = logFile(demoRecords);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: good.subarray(0, good.length >> 1) }));
    client.destroy();
    const r = await replayCaptured({ state: states, events: [`s3://${BUCKET}/trail/AWSLogs/032092706103/`, `s3://${BUCKET}/trail/AWSLogs/o-abcdefghij/032092706103/CloudTrail/us-east-1/2026/03/27/`], workers: 2 });
    expect(r.stderr.split('\n').filter((l) => l.startsWith('tfdrift: '))).toEqual([`tfdrift: s3://${BUCKET}/${key}: corrupt gzip (unexpected end of file)`]);
    expect(r.summary.objects).toBe(5);
    expect(r.records.length).toBeGreaterThan(0);
    expect(r.exitCode).toBe(2);
  });

  it('--state s3://bucket/key loads the state from S3, as `state inspect` does', async () => {
    const network = states.find((s) => s.includes('network'))!;
    const sg = path.join(DEMO_EVENTS, readdirSync(DEMO_EVENTS).find((f) => f.startsWith('01-'))!);
    const fromS3 = await replayCaptured({ state: [`s3://${BUCKET}/state/network.tfstate`], events: [sg], quiet: true });
    const fromDisk = await replayCaptured({ state: [network], events: [sg], quiet: true });
    expect(fromS3.records).toHaveLength(1);
    expect(fromS3.records[0]).toMatchObject({ change_type: 'modified', resource_address: 'module.network.aws_security_group.web', state_source: `s3://${BUCKET}/state/network.tfstate` });
    expect({ ...comparable(fromS3.records)[0] as object, state_source: null }).toEqual({ ...comparable(fromDisk.records)[0] as object, state_source: null });
    const missing = await replayCaptured({ state: [`s3://${BUCKET}/state/none.tfstate`], events: [sg], quiet: true }).catch((e: Error) => e.message);
    expect(missing).toMatch(/^--state s3:\/\/org-trail\/state\/none\.tfstate: cannot get object \(NoSuchKey HTTP 404/);
  });
});
