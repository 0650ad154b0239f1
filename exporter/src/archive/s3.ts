import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage } from '../util/errors.js';
import { type SdkError, describeSdkError } from '../util/aws-errors.js';
import { type ArchiveFilters, folderWanted, objectWanted } from './layout.js';
import type { ArchiveObject, Listing } from './sources.js';

const describe = (err: unknown): string => describeSdkError(err, '; check the credentials and s3:ListBucket/s3:GetObject on the archive');

/** Throttling, server errors and network failures are retried; 4xx answers (403, 404) are not. */
function retryable(err: unknown): boolean {
  const status = (err as SdkError).$metadata?.httpStatusCode;
  if (status === undefined) return true;
  return status === 429 || status >= 500 || (err as SdkError).name === 'SlowDown';
}

export async function withRetries<T>(what: () => Promise<T>, attempts = 4, baseMs = 200): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await what();
    } catch (err) {
      if (i >= attempts || !retryable(err)) throw err;
      await sleep(baseMs * 2 ** (i - 1) * (0.5 + Math.random()));
    }
  }
}

/**
 * The S3 client: credentials from the SDK's default chain (environment, profile, SSO, IMDS,
 * IRSA); `AWS_ENDPOINT_URL_S3`/`AWS_ENDPOINT_URL` point it at an S3-compatible store.
 */
export function archiveClient(env: NodeJS.ProcessEnv = process.env): S3Client {
  const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  return new S3Client({
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    followRegionRedirects: true,
    maxAttempts: 1, // retried here, body read included
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
  });
}

export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(uri);
  if (!m || !m[1]) throw new Error(`"${uri}": expected s3://bucket/prefix`);
  return { bucket: m[1], prefix: m[2] };
}

/**
 * Walks the archive folder by folder (delimiter "/"), listing only folders that can hold wanted
 * objects: other accounts, regions and days are never listed, and no object outside is read.
 */
export async function listArchive(
  client: S3Client,
  bucket: string,
  prefix: string,
  filters: ArchiveFilters,
  concurrency: number,
): Promise<{ objects: { key: string; size: number }[]; requests: number }> {
  const objects: { key: string; size: number }[] = [];
  let requests = 0;
  const queue: string[] = [prefix];
  const listFolder = async (folder: string, delimited = true): Promise<void> => {
    let token: string | undefined;
    let seen = 0;
    do {
      requests++;
      const page = await withRetries(() =>
        client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: folder, ...(delimited ? { Delimiter: '/' } : {}), ContinuationToken: token })),
      );
      for (const o of page.Contents ?? []) if (o.Key && !o.Key.endsWith('/') && objectWanted(o.Key, filters)) objects.push({ key: o.Key, size: o.Size ?? 0 });
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix && folderWanted(p.Prefix, filters)) queue.push(p.Prefix);
      seen += (page.Contents?.length ?? 0) + (page.CommonPrefixes?.length ?? 0);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    // Some S3-compatible stores (s3rver) report a common prefix only for folders holding objects
    // directly: an empty delimited answer is checked once with a flat listing (filtered by key).
    if (delimited && seen === 0) await listFolder(folder, false);
  };
  const running = new Set<Promise<void>>();
  while (queue.length > 0 || running.size > 0) {
    while (queue.length > 0 && running.size < concurrency) {
      const p = listFolder(queue.shift()!).finally(() => running.delete(p));
      running.add(p);
    }
    if (running.size > 0) await Promise.race(running);
  }
  objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { objects, requests };
}

export async function listS3(uris: string[], filters: ArchiveFilters, opts: { concurrency: number; client?: S3Client }): Promise<Listing> {
  const client = opts.client ?? archiveClient();
  const objects: ArchiveObject[] = [];
  const errors: Listing['errors'] = [];
  let listRequests = 0;
  for (const uri of uris) {
    let bucket: string;
    let prefix: string;
    try {
      ({ bucket, prefix } = parseS3Uri(uri));
    } catch (err) {
      errors.push({ where: uri, message: errorMessage(err) });
      continue;
    }
    try {
      const listed = await listArchive(client, bucket, prefix, filters, opts.concurrency);
      listRequests += listed.requests;
      for (const o of listed.objects)
        objects.push({
          name: `s3://${bucket}/${o.key}`,
          size: o.size,
          fetch: () =>
            withRetries(async () => {
              const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: o.key }));
              return (await res.Body?.transformToByteArray()) ?? new Uint8Array(0);
            }).catch((err: unknown) => {
              throw new Error(`cannot get object (${describe(err)})`);
            }),
        });
    } catch (err) {
      errors.push({ where: uri, message: `cannot list the archive (${describe(err)})` });
    }
  }
  return { objects, noun: 'object', errors, listRequests, close: () => client.destroy() };
}
