/// <reference types="node" />
/**
 * A local stand-in for Grafana's alerting provisioning HTTP API on loopback (node:http),
 * following the documented request/response shapes and the validation Grafana applies:
 * required rule fields, relativeTimeRange on datasource queries, `__expr__` expressions that
 * reference existing refIds, a condition refId that exists, datasources and folders that exist,
 * provenance (X-Disable-Provenance) and 409 on a provenance mismatch, references from the
 * policy tree to contact points and mute timings, and 401/403 for bad or weak credentials.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface PeerRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Json;
}

export interface PeerOptions {
  /** Token that may read and write; requests without it get 401. */
  token?: string;
  /** Token that authenticates but lacks alerting rights: 403. */
  readOnlyToken?: string;
  datasources?: Array<{ uid: string; type: string; name?: string }>;
  contactPoints?: Array<{ name: string; type: string; uid?: string }>;
  /** Answer like an older Grafana: `folderUid` on rules, `for` as `5m0s`, legacy `matchers` strings on routes. */
  legacyShapes?: boolean;
  /**
   * The caller's RBAC actions served at /api/access-control/user/actions (`null`: 404, as a Grafana
   * without that endpoint). Default: an Editor's (folders:create, alert.provisioning:write, ...).
   */
  userActions?: Record<string, boolean> | null;
}

/** A write the peer answers with an error, as Grafana would (to test failures midway). */
export interface InjectedFailure {
  method: string;
  /** The request path, or a prefix of it ending in `*`. */
  path: string;
  status: number;
  message: string;
  /** How many requests to fail (default 1). */
  times?: number;
}

const EDITOR_ACTIONS: Record<string, boolean> = {
  'folders:create': true,
  'folders:read': true,
  'folders:write': true,
  'alert.provisioning:read': true,
  'alert.provisioning:write': true,
  'alert.rules:read': true,
  'alert.rules:write': true,
  'datasources:read': true,
};

export interface StoredRule {
  rule: Json;
  provenance: string;
}

const EXPR_TYPES = new Set(['math', 'reduce', 'resample', 'classic_conditions', 'threshold', 'sql']);
const NO_DATA = new Set(['Alerting', 'NoData', 'OK', 'KeepLast']);
const EXEC_ERR = new Set(['Alerting', 'Error', 'OK', 'KeepLast']);
const UID = /^[a-zA-Z0-9_-]{1,40}$/;
const DURATION = /^(?:\d+(?:ms|s|m|h|d|w|y))+$/;
const HHMM = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
const WEEKDAY = /^(sunday|monday|tuesday|wednesday|thursday|friday|saturday)(:(sunday|monday|tuesday|wednesday|thursday|friday|saturday))?$/;

/** JSON deep copy (structuredClone is missing in jsdom test environments). */
function clone<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly messageId?: string) {
    super(message);
  }
}

function goDuration(d: string): string {
  // Grafana of some versions echoes durations in Go's spelling.
  const m = /^(\d+)m$/.exec(d);
  return m ? `${m[1]}m0s` : d;
}

export class GrafanaPeer {
  readonly requests: PeerRequest[] = [];
  readonly folders = new Map<string, { uid: string; title: string }>();
  readonly rules = new Map<string, StoredRule>();
  readonly groupIntervals = new Map<string, number>();
  readonly muteTimings = new Map<string, { mt: Json; provenance: string }>();
  policyTree: Json = { receiver: 'grafana-default-email', group_by: ['grafana_folder', 'alertname'], routes: [] };
  datasources: Array<{ uid: string; type: string; name?: string }>;
  contactPoints: Array<{ name: string; type: string; uid?: string }>;
  /** Evaluation state served by the Prometheus-style rules API, per rule UID (default inactive/ok). */
  readonly ruleStates = new Map<string, { state: string; health: string; lastError?: string; alerts?: number }>();
  /** Folders the caller may read but not write (`canSave: false`). */
  readonly readOnlyFolders = new Set<string>();
  /** Errors to answer instead of handling matching requests, first match wins. */
  readonly failures: InjectedFailure[] = [];
  private server?: Server;
  url = '';

  constructor(readonly options: PeerOptions = {}) {
    this.datasources = options.datasources ?? [
      { uid: 'loki', type: 'loki', name: 'Loki' },
      { uid: 'prometheus', type: 'prometheus', name: 'Prometheus' },
    ];
    this.contactPoints = options.contactPoints ?? [
      { uid: 'cp-email', name: 'grafana-default-email', type: 'email' },
      { uid: 'cp-slack', name: 'platform-slack', type: 'slack' },
    ];
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Requests that changed something. */
  writes(): PeerRequest[] {
    return this.requests.filter((r) => r.method !== 'GET');
  }

  /** Answers the next matching request(s) with an error instead of handling them. */
  failOn(failure: InjectedFailure): void {
    this.failures.push({ times: 1, ...failure });
  }

  private injected(method: string, path: string): HttpError | undefined {
    const index = this.failures.findIndex((f) => f.method === method && (f.path.endsWith('*') ? path.startsWith(f.path.slice(0, -1)) : path === f.path));
    if (index < 0) return undefined;
    const failure = this.failures[index];
    failure.times = (failure.times ?? 1) - 1;
    if (failure.times <= 0) this.failures.splice(index, 1);
    return new HttpError(failure.status, failure.message);
  }

  /** Seeds a rule as if it had been provisioned some other way (e.g. `file`). */
  seedRule(rule: Json, provenance: string): void {
    this.rules.set(rule.uid, { rule: clone(rule), provenance });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://peer');
    const method = req.method ?? 'GET';
    let body: Json;
    try {
      body = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      return this.send(res, 400, { message: 'bad request data' });
    }
    const answer = this.handleRequest(method, url.pathname, req.headers, body);
    this.send(res, answer.status, answer.body);
  }

  /** The API without the socket: for in-process transports (jest, a BackendSrv fake). */
  handleRequest(method: string, path: string, headers: IncomingMessage['headers'], body: Json): { status: number; body: Json } {
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    this.requests.push({ method, path, headers: lower, body });
    try {
      this.authorize(String(lower.authorization ?? ''), method, path);
      const failure = this.injected(method, path);
      if (failure) throw failure;
      const [status, payload] = this.route(method, path, body, lower['x-disable-provenance'] === 'true');
      return { status, body: payload };
    } catch (err) {
      if (err instanceof HttpError) {
        return { status: err.status, body: { message: err.message, ...(err.messageId ? { messageId: err.messageId, statusCode: err.status } : {}) } };
      }
      return { status: 500, body: { message: String(err) } };
    }
  }

  private send(res: ServerResponse, status: number, payload: Json): void {
    if (payload === undefined) {
      res.writeHead(status).end();
      return;
    }
    res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(payload));
  }

  private readOnlyCaller = false;

  private authorize(auth: string, method: string, path: string): void {
    this.readOnlyCaller = false;
    if (!this.options.token) {
      return;
    }
    if (this.options.readOnlyToken && auth === `Bearer ${this.options.readOnlyToken}`) {
      this.readOnlyCaller = true;
      if (method !== 'GET' || path.startsWith('/api/v1/provisioning')) {
        throw new HttpError(403, "You'll need additional permissions to perform this action. Permissions needed: alert.provisioning:read");
      }
      return;
    }
    if (auth !== `Bearer ${this.options.token}`) {
      throw new HttpError(401, 'Unauthorized');
    }
  }

  private route(method: string, path: string, body: Json, noProvenance: boolean): [number, Json] {
    const provenance = noProvenance ? '' : 'api';
    let m: RegExpExecArray | null;
    if ((m = /^\/api\/folders\/([^/]+)$/.exec(path)) && method === 'GET') {
      const folder = this.folders.get(decodeURIComponent(m[1]));
      if (!folder) throw new HttpError(404, 'folder not found');
      const writable = !this.readOnlyFolders.has(folder.uid) && !this.readOnlyCaller;
      return [200, { id: 1, ...folder, url: `/dashboards/f/${folder.uid}/`, canSave: writable, canEdit: writable, canAdmin: writable, canDelete: writable }];
    }
    if (path === '/api/access-control/user/actions' && method === 'GET') {
      if (this.options.userActions === null) throw new HttpError(404, 'Not found');
      const actions = this.options.userActions ?? EDITOR_ACTIONS;
      return [200, this.readOnlyCaller ? { 'folders:read': true, 'datasources:read': true } : actions];
    }
    if (path === '/api/folders' && method === 'POST') {
      if (this.options.userActions && !this.options.userActions['folders:create']) throw new HttpError(403, 'You do not have permission to create folders');
      if (!body?.title) throw new HttpError(400, 'folder title cannot be empty');
      const uid = body.uid ?? `f${this.folders.size + 1}`;
      if (this.folders.has(uid)) throw new HttpError(409, 'a folder with the same uid already exists');
      this.folders.set(uid, { uid, title: body.title });
      return [200, { id: this.folders.size, uid, title: body.title }];
    }
    if ((m = /^\/api\/datasources\/uid\/([^/]+)$/.exec(path)) && method === 'GET') {
      const ds = this.datasources.find((d) => d.uid === decodeURIComponent(m![1]));
      if (!ds) throw new HttpError(404, 'Data source not found');
      return [200, { id: 1, name: ds.uid, ...ds }];
    }
    if (path === '/api/v1/provisioning/contact-points' && method === 'GET') {
      return [200, this.contactPoints.map((c) => ({ uid: c.uid ?? c.name, settings: {}, disableResolveMessage: false, ...c }))];
    }
    if (path === '/api/v1/provisioning/policies') {
      if (method === 'GET') return [200, this.legacyShapes(clone(this.policyTree))];
      if (method === 'PUT') {
        this.validateRoute(body, true);
        this.policyTree = clone(body);
        return [202, { message: 'policies updated' }];
      }
    }
    if (path === '/api/v1/provisioning/mute-timings') {
      if (method === 'GET') return [200, Array.from(this.muteTimings.values()).map((v) => ({ ...v.mt, provenance: v.provenance }))];
      if (method === 'POST') {
        this.validateMuteTiming(body);
        if (this.muteTimings.has(body.name)) throw new HttpError(409, `a mute timing with name ${body.name} already exists`);
        this.muteTimings.set(body.name, { mt: clone(body), provenance });
        return [201, body];
      }
    }
    if ((m = /^\/api\/v1\/provisioning\/mute-timings\/([^/]+)$/.exec(path))) {
      const name = decodeURIComponent(m[1]);
      const current = this.muteTimings.get(name);
      if (method === 'GET') {
        if (!current) throw new HttpError(404, 'mute timing not found');
        return [200, current.mt];
      }
      if (method === 'PUT') {
        if (!current) throw new HttpError(404, 'mute timing not found');
        this.validateMuteTiming(body);
        this.checkProvenance(current.provenance, provenance);
        this.muteTimings.set(name, { mt: clone(body), provenance });
        return [202, body];
      }
      if (method === 'DELETE') {
        if (current && JSON.stringify(this.policyTree).includes(JSON.stringify(name))) {
          throw new HttpError(409, `mute time interval '${name}' is used by a notification policy`, 'alerting.notifications.time-intervals.used');
        }
        this.muteTimings.delete(name);
        return [204, undefined];
      }
    }
    if (path === '/api/prometheus/grafana/api/v1/rules' && method === 'GET') {
      const groups = new Map<string, Json[]>();
      for (const { rule } of this.rules.values()) {
        const key = `${rule.folderUID}/${rule.ruleGroup}`;
        const st = this.ruleStates.get(rule.uid) ?? { state: 'inactive', health: 'ok' };
        const entry = { uid: rule.uid, name: rule.title, state: st.state, health: st.health, lastError: st.lastError ?? '', labels: rule.labels, alerts: Array.from({ length: st.alerts ?? 0 }, () => ({ state: 'Alerting' })) };
        groups.set(key, [...(groups.get(key) ?? []), entry]);
      }
      return [200, { status: 'success', data: { groups: Array.from(groups, ([key, rules]) => ({ name: key.split('/')[1], folderUid: key.split('/')[0], file: this.folders.get(key.split('/')[0])?.title, rules })) } }];
    }
    if (path === '/api/v1/provisioning/alert-rules') {
      if (method === 'GET') return [200, Array.from(this.rules.values()).map((s) => this.present(s))];
      if (method === 'POST') {
        this.validateRule(body, this.groupOf(body.folderUID, body.ruleGroup));
        if (this.rules.has(body.uid)) throw new HttpError(409, 'a rule with this UID already exists');
        this.rules.set(body.uid, { rule: clone(body), provenance });
        return [201, this.present(this.rules.get(body.uid)!)];
      }
    }
    if ((m = /^\/api\/v1\/provisioning\/alert-rules\/([^/]+)$/.exec(path))) {
      const uid = decodeURIComponent(m[1]);
      const current = this.rules.get(uid);
      if (!current) throw new HttpError(404, 'rule not found');
      if (method === 'GET') return [200, this.present(current)];
      if (method === 'PUT') {
        this.validateRule({ ...body, uid }, this.groupOf(body.folderUID, body.ruleGroup));
        this.checkProvenance(current.provenance, provenance);
        this.rules.set(uid, { rule: clone({ ...body, uid }), provenance });
        return [200, this.present(this.rules.get(uid)!)];
      }
      if (method === 'DELETE') {
        this.checkProvenance(current.provenance, provenance);
        this.rules.delete(uid);
        return [204, undefined];
      }
    }
    if ((m = /^\/api\/v1\/provisioning\/folder\/([^/]+)\/rule-groups\/([^/]+)$/.exec(path))) {
      const folderUid = decodeURIComponent(m[1]);
      const group = decodeURIComponent(m[2]);
      const key = `${folderUid}/${group}`;
      const members = () => Array.from(this.rules.values()).filter((s) => s.rule.folderUID === folderUid && s.rule.ruleGroup === group);
      if (method === 'GET') {
        if (!this.folders.has(folderUid) || members().length === 0) throw new HttpError(404, 'rule group not found under this folder');
        return [200, { title: group, folderUid, interval: this.groupIntervals.get(key) ?? 60, rules: members().map((s) => this.present(s)) }];
      }
      if (method === 'PUT') return this.putGroup(folderUid, group, body, provenance);
      if (method === 'DELETE') {
        for (const s of members()) this.checkProvenance(s.provenance, provenance);
        for (const s of members()) this.rules.delete(s.rule.uid);
        return [204, undefined];
      }
    }
    throw new HttpError(404, `no route for ${method} ${path}`);
  }

  private putGroup(folderUid: string, group: string, body: Json, provenance: string): [number, Json] {
    if (!this.folders.has(folderUid)) throw new HttpError(404, `folder ${folderUid} not found`);
    if (this.readOnlyFolders.has(folderUid)) throw new HttpError(403, `user is not authorized to edit rules in folder ${folderUid}`);
    if (!body || typeof body.interval !== 'number' || body.interval <= 0 || body.interval % 10 !== 0) {
      throw new HttpError(400, 'invalid rule group: interval must be a positive multiple of the base interval (10s)');
    }
    if (!Array.isArray(body.rules)) throw new HttpError(400, 'invalid rule group: rules must be a list');
    const seen = new Set<string>();
    const titles = new Set<string>();
    for (const [i, rule] of body.rules.entries()) {
      if (rule.folderUID !== undefined && rule.folderUID !== folderUid) throw new HttpError(400, `invalid rule specification at index [${i}]: folderUID does not match the path`);
      try {
        this.validateRule({ ...rule, folderUID: folderUid, ruleGroup: group }, true);
      } catch (err) {
        throw new HttpError(400, `invalid rule specification at index [${i}]: ${(err as Error).message}`);
      }
      if (seen.has(rule.uid)) throw new HttpError(400, `rule UID ${rule.uid} appears twice`);
      if (titles.has(rule.title)) throw new HttpError(400, `rule title "${rule.title}" appears twice in the group`);
      seen.add(rule.uid);
      titles.add(rule.title);
    }
    const existing = Array.from(this.rules.values()).filter((s) => s.rule.folderUID === folderUid && s.rule.ruleGroup === group);
    for (const s of existing) this.checkProvenance(s.provenance, provenance);
    for (const rule of body.rules) {
      const stored = this.rules.get(rule.uid);
      if (stored) this.checkProvenance(stored.provenance, provenance);
    }
    for (const s of existing) if (!seen.has(s.rule.uid)) this.rules.delete(s.rule.uid);
    for (const rule of body.rules) {
      const clean = clone(rule);
      delete clean.provenance;
      delete clean.id;
      delete clean.updated;
      this.rules.set(rule.uid, { rule: { ...clean, folderUID: folderUid, ruleGroup: group, orgID: 1 }, provenance });
    }
    this.groupIntervals.set(`${folderUid}/${group}`, body.interval);
    return [200, { title: group, folderUid, interval: body.interval, rules: body.rules }];
  }

  /** Grafana's rule: a provenance can only be replaced by the same one, or none/api by none. */
  private checkProvenance(stored: string, provided: string): void {
    if (stored === provided || stored === '' || (stored === 'api' && provided === '')) return;
    throw new HttpError(409, `cannot change provenance from '${stored}' to '${provided}'`, 'alerting.provenanceMismatch');
  }

  private groupOf(folderUid: string, group: string): boolean {
    return this.folders.has(folderUid) && typeof group === 'string' && group !== '';
  }

  private validateRule(rule: Json, folderOk: boolean): void {
    for (const field of ['uid', 'title', 'folderUID', 'ruleGroup', 'condition', 'data', 'noDataState', 'execErrState', 'for']) {
      if (rule?.[field] === undefined || rule[field] === '') throw new HttpError(400, `invalid alert rule: ${field} is required`);
    }
    if (!UID.test(rule.uid)) throw new HttpError(400, `invalid alert rule: UID "${rule.uid}" must be at most 40 characters of [a-zA-Z0-9-_]`);
    if (!folderOk) throw new HttpError(400, `invalid alert rule: folder ${rule.folderUID} does not exist`);
    if (rule.title.length > 190) throw new HttpError(400, 'invalid alert rule: title is longer than 190 characters');
    if (!NO_DATA.has(rule.noDataState)) throw new HttpError(400, `invalid alert rule: unknown NoData state option ${rule.noDataState}`);
    if (!EXEC_ERR.has(rule.execErrState)) throw new HttpError(400, `invalid alert rule: unknown Exec Error state option ${rule.execErrState}`);
    if (!DURATION.test(rule.for)) throw new HttpError(400, `invalid alert rule: invalid duration ${rule.for}`);
    if (!Array.isArray(rule.data) || rule.data.length === 0) throw new HttpError(400, 'invalid alert rule: no queries or expressions are found');
    const refIds = new Set<string>();
    for (const q of rule.data) {
      if (!q.refId) throw new HttpError(400, 'invalid alert rule: query refId is required');
      if (refIds.has(q.refId)) throw new HttpError(400, `invalid alert rule: duplicate refId ${q.refId}`);
      refIds.add(q.refId);
      if (!q.datasourceUid) throw new HttpError(400, `invalid alert rule: query ${q.refId} has no datasourceUid`);
      if (!q.model || typeof q.model !== 'object') throw new HttpError(400, `invalid alert rule: query ${q.refId} has no model`);
      const rtr = q.relativeTimeRange;
      if (!rtr || typeof rtr.from !== 'number' || typeof rtr.to !== 'number') {
        throw new HttpError(400, `invalid alert rule: query ${q.refId} has no relativeTimeRange`);
      }
      if (q.datasourceUid === '__expr__') {
        if (!EXPR_TYPES.has(q.model.type)) throw new HttpError(400, `invalid alert rule: expression ${q.refId} has unknown type ${q.model.type}`);
      } else {
        if (rtr.from <= rtr.to) throw new HttpError(400, `invalid alert rule: query ${q.refId}: invalid relative time range [From: ${rtr.from}, To: ${rtr.to}]`);
        if (!this.datasources.some((d) => d.uid === q.datasourceUid)) {
          throw new HttpError(400, `invalid alert rule: failed to build query '${q.refId}': data source not found`);
        }
      }
    }
    for (const q of rule.data) {
      if (q.datasourceUid === '__expr__' && q.model.type !== 'math' && !refIds.has(q.model.expression)) {
        throw new HttpError(400, `invalid alert rule: expression ${q.refId} refers to unknown query ${q.model.expression}`);
      }
    }
    if (!refIds.has(rule.condition)) throw new HttpError(400, `invalid alert rule: condition ${rule.condition} does not exist, must be one of [${Array.from(refIds).join(',')}]`);
    for (const field of ['labels', 'annotations']) {
      if (rule[field] !== undefined && (typeof rule[field] !== 'object' || Object.values(rule[field]).some((v) => typeof v !== 'string'))) {
        throw new HttpError(400, `invalid alert rule: ${field} must map strings to strings`);
      }
    }
  }

  private validateMuteTiming(mt: Json): void {
    if (!mt?.name) throw new HttpError(400, 'invalid mute timing: name is required');
    if (!Array.isArray(mt.time_intervals)) throw new HttpError(400, 'invalid mute timing: time_intervals is required');
    for (const ti of mt.time_intervals) {
      for (const t of ti.times ?? []) {
        if (!HHMM.test(t.start_time) || !HHMM.test(t.end_time) || t.start_time >= t.end_time) {
          throw new HttpError(400, `invalid mute timing: bad time range ${t.start_time}-${t.end_time}`);
        }
      }
      for (const d of ti.weekdays ?? []) if (!WEEKDAY.test(d)) throw new HttpError(400, `invalid mute timing: bad weekday ${d}`);
      for (const d of ti.days_of_month ?? []) if (!/^-?\d{1,2}(:-?\d{1,2})?$/.test(d)) throw new HttpError(400, `invalid mute timing: bad day of month ${d}`);
      for (const d of ti.months ?? []) if (!/^([1-9]|1[0-2]|[a-z]+)(:([1-9]|1[0-2]|[a-z]+))?$/.test(d)) throw new HttpError(400, `invalid mute timing: bad month ${d}`);
      for (const d of ti.years ?? []) if (!/^\d{4}(:\d{4})?$/.test(d)) throw new HttpError(400, `invalid mute timing: bad year ${d}`);
      if (ti.location !== undefined) {
        try {
          new Intl.DateTimeFormat('en-US', { timeZone: ti.location });
        } catch {
          throw new HttpError(400, `invalid mute timing: unknown time zone ${ti.location}`);
        }
      }
    }
  }

  private validateRoute(route: Json, root: boolean): void {
    if (root && !route?.receiver) throw new HttpError(400, 'invalid object specification: root route must specify a default receiver');
    if (route.receiver && !this.contactPoints.some((c) => c.name === route.receiver)) {
      throw new HttpError(400, `invalid object specification: receiver '${route.receiver}' does not exist`);
    }
    for (const name of route.mute_time_intervals ?? []) {
      if (!this.muteTimings.has(name)) throw new HttpError(400, `invalid object specification: mute time interval '${name}' does not exist`);
    }
    for (const m of route.object_matchers ?? []) {
      if (!Array.isArray(m) || m.length !== 3 || !['=', '!=', '=~', '!~'].includes(m[1])) throw new HttpError(400, 'invalid object specification: bad matcher');
    }
    for (const child of route.routes ?? []) this.validateRoute(child, false);
  }

  private present(stored: StoredRule): Json {
    const rule = { ...clone(stored.rule), id: 1, orgID: 1, updated: '2026-01-01T00:00:00Z', provenance: stored.provenance };
    // Grafana fills model defaults the client did not send.
    rule.data = rule.data.map((q: Json) => ({ ...q, model: { hide: false, ...q.model } }));
    if (this.options.legacyShapes) {
      rule.folderUid = rule.folderUID;
      delete rule.folderUID;
      rule.for = goDuration(rule.for);
    }
    return rule;
  }

  private legacyShapes(tree: Json): Json {
    if (!this.options.legacyShapes) return tree;
    const convert = (r: Json): Json => {
      const out = { ...r };
      if (out.object_matchers) {
        out.matchers = out.object_matchers.map(([l, o, v]: [string, string, string]) => `${l}${o}"${v}"`);
        delete out.object_matchers;
      }
      if (out.routes) out.routes = out.routes.map(convert);
      return out;
    };
    return convert(tree);
  }
}
