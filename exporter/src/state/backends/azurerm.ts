import { createHmac } from 'node:crypto';
import type { StateSourceConfig } from '../config.js';
import type { FetchedState, StateBackend } from './types.js';
import { envSecret, failedResponse, fetchObjectStore, globToRegExp, httpGet, literalPrefix, sameEtag, timeoutMs } from './util.js';
import { InputError } from '../../util/errors.js';
import { azureTokenSource } from './credentials/azure.js';

const API_VERSION = '2021-12-02';

type Auth =
  | { kind: 'sas'; query: string }
  | { kind: 'key'; key: Buffer }
  | { kind: 'bearer'; token: () => Promise<string> };

/** Shared Key signature for the Blob service (the string-to-sign of API versions ≥ 2009-09-19). */
export function sharedKeySignature(account: string, key: Buffer, method: string, url: URL, headers: Record<string, string>): string {
  const h = (name: string): string => headers[name] ?? '';
  const msHeaders = Object.keys(headers)
    .filter((k) => k.startsWith('x-ms-'))
    .sort()
    .map((k) => `${k}:${headers[k].trim()}\n`)
    .join('');
  const params = new Map<string, string[]>();
  for (const [k, v] of url.searchParams) params.set(k.toLowerCase(), [...(params.get(k.toLowerCase()) ?? []), v]);
  const query = [...params.keys()]
    .sort()
    .map((k) => `\n${k}:${(params.get(k) ?? []).sort().join(',')}`)
    .join('');
  const stringToSign = [
    method, h('content-encoding'), h('content-language'), h('content-length') === '0' ? '' : h('content-length'), h('content-md5'),
    h('content-type'), '', h('if-modified-since'), h('if-match'), h('if-none-match'), h('if-unmodified-since'), h('range'),
  ].join('\n') + `\n${msHeaders}/${account}${url.pathname}${query}`;
  return createHmac('sha256', key).update(stringToSign, 'utf8').digest('base64');
}

function authFor(config: StateSourceConfig, env: NodeJS.ProcessEnv): Auth {
  const where = `azurerm://${config.storage_account_name}/${config.container_name}`;
  if (config.use_azuread_auth) {
    // A token from the environment, else DefaultAzureCredential (managed identity, workload identity, service principal, az login).
    const aad = azureTokenSource('https://storage.azure.com/.default', where);
    return {
      kind: 'bearer',
      async token() {
        return envSecret(config.token_env, ['ARM_ACCESS_TOKEN', 'AZURE_STORAGE_TOKEN'], env) ?? aad();
      },
    };
  }
  const sas = envSecret(config.sas_token_env, ['ARM_SAS_TOKEN', 'AZURE_STORAGE_SAS_TOKEN'], env);
  if (sas) return { kind: 'sas', query: sas.replace(/^\?/, '') };
  const key = envSecret(config.access_key_env, ['ARM_ACCESS_KEY', 'AZURE_STORAGE_KEY'], env);
  if (key) return { kind: 'key', key: Buffer.from(key, 'base64') };
  throw new InputError(
    `no credentials: set ${config.access_key_env ?? 'ARM_ACCESS_KEY'} (account key), ${config.sas_token_env ?? 'ARM_SAS_TOKEN'} (SAS), or use_azuread_auth`,
    'state_fetch_failed',
    where,
  );
}

function xmlText(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

/**
 * Azure Blob Storage, as Terraform's azurerm backend stores state (`<key>` and, for workspaces,
 * `<key>env:<workspace>`): account key (Shared Key signing), SAS, or AAD bearer (env token or
 * managed identity). Conditional GET on ETag; listings carry ETags for globs.
 */
export function azurermBackend(config: StateSourceConfig, env: NodeJS.ProcessEnv = process.env): StateBackend {
  const account = config.storage_account_name ?? '';
  const container = config.container_name ?? '';
  const key = config.key ?? '';
  const base = (config.endpoint ?? `https://${account}.blob.core.windows.net`).replace(/\/$/, '');
  const timeout = timeoutMs(config);
  let auth: Auth | null = null;
  const where = (k: string): string => `azurerm://${account}/${container}/${k}`;
  const encodePath = (k: string): string => k.split('/').map(encodeURIComponent).join('/');

  async function request(url: URL, extra: Record<string, string>, location: string): Promise<Response> {
    auth ??= authFor(config, env);
    const headers: Record<string, string> = { 'x-ms-date': new Date().toUTCString(), 'x-ms-version': API_VERSION, ...extra };
    if (auth.kind === 'sas') for (const [k, v] of new URLSearchParams(auth.query)) url.searchParams.set(k, v);
    else if (auth.kind === 'key') headers.authorization = `SharedKey ${account}:${sharedKeySignature(account, auth.key, 'GET', url, headers)}`;
    else headers.authorization = `Bearer ${await auth.token()}`;
    return httpGet(url.toString(), { headers, timeout, where: location });
  }

  async function list(): Promise<{ key: string; etag: string | null }[]> {
    const re = globToRegExp(key);
    const out: { key: string; etag: string | null }[] = [];
    let marker = '';
    do {
      const url = new URL(`${base}/${encodeURIComponent(container)}`);
      url.searchParams.set('restype', 'container');
      url.searchParams.set('comp', 'list');
      url.searchParams.set('prefix', literalPrefix(key));
      if (marker) url.searchParams.set('marker', marker);
      const res = await request(url, {}, where(key));
      if (!res.ok) await failedResponse(res, where(key));
      const xml = await res.text();
      for (const m of xml.matchAll(/<Blob>([\s\S]*?)<\/Blob>/g)) {
        const name = /<Name>([\s\S]*?)<\/Name>/.exec(m[1]);
        const etag = /<Etag>([\s\S]*?)<\/Etag>/i.exec(m[1]);
        if (name && re.test(xmlText(name[1]))) out.push({ key: xmlText(name[1]), etag: etag ? xmlText(etag[1]) : null });
      }
      marker = xmlText(/<NextMarker>([\s\S]*?)<\/NextMarker>/.exec(xml)?.[1] ?? '');
    } while (marker);
    if (out.length === 0) throw new InputError('no blob matches this pattern', 'state_fetch_failed', where(key));
    return out.sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  async function get(k: string, knownEtag: string | null | undefined): Promise<FetchedState> {
    const location = where(k);
    const url = new URL(`${base}/${encodeURIComponent(container)}/${encodePath(k)}`);
    const res = await request(url, knownEtag ? { 'if-none-match': knownEtag } : {}, location);
    if (res.status === 304) return { text: '', location, version: knownEtag ?? null, unchanged: true };
    if (!res.ok) await failedResponse(res, location);
    return { text: await res.text(), location, version: res.headers.get('etag') };
  }

  return {
    kind: 'azurerm',
    describe: () => where(key),
    fetch: (_previous, known) =>
      fetchObjectStore({ key, where, known, list, get, unchangedInListing: (prev, o) => sameEtag(prev, o.etag) }),
  };
}
