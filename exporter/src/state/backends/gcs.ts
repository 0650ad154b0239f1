import type { StateSourceConfig } from '../config.js';
import type { FetchedState, StateBackend } from './types.js';
import { envSecret, failedResponse, fetchObjectStore, globToRegExp, httpGet, literalPrefix, timeoutMs } from './util.js';
import { InputError } from '../../util/errors.js';
import { adcFile, googleFileTokenSource, type GoogleCredentialOptions } from './credentials/google.js';

/**
 * An OAuth access token, found as Application Default Credentials are: a static token from the
 * environment; a credentials file (`credentials_file`, GOOGLE_APPLICATION_CREDENTIALS, gcloud's
 * application-default login) through google-auth-library; else the metadata server (GCE, GKE
 * workload identity, Cloud Run).
 */
function tokenSource(config: StateSourceConfig, env: NodeJS.ProcessEnv, google: GoogleCredentialOptions): () => Promise<string> {
  let cached: { token: string; until: number } | null = null;
  let fromFile: Promise<(() => Promise<string>) | null> | null = null;
  const metadataHost = env.GCE_METADATA_HOST ?? 'metadata.google.internal';
  return async () => {
    const fromEnv = envSecret(config.token_env, ['GOOGLE_OAUTH_ACCESS_TOKEN'], env);
    if (fromEnv) return fromEnv;
    fromFile ??= adcFile(config.credentials_file, env).then((file) => (file ? googleFileTokenSource(file, `gs://${config.bucket}`, google) : null));
    const file = await fromFile;
    if (file) return file();
    if (cached && cached.until > Date.now()) return cached.token;
    const where = `http://${metadataHost}/computeMetadata/v1/instance/service-accounts/default/token`;
    const res = await httpGet(where, { headers: { 'metadata-flavor': 'Google' }, timeout: 5000, where: 'GCP metadata server' }).catch(() => {
      throw new InputError(
        `no Google credentials: set credentials_file or GOOGLE_APPLICATION_CREDENTIALS (a service-account key), run \`gcloud auth application-default login\`, set ${config.token_env ?? 'GOOGLE_OAUTH_ACCESS_TOKEN'}, or run where the metadata server is reachable`,
        'state_fetch_failed',
        `gs://${config.bucket}`,
      );
    });
    if (!res.ok) await failedResponse(res, 'GCP metadata server token');
    const body = (await res.json()) as { access_token?: string; expires_in?: number };
    if (!body.access_token) throw new InputError('metadata server returned no access_token', 'state_fetch_failed', 'GCP metadata server');
    cached = { token: body.access_token, until: Date.now() + Math.max(0, (body.expires_in ?? 300) - 60) * 1000 };
    return cached.token;
  };
}

/**
 * Google Cloud Storage over the JSON API (no SDK): one object or a glob over a prefix
 * (workspaces are `<prefix>/<workspace>.tfstate`). Change detection by object generation:
 * listings carry it, single objects use `ifGenerationNotMatch` (304, nothing downloaded).
 */
export function gcsBackend(config: StateSourceConfig, env: NodeJS.ProcessEnv = process.env, google: GoogleCredentialOptions = {}): StateBackend {
  const bucket = config.bucket ?? '';
  const key = config.key ?? '';
  const api = (config.endpoint ?? 'https://storage.googleapis.com').replace(/\/$/, '');
  const token = tokenSource(config, env, google);
  const timeout = timeoutMs(config);
  const where = (k: string): string => `gs://${bucket}/${k}`;
  const objectUrl = (k: string): string => `${api}/storage/v1/b/${encodeURIComponent(bucket)}/o/${encodeURIComponent(k)}`;

  async function list(): Promise<{ key: string; generation: string }[]> {
    const re = globToRegExp(key);
    const out: { key: string; generation: string }[] = [];
    let pageToken: string | undefined;
    do {
      const q = new URLSearchParams({ prefix: literalPrefix(key), fields: 'items(name,generation),nextPageToken' });
      if (pageToken) q.set('pageToken', pageToken);
      const res = await httpGet(`${api}/storage/v1/b/${encodeURIComponent(bucket)}/o?${q}`, { headers: { authorization: `Bearer ${await token()}` }, timeout, where: where(key) });
      if (!res.ok) await failedResponse(res, where(key));
      const page = (await res.json()) as { items?: { name: string; generation: string }[]; nextPageToken?: string };
      for (const o of page.items ?? []) if (re.test(o.name)) out.push({ key: o.name, generation: String(o.generation) });
      pageToken = page.nextPageToken;
    } while (pageToken);
    if (out.length === 0) throw new InputError('no object matches this pattern', 'state_fetch_failed', where(key));
    return out.sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  async function get(k: string, knownGeneration: string | null | undefined): Promise<FetchedState> {
    const location = where(k);
    const q = new URLSearchParams({ alt: 'media' });
    if (knownGeneration) q.set('ifGenerationNotMatch', knownGeneration);
    const res = await httpGet(`${objectUrl(k)}?${q}`, { headers: { authorization: `Bearer ${await token()}` }, timeout, where: location });
    if (res.status === 304) return { text: '', location, version: knownGeneration ?? null, unchanged: true };
    if (!res.ok) await failedResponse(res, location);
    return { text: await res.text(), location, version: res.headers.get('x-goog-generation') };
  }

  return {
    kind: 'gcs',
    describe: () => where(key),
    fetch: (_previous, known) =>
      fetchObjectStore({ key, where, known, list, get, unchangedInListing: (prev, o) => Boolean(prev) && prev === o.generation }),
  };
}
