import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateStore } from '../../src/state/store.js';
import { stateSource } from '../../src/state/config.js';
import { silentLogger } from '../../src/util/logger.js';
import { runCli } from '../helpers/cli.js';
import { awsState, countingProxy } from './helpers.js';

// A real S3 implementation (s3rver 3.7.1, in-process) behind a counting proxy: the counts are what tfdrift asked for.
let dir: string;
let server: S3rver;
let proxy: Awaited<ReturnType<typeof countingProxy>>;
let put: (key: string, body: string) => Promise<void>;
const BUCKET = 'tf-state';
const ACCOUNT = '123456789012';
const state = (id: string, serial: number) =>
  awsState([{ type: 'aws_s3_bucket', name: 'b', attributes: { id, bucket: id, arn: `arn:aws:s3:::${id}`, policy: 'x'.repeat(2000) } }], { serial, lineage: `lin-${id.split('-')[0]}` });

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  dir = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-s3rver-'));
  server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: BUCKET }] });
  const { port } = await server.run();
  proxy = await countingProxy(`http://127.0.0.1:${port}`);
  const client = new S3Client({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, forcePathStyle: true });
  put = async (key, body) => void (await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body })));
});
afterAll(async () => {
  await proxy.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const source = (key: string) =>
  stateSource({ name: 'prod', backend: 's3', provider: 'aws', account_id: ACCOUNT, bucket: BUCKET, key, region: 'us-east-1', endpoint: proxy.url, force_path_style: true, reload_interval_seconds: 0 });
const gets = (fromIndex: number, status?: number) =>
  proxy.log.requests.slice(fromIndex).filter((r) => r.method === 'GET' && !r.url.includes('list-type') && (status === undefined || r.status === status));

describe('S3 backend against s3rver', () => {
  it('downloads once; an unchanged object is answered 304 on its ETag and not re-downloaded', async () => {
    await put('prod/terraform.tfstate', state('logs-1', 1));
    const store = new StateStore([source('prod/terraform.tfstate')], null, silentLogger());
    let mark = proxy.log.requests.length;
    expect((await store.reload()).changed).toEqual(['prod']);
    expect(gets(mark, 200)).toHaveLength(1);
    expect(gets(mark, 200)[0].bytes).toBeGreaterThan(2000);
    expect(store.index.find('aws', ACCOUNT, ['aws_s3_bucket'], { field: 'bucket', value: 'logs-1' })[0].source.location).toBe(`s3://${BUCKET}/prod/terraform.tfstate`);

    mark = proxy.log.requests.length;
    expect(await store.reload()).toEqual({ changed: [], errors: [] });
    expect(await store.reload()).toEqual({ changed: [], errors: [] });
    const again = gets(mark);
    expect(again.map((r) => r.status)).toEqual([304, 304]);
    expect(again.every((r) => typeof r.headers['if-none-match'] === 'string')).toBe(true);
    expect(again.reduce((n, r) => n + r.bytes, 0)).toBe(0);

    await put('prod/terraform.tfstate', state('logs-2', 2));
    mark = proxy.log.requests.length;
    expect((await store.reload()).changed).toEqual(['prod']);
    expect(gets(mark, 200)).toHaveLength(1);
    expect(store.index.find('aws', ACCOUNT, ['aws_s3_bucket'], { field: 'bucket', value: 'logs-2' })).toHaveLength(1);
  });

  it('loads every workspace under env:/ through a glob, and lists instead of re-downloading unchanged ones', async () => {
    await put('terraform.tfstate', state('default-1', 1));
    await put('env:/dev/terraform.tfstate', state('dev-1', 1));
    await put('env:/staging/terraform.tfstate', state('staging-1', 1));
    await put('env:/staging/other.tfstate', state('other-1', 1));
    const store = new StateStore([source('env:/*/terraform.tfstate')], null, silentLogger());
    let mark = proxy.log.requests.length;
    expect((await store.reload()).changed).toEqual(['prod']);
    expect(store.statuses()[0]).toMatchObject({ objects: 2, resources: 2, ok: true });
    expect(gets(mark, 200)).toHaveLength(2);
    expect(store.index.find('aws', ACCOUNT, ['aws_s3_bucket'], { field: 'id', value: 'staging-1' })[0].source.location).toBe(`s3://${BUCKET}/env:/staging/terraform.tfstate`);
    expect(store.index.find('aws', ACCOUNT, ['aws_s3_bucket'], { field: 'id', value: 'default-1' })).toEqual([]);

    mark = proxy.log.requests.length;
    expect((await store.reload()).changed).toEqual([]);
    expect(gets(mark)).toHaveLength(0); // the listing's ETags said nothing changed
    expect(proxy.log.requests.length - mark).toBe(1);

    await put('env:/prod/terraform.tfstate', state('prod-1', 1));
    await put('env:/dev/terraform.tfstate', state('dev-2', 2));
    mark = proxy.log.requests.length;
    expect((await store.reload()).changed).toEqual(['prod']);
    expect(gets(mark, 200).map((r) => decodeURIComponent(r.url)).sort()).toEqual([`/${BUCKET}/env:/dev/terraform.tfstate?x-id=GetObject`, `/${BUCKET}/env:/prod/terraform.tfstate?x-id=GetObject`]);
    expect(store.statuses()[0]).toMatchObject({ objects: 3, resources: 3 });
  });

  it('keeps the last good state when the object goes away, and says so', async () => {
    await put('gone/terraform.tfstate', state('gone-1', 1));
    const store = new StateStore([source('gone/terraform.tfstate')], null, silentLogger());
    await store.reload();
    const wrong = new StateStore([source('nope/terraform.tfstate')], null, silentLogger());
    const r = await wrong.reload();
    expect(r.errors[0].error).toMatch(/^s3:\/\/tf-state\/nope\/terraform.tfstate: cannot get object \(NoSuchKey/);
    expect(store.statuses()[0].ok).toBe(true);
  });

  it('tfdrift state inspect reads s3:// URIs', async () => {
    const r = await runCli(['state', 'inspect', '--state', `s3://${BUCKET}/env:/*/terraform.tfstate`, '--endpoint', proxy.url, '--json'], {
      env: { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' },
    });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { backend: string; resources: number; objects: unknown[]; types: Record<string, number> };
    expect(out).toMatchObject({ backend: 's3', resources: 3, types: { aws_s3_bucket: 3 } });
    expect(out.objects).toHaveLength(3);
  });
});
