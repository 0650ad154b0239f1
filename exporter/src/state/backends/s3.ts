import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import type { StateSourceConfig } from '../config.js';
import type { FetchedState, StateBackend } from './types.js';
import { fetchObjectStore, globToRegExp, literalPrefix, sameEtag, timeoutMs, withDeadline } from './util.js';
import { InputError } from '../../util/errors.js';
import { type SdkError, describeSdkError } from '../../util/aws-errors.js';

const describe = (err: unknown): string => describeSdkError(err, ' (check the credentials/role this source uses and s3:GetObject/s3:ListBucket)');

/**
 * S3 (and S3-compatible) state: one key or a glob over keys (`env:/*\/terraform.tfstate` for
 * workspaces). Credentials come from the AWS SDK default chain (env, profile, SSO, IMDS, IRSA).
 * A listing carries each object's ETag, so unchanged objects under a glob cost no GET; a
 * single key uses a conditional GET (If-None-Match → 304, nothing downloaded).
 */
export function s3Backend(config: StateSourceConfig, env: NodeJS.ProcessEnv = process.env): StateBackend {
  const bucket = config.bucket ?? '';
  const key = config.key ?? '';
  const endpoint = config.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  const clientConfig: S3ClientConfig = {
    region: config.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
    ...(config.force_path_style !== undefined ? { forcePathStyle: config.force_path_style } : endpoint ? { forcePathStyle: true } : {}),
    ...(config.profile ? { profile: config.profile } : {}),
    // The SDK's requestTimeout alone only logs a warning; each call below also carries an abort signal and a deadline.
    requestHandler: { requestTimeout: timeoutMs(config), connectionTimeout: timeoutMs(config), throwOnRequestTimeout: true },
    // Retries are the store's (with backoff, counted per load), so one hung endpoint costs one timeout per attempt.
    maxAttempts: 1,
  };
  const timeout = timeoutMs(config);
  // The SDK (~130 ms to import) is loaded on the first request, not when the CLI starts.
  let sdk: Promise<{ client: S3Client; sdk: typeof import('@aws-sdk/client-s3') }> | null = null;
  const s3 = (): NonNullable<typeof sdk> =>
    (sdk ??= import('@aws-sdk/client-s3').then((m) => ({ client: new m.S3Client(clientConfig), sdk: m })));
  const where = (k: string): string => `s3://${bucket}/${k}`;

  async function list(): Promise<{ key: string; etag: string | null }[]> {
    const re = globToRegExp(key);
    const out: { key: string; etag: string | null }[] = [];
    let token: string | undefined;
    do {
      let page;
      try {
        const { client, sdk: m } = await s3();
        const input = { Bucket: bucket, Prefix: literalPrefix(key), ContinuationToken: token };
        page = await withDeadline(timeout, where(key), (abortSignal) => client.send(new m.ListObjectsV2Command(input), { abortSignal }));
      } catch (err) {
        if (err instanceof InputError) throw err;
        throw new InputError(`cannot list objects (${describe(err)})`, 'state_fetch_failed', where(key));
      }
      for (const o of page.Contents ?? []) if (o.Key && re.test(o.Key)) out.push({ key: o.Key, etag: o.ETag ?? null });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    if (out.length === 0) throw new InputError('no object matches this pattern', 'state_fetch_failed', where(key));
    return out.sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  async function get(k: string, knownEtag: string | null | undefined): Promise<FetchedState> {
    const location = where(k);
    try {
      const { client, sdk: m } = await s3();
      const input = { Bucket: bucket, Key: k, ...(knownEtag ? { IfNoneMatch: knownEtag } : {}) };
      return await withDeadline(timeout, location, async (abortSignal) => {
        const res = await client.send(new m.GetObjectCommand(input), { abortSignal });
        const text = (await res.Body?.transformToString('utf8')) ?? '';
        return { text, location, version: res.ETag ?? null };
      });
    } catch (err) {
      if ((err as SdkError).$metadata?.httpStatusCode === 304) return { text: '', location, version: knownEtag ?? null, unchanged: true };
      if (err instanceof InputError) throw err;
      throw new InputError(`cannot get object (${describe(err)})`, 'state_fetch_failed', location);
    }
  }

  return {
    kind: 's3',
    describe: () => where(key),
    fetch: (_previous, known) =>
      fetchObjectStore({ key, where, known, list, get, unchangedInListing: (prev, o) => sameEtag(prev, o.etag) }),
  };
}
