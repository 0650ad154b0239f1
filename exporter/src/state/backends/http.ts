import type { StateSourceConfig } from '../config.js';
import type { FetchedState, StateBackend } from './types.js';
import { envSecret, failedResponse, httpGet, timeoutMs } from './util.js';
import { InputError } from '../../util/errors.js';

/** The URL without credentials or query (tokens often ride there), for logs and `state_source`. */
export function safeLocation(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return raw.replace(/\?.*$/, '');
  }
}

/**
 * Terraform's `http` backend (GET on the state address; 200 with state, 204/404 when none),
 * with basic auth as Terraform sends it (`username` / TF_HTTP_USERNAME, password from
 * TF_HTTP_PASSWORD or `password_env`). Conditional GET on ETag, or Last-Modified when the
 * server has no ETags; servers with neither are re-read and deduplicated by serial/lineage.
 */
export function httpBackend(config: StateSourceConfig, env: NodeJS.ProcessEnv = process.env): StateBackend {
  const url = config.url ?? '';
  const location = safeLocation(url);
  return {
    kind: 'http',
    describe: () => location,
    async fetch(_previous, known): Promise<FetchedState[] | null> {
      const headers: Record<string, string> = { accept: 'application/json' };
      const user = config.username ?? envSecret(config.username_env, ['TF_HTTP_USERNAME'], env);
      const password = envSecret(config.password_env, ['TF_HTTP_PASSWORD'], env);
      if (user !== null || password !== null) headers.authorization = `Basic ${Buffer.from(`${user ?? ''}:${password ?? ''}`).toString('base64')}`;
      const prev = known?.get(location) ?? null;
      if (prev?.startsWith('etag:')) headers['if-none-match'] = prev.slice(5);
      else if (prev?.startsWith('lm:')) headers['if-modified-since'] = prev.slice(3);
      const res = await httpGet(url, { headers, timeout: timeoutMs(config), where: location });
      if (res.status === 304 && prev) return null;
      if (res.status === 204 || res.status === 404) throw new InputError(`no state stored at this address (HTTP ${res.status})`, 'state_fetch_failed', location);
      if (!res.ok) await failedResponse(res, location);
      const etag = res.headers.get('etag');
      const lastModified = res.headers.get('last-modified');
      const version = etag ? `etag:${etag}` : lastModified ? `lm:${lastModified}` : null;
      return [{ text: await res.text(), location, version }];
    },
  };
}
