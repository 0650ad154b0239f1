import type { StateSourceConfig } from '../config.js';
import type { FetchedState, StateBackend } from './types.js';
import { envSecret, failedResponse, globToRegExp, httpGet, isGlob, literalPrefix, mapLimit, timeoutMs } from './util.js';
import { InputError } from '../../util/errors.js';

interface JsonApiDoc<A> {
  data: { id: string; type: string; attributes: A };
}
interface WorkspaceList {
  data: { id: string; attributes: { name: string } }[];
  meta?: { pagination?: { 'next-page'?: number | null } };
}
interface StateVersionAttrs {
  serial?: number;
  'hosted-state-download-url'?: string;
}

/** `app.terraform.io` → `TF_TOKEN_app_terraform_io`, the variable Terraform itself reads. */
export function terraformTokenVariable(host: string): string {
  return `TF_TOKEN_${host.replace(/-/g, '__').replace(/\./g, '_')}`;
}

/**
 * HCP Terraform / Terraform Enterprise: a workspace's current state version via the API
 * (`/workspaces/{id}/current-state-version`, workspace found by organization and name or by
 * ID, or many by a name glob), then its `hosted-state-download-url`. The state version ID is
 * the change marker: an unchanged workspace costs one small API call, no download.
 */
export function remoteBackend(config: StateSourceConfig, env: NodeJS.ProcessEnv = process.env): StateBackend {
  const raw = config.endpoint ?? config.hostname ?? 'app.terraform.io';
  const address = (/^https?:\/\//.test(raw) ? raw : `https://${raw}`).replace(/\/$/, '');
  const host = new URL(address).hostname;
  const org = config.organization ?? '';
  const ws = config.workspace ?? '';
  const timeout = timeoutMs(config);
  const describe = (): string => (config.workspace_id && !config.workspace ? `tfe://${host}/${config.workspace_id}` : `tfe://${host}/${org}/${ws}`);
  const idCache = new Map<string, string>();

  function headers(): Record<string, string> {
    const token = envSecret(config.token_env, [terraformTokenVariable(host), 'TFE_TOKEN', 'TF_API_TOKEN'], env);
    if (!token) throw new InputError(`no API token: set ${config.token_env ?? `${terraformTokenVariable(host)} or TFE_TOKEN`}`, 'state_fetch_failed', describe());
    return { authorization: `Bearer ${token}`, accept: 'application/vnd.api+json' };
  }

  async function api<T>(path: string, where: string): Promise<{ status: number; body: T | null }> {
    const res = await httpGet(`${address}/api/v2${path}`, { headers: headers(), timeout, where });
    if (res.status === 404) return { status: 404, body: null };
    if (!res.ok) await failedResponse(res, where);
    return { status: res.status, body: (await res.json()) as T };
  }

  async function workspaces(): Promise<{ id: string; name: string }[]> {
    if (config.workspace_id) return [{ id: config.workspace_id, name: config.workspace ?? config.workspace_id }];
    if (!isGlob(ws)) {
      let id = idCache.get(ws);
      if (!id) {
        const r = await api<JsonApiDoc<{ name: string }>>(`/organizations/${encodeURIComponent(org)}/workspaces/${encodeURIComponent(ws)}`, describe());
        if (!r.body) throw new InputError('workspace not found (or the token cannot see it)', 'state_fetch_failed', describe());
        id = r.body.data.id;
        idCache.set(ws, id);
      }
      return [{ id, name: ws }];
    }
    const re = globToRegExp(ws);
    const out: { id: string; name: string }[] = [];
    let page: number | null | undefined = 1;
    while (page) {
      const q: URLSearchParams = new URLSearchParams({ 'page[number]': String(page), 'page[size]': '100' });
      const prefix = literalPrefix(ws);
      if (prefix) q.set('search[name]', prefix);
      const r: { status: number; body: WorkspaceList | null } = await api<WorkspaceList>(`/organizations/${encodeURIComponent(org)}/workspaces?${q}`, describe());
      if (!r.body) throw new InputError('organization not found (or the token cannot see it)', 'state_fetch_failed', describe());
      for (const w of r.body.data) if (re.test(w.attributes.name)) out.push({ id: w.id, name: w.attributes.name });
      page = r.body.meta?.pagination?.['next-page'];
    }
    if (out.length === 0) throw new InputError('no workspace matches this pattern', 'state_fetch_failed', describe());
    return out.sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  async function current(w: { id: string; name: string }, prev: string | null | undefined, single: boolean): Promise<FetchedState | null> {
    const location = config.workspace_id && !config.workspace ? `tfe://${host}/${w.id}` : `tfe://${host}/${org}/${w.name}`;
    const r = await api<JsonApiDoc<StateVersionAttrs>>(`/workspaces/${encodeURIComponent(w.id)}/current-state-version`, location);
    if (!r.body) {
      if (single) throw new InputError('workspace has no state yet', 'state_fetch_failed', location);
      return null; // under a glob, a workspace without state is simply not a state yet
    }
    const version = r.body.data.id;
    if (prev && prev === version) return { text: '', location, version, unchanged: true };
    const url = r.body.data.attributes['hosted-state-download-url'];
    if (!url) throw new InputError('state version has no hosted-state-download-url', 'state_fetch_failed', location);
    const res = await httpGet(url, { headers: headers(), timeout, where: location });
    if (!res.ok) await failedResponse(res, location);
    return { text: await res.text(), location, version };
  }

  return {
    kind: 'remote',
    describe,
    async fetch(_previous, known): Promise<FetchedState[] | null> {
      const list = await workspaces();
      const single = !isGlob(ws) || Boolean(config.workspace_id);
      const out = (await mapLimit(list, 4, (w) => current(w, known?.get(config.workspace_id && !config.workspace ? `tfe://${host}/${w.id}` : `tfe://${host}/${org}/${w.name}`), single))).filter(
        (f): f is FetchedState => f !== null,
      );
      if (out.length === 0) throw new InputError('no workspace matching this pattern has state yet', 'state_fetch_failed', describe());
      if (known && known.size !== out.length) return out;
      return out.every((f) => f.unchanged) ? null : out;
    },
  };
}
