import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp } from '../../src/app.js';
import { falcoAlertFromCloudTrail } from '../../src/providers/aws/falco-fields.js';
import { silentLogger } from '../../src/util/logger.js';
import { collectingOutput, counter, ingestConfig, post, syntheticRoleRecords, tempDir } from '../ingest/helpers.js';
import { countingProxy } from '../state/helpers.js';
import { archiveKey, logFile } from './helpers.js';

// Falco's http_output drops what it cannot deliver: alerts "sent" while the exporter was down exist
// only in the trail's archive. The archive is a real S3 implementation (s3rver) behind a counting proxy.
const BUCKET = 'org-trail';
let s3dir: string;
let server: S3rver;
let proxy: Awaited<ReturnType<typeof countingProxy>>;
const env = { ...process.env };

beforeAll(async () => {
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' });
  s3dir = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-backfill-s3-'));
  server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3dir, configureBuckets: [{ name: BUCKET }] });
  const { port } = await server.run();
  proxy = await countingProxy(`http://127.0.0.1:${port}`);
});
afterAll(async () => {
  process.env = env;
  await proxy.close();
  await server.close();
  rmSync(s3dir, { recursive: true, force: true });
});

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

describe('archive backfill after downtime (inputs.aws_archive_backfill)', () => {
  it('turns every gap event into drift exactly once, and repeats nothing received before the stop', async () => {
    const dir = tempDir('tfdrift-backfill-');
    const now = Date.now();
    const at = (minutesAgo: number) => iso(now - minutesAgo * 60_000);
    const [e1, e2, e3] = syntheticRoleRecords(3, 'e').map((r, i) => ({ ...r, eventTime: at(15 - i) }) as Record<string, unknown>);
    const [g0, g1, g2] = syntheticRoleRecords(3, 'g').map((r, i) => ({ ...r, eventTime: at([16, 5, 3][i]) }) as Record<string, unknown>);
    const old = { ...syntheticRoleRecords(1, 'o')[0], eventTime: iso(now - 3 * 86_400_000) };
    const readOnly = { ...e1, eventID: 'ro-1', eventName: 'GetRole', readOnly: true, eventTime: at(4) };
    const failed = { ...g1, eventID: 'failed-1', errorCode: 'AccessDenied', eventTime: at(4) };
    const config = ingestConfig(dir, {
      detection: { dedup_window_seconds: 0 },
      inputs: { aws_archive_backfill: { enabled: true, archives: [`s3://${BUCKET}/trail/`], endpoint: proxy.url, overlap_minutes: 20, max_window_hours: 24 } },
    });

    // Run 1: three alerts received and processed, then a clean stop.
    const first = collectingOutput();
    let app = await startApp(config, { log: silentLogger(), outputs: [first] });
    for (const r of [e1, e2, e3]) expect((await post(`${app.url}/falco`, JSON.stringify(falcoAlertFromCloudTrail(r)))).status).toBe(200);
    await app.ingest.alerts.idle();
    expect((await app.backfill!.done()).objects).toBe(0); // a first start has nothing to backfill
    await app.stop();
    expect(first.records.map((r) => r.event.id)).toEqual([e1, e2, e3].map((r) => r.eventID));

    // Meanwhile CloudTrail delivered the received events (and others) to the archive, plus an old file.
    const account = String(e1.recipientAccountId);
    const region = String(e1.awsRegion);
    const client = new S3Client({ region: 'us-east-1', endpoint: proxy.url, forcePathStyle: true });
    const put = (key: string, records: unknown[]) => client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `trail/${key}`, Body: logFile(records) }));
    await put(archiveKey(account, region, new Date(now - 12 * 60_000), 'a'), [g0, e1, e2, e3]);
    await put(archiveKey(account, region, new Date(now - 60_000), 'b'), [readOnly, g1, failed, g2]);
    await put(archiveKey(account, region, new Date(now - 3 * 86_400_000 + 60_000), 'old'), [old]);
    client.destroy();

    // Run 2 on the same storage: the backfill reads the gap from the archive.
    const second = collectingOutput();
    const mark = proxy.log.requests.length;
    app = await startApp(config, { log: silentLogger(), outputs: [second] });
    try {
      const report = await app.backfill!.done();
      await app.ingest.alerts.idle();
      expect(report).toEqual({ objects: 2, queued: 3, duplicates: 3, error: null });
      // Falco, catching up, sends a gap event live as well: still one drift.
      expect((await post(`${app.url}/falco`, JSON.stringify(falcoAlertFromCloudTrail(g2)))).status).toBe(200);
      await app.ingest.alerts.idle();
      expect(second.records.map((r) => r.event.id).sort()).toEqual([g0, g1, g2].map((r) => r.eventID).sort());
      expect(second.records.every((r) => r.falco?.rule === 'Terraform drift: AWS write (archive backfill)')).toBe(true);
      const gets = proxy.log.requests.slice(mark).filter((r) => r.method === 'GET' && !r.url.includes('list-type'));
      expect(gets.map((r) => decodeURIComponent(r.url)).some((u) => u.includes('old'))).toBe(false); // beyond max_window_hours: never read
      expect(gets).toHaveLength(2);
      const m = app.metrics;
      expect(await counter(m, 'tfdrift_backfill_events_total', { result: 'duplicate' })).toBe(3);
      expect(await counter(m, 'tfdrift_backfill_events_total', { result: 'queued' })).toBe(3);
      expect(await counter(m, 'tfdrift_backfill_events_total', { result: 'read_only' })).toBe(1);
      expect(await counter(m, 'tfdrift_backfill_events_total', { result: 'failed_call' })).toBe(1);
      expect(await counter(m, 'tfdrift_backfill_objects_total', { result: 'read' })).toBe(2);
      expect(await counter(m, 'tfdrift_backfill_pending_objects')).toBe(0);
    } finally {
      await app.stop();
    }

    // Run 3: nothing new in the archive, nothing emitted again.
    const third = collectingOutput();
    app = await startApp(config, { log: silentLogger(), outputs: [third] });
    try {
      const report = await app.backfill!.done();
      await app.ingest.alerts.idle();
      expect(report.queued).toBe(0);
      expect(third.records).toEqual([]);
    } finally {
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
