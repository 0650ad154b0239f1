/**
 * A thin client for Grafana's alerting provisioning HTTP API over an injectable `fetch`
 * (global fetch in Node 20 and browsers; the plugin can pass one bound to its backend).
 */
import { GrafanaApiError, httpError } from './errors.js';
import type { AlertRuleGroup, ContactPoint, Folder, MuteTimeInterval, Route } from './grafana-types.js';

/** The part of a fetch Response this client reads. */
export interface FetchResponse {
  status: number;
  text(): Promise<string>;
}
export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<FetchResponse>;

export interface GrafanaClientOptions {
  /** Grafana's base URL, e.g. `http://localhost:3000` or `` (same origin, in the plugin). */
  baseUrl: string;
  /** Service-account token or API key; sent as a bearer token. */
  token?: string;
  /** Organisation to act in (`X-Grafana-Org-Id`). */
  orgId?: number;
  fetch?: FetchLike;
}

export class GrafanaClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: FetchLike;

  constructor(private readonly options: GrafanaClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    const globalFetch = (globalThis as { fetch?: FetchLike }).fetch;
    const impl = options.fetch ?? globalFetch;
    if (!impl) {
      throw new Error('no fetch implementation available: pass one in GrafanaClientOptions.fetch');
    }
    this.fetchImpl = impl;
  }

  /** Sends a request; resolves to the parsed body (null when empty), or undefined for 404 when `allow404`. */
  async request<T>(method: string, path: string, body?: unknown, opts: { allow404?: boolean; provenance?: boolean } = {}): Promise<T | undefined> {
    const url = `${this.baseUrl}${path}`;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    if (this.options.token) {
      headers.Authorization = `Bearer ${this.options.token}`;
    }
    if (this.options.orgId !== undefined) {
      headers['X-Grafana-Org-Id'] = String(this.options.orgId);
    }
    if (method !== 'GET' && opts.provenance !== false) {
      // Without it Grafana marks the resources as provisioned and the UI can no longer edit them.
      headers['X-Disable-Provenance'] = 'true';
    }
    let response: FetchResponse;
    try {
      response = await this.fetchImpl(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      throw new GrafanaApiError(`cannot reach Grafana at ${url}: ${(err as Error).message}`, 'network', undefined, method, url);
    }
    const text = await response.text();
    let parsed: unknown = text;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        // keep the text: proxies answer with HTML
      }
    }
    if (response.status === 404 && opts.allow404) {
      return undefined;
    }
    if (response.status < 200 || response.status >= 300) {
      throw httpError(method, url, response.status, parsed);
    }
    // null (not undefined) for an empty 2xx body, so callers can tell it from an allowed 404.
    return (text === '' ? null : parsed) as T;
  }

  getFolder(uid: string): Promise<Folder | undefined> {
    return this.request<Folder>('GET', `/api/folders/${encodeURIComponent(uid)}`, undefined, { allow404: true });
  }

  createFolder(folder: Folder): Promise<Folder | undefined> {
    return this.request<Folder>('POST', '/api/folders', folder, { provenance: false });
  }

  /**
   * The caller's RBAC actions (`GET /api/access-control/user/actions`, what Grafana's own frontend
   * reads), or undefined where this Grafana does not serve it.
   */
  async userActions(): Promise<Record<string, boolean> | undefined> {
    const raw = await this.request<Record<string, boolean>>('GET', '/api/access-control/user/actions', undefined, { allow404: true });
    return raw && typeof raw === 'object' ? raw : undefined;
  }

  /** Whether a datasource with this UID exists. */
  async datasourceExists(uid: string): Promise<boolean> {
    const ds = await this.request<unknown>('GET', `/api/datasources/uid/${encodeURIComponent(uid)}`, undefined, { allow404: true });
    return ds !== undefined;
  }

  async getRuleGroup(folderUid: string, group: string): Promise<AlertRuleGroup | undefined> {
    const raw = await this.request<Record<string, unknown>>('GET', ruleGroupPath(folderUid, group), undefined, { allow404: true });
    if (!raw) {
      return undefined;
    }
    return {
      title: String(raw.title ?? group),
      folderUid: String(raw.folderUid ?? raw.folderUID ?? folderUid),
      interval: Number(raw.interval ?? 60),
      rules: Array.isArray(raw.rules) ? raw.rules : [],
    };
  }

  putRuleGroup(group: AlertRuleGroup): Promise<unknown> {
    return this.request('PUT', ruleGroupPath(group.folderUid, group.title), group);
  }

  getAlertRule(uid: string): Promise<Record<string, unknown> | undefined> {
    return this.request('GET', `/api/v1/provisioning/alert-rules/${encodeURIComponent(uid)}`, undefined, { allow404: true });
  }

  async deleteAlertRule(uid: string): Promise<boolean> {
    const url = `/api/v1/provisioning/alert-rules/${encodeURIComponent(uid)}`;
    // 404 is "already gone": delete is idempotent too.
    const result = await this.request<unknown>('DELETE', url, undefined, { allow404: true });
    return result !== undefined;
  }

  async listMuteTimings(): Promise<MuteTimeInterval[]> {
    const raw = await this.request<unknown>('GET', '/api/v1/provisioning/mute-timings');
    return listOf<MuteTimeInterval>(raw);
  }

  createMuteTiming(mt: MuteTimeInterval): Promise<unknown> {
    return this.request('POST', '/api/v1/provisioning/mute-timings', mt);
  }

  updateMuteTiming(mt: MuteTimeInterval): Promise<unknown> {
    return this.request('PUT', `/api/v1/provisioning/mute-timings/${encodeURIComponent(mt.name)}`, mt);
  }

  deleteMuteTiming(name: string): Promise<unknown> {
    return this.request('DELETE', `/api/v1/provisioning/mute-timings/${encodeURIComponent(name)}`, undefined, { allow404: true });
  }

  async getPolicyTree(): Promise<Route> {
    return (await this.request<Route>('GET', '/api/v1/provisioning/policies')) ?? {};
  }

  putPolicyTree(tree: Route): Promise<unknown> {
    return this.request('PUT', '/api/v1/provisioning/policies', tree);
  }

  /**
   * Evaluation state of Grafana-managed rules (`GET /api/prometheus/grafana/api/v1/rules`), keyed
   * by rule UID where Grafana reports it and by title otherwise (older versions).
   */
  async getRuleStates(): Promise<Map<string, RuleState>> {
    const raw = await this.request<{ data?: { groups?: Array<{ rules?: Array<Record<string, unknown>> }> } }>('GET', '/api/prometheus/grafana/api/v1/rules');
    const out = new Map<string, RuleState>();
    for (const group of raw?.data?.groups ?? []) {
      for (const rule of group.rules ?? []) {
        const state: RuleState = {
          state: String(rule.state ?? 'unknown'),
          health: String(rule.health ?? 'unknown'),
          lastError: typeof rule.lastError === 'string' && rule.lastError !== '' ? rule.lastError : undefined,
          activeAlerts: Array.isArray(rule.alerts) ? rule.alerts.length : 0,
        };
        if (typeof rule.uid === 'string') {
          out.set(rule.uid, state);
        }
        if (typeof rule.name === 'string') {
          out.set(`title:${rule.name}`, state);
        }
      }
    }
    return out;
  }

  async listContactPoints(): Promise<ContactPoint[]> {
    const raw = await this.request<unknown>('GET', '/api/v1/provisioning/contact-points');
    return listOf<ContactPoint>(raw);
  }
}

/** How Grafana's evaluator last saw a rule: `inactive`/`pending`/`firing`, health `ok`/`error`/`nodata`. */
export interface RuleState {
  state: string;
  health: string;
  lastError?: string;
  activeAlerts: number;
}

function ruleGroupPath(folderUid: string, group: string): string {
  return `/api/v1/provisioning/folder/${encodeURIComponent(folderUid)}/rule-groups/${encodeURIComponent(group)}`;
}

/** A bare array, or the `{items: [...]}` envelope newer APIs use. */
function listOf<T>(raw: unknown): T[] {
  if (Array.isArray(raw)) {
    return raw as T[];
  }
  if (raw && typeof raw === 'object' && Array.isArray((raw as { items?: unknown }).items)) {
    return (raw as { items: T[] }).items;
  }
  return [];
}
