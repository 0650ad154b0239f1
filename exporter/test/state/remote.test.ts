import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { StateStore } from '../../src/state/store.js';
import { stateSource } from '../../src/state/config.js';
import { remoteBackend, terraformTokenVariable } from '../../src/state/backends/remote.js';
import { silentLogger } from '../../src/util/logger.js';
import { runCliInProcess } from '../helpers/cli.js';
import { awsState, startServer } from './helpers.js';

/**
 * A local HCP Terraform / TFE API following the documented JSON:API responses: Show Workspace
 * (`/organizations/:org/workspaces/:name`), List Workspaces (paginated, `search[name]`),
 * Fetch the Current State Version (`/workspaces/:id/current-state-version`, 404 when none),
 * and the state download behind `hosted-state-download-url`.
 */
const TOKEN = 'tfe-test-token.atlasv1.abc';
const ORG = 'acme';
const workspaces = new Map<string, { id: string; state: string | null; sv: number }>();
let api: Awaited<ReturnType<typeof startServer>>;

function setState(name: string, state: string | null): void {
  const w = workspaces.get(name) ?? { id: `ws-${name.replace(/[^a-z0-9]/g, '')}${workspaces.size}`, state: null, sv: 0 };
  workspaces.set(name, { ...w, state, sv: w.sv + 1 });
}
const json = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/vnd.api+json' });
  res.end(JSON.stringify(body));
};

beforeAll(async () => {
  api = await startServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return json(res, 401, { errors: [{ status: '401', title: 'unauthorized' }] });
    let m = /^\/api\/v2\/organizations\/([^/]+)\/workspaces\/([^/]+)$/.exec(url.pathname);
    if (m) {
      const w = m[1] === ORG ? workspaces.get(decodeURIComponent(m[2])) : undefined;
      if (!w) return json(res, 404, { errors: [{ status: '404', title: 'not found' }] });
      return json(res, 200, { data: { id: w.id, type: 'workspaces', attributes: { name: decodeURIComponent(m[2]) } } });
    }
    m = /^\/api\/v2\/organizations\/([^/]+)\/workspaces$/.exec(url.pathname);
    if (m) {
      const search = url.searchParams.get('search[name]') ?? '';
      const all = [...workspaces].filter(([n]) => n.includes(search));
      const page = Number(url.searchParams.get('page[number]') ?? '1');
      const size = 2; // smaller than asked, so pagination is exercised
      const slice = all.slice((page - 1) * size, page * size);
      const next = page * size < all.length ? page + 1 : null;
      return json(res, 200, {
        data: slice.map(([name, w]) => ({ id: w.id, type: 'workspaces', attributes: { name } })),
        meta: { pagination: { 'current-page': page, 'next-page': next, 'prev-page': page > 1 ? page - 1 : null, 'total-pages': Math.ceil(all.length / size), 'total-count': all.length } },
      });
    }
    m = /^\/api\/v2\/workspaces\/([^/]+)\/current-state-version$/.exec(url.pathname);
    if (m) {
      const w = [...workspaces.values()].find((x) => x.id === m![1]);
      if (!w || w.state === null) return json(res, 404, { errors: [{ status: '404', title: 'not found' }] });
      return json(res, 200, {
        data: { id: `sv-${w.id}-${w.sv}`, type: 'state-versions', attributes: { serial: w.sv, 'hosted-state-download-url': `${api.url}/_archivist/v1/object/${w.id}/${w.sv}` } },
      });
    }
    m = /^\/_archivist\/v1\/object\/([^/]+)\/(\d+)$/.exec(url.pathname);
    if (m) {
      const w = [...workspaces.values()].find((x) => x.id === m![1]);
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(w?.state ?? '');
    }
    json(res, 404, { errors: [{ status: '404', title: 'not found' }] });
  });
});
afterAll(() => api.close());

const state = (id: string, serial: number) => awsState([{ type: 'aws_vpc', name: 'main', attributes: { id, arn: `arn:aws:ec2:us-east-1:123456789012:vpc/${id}` } }], { serial, lineage: `lin-${id}` });
const env = { TFE_TOKEN: TOKEN };
const source = (over: Record<string, unknown>) => stateSource({ name: 'tfc', backend: 'remote', provider: 'aws', account_id: '123456789012', hostname: api.url, reload_interval_seconds: 0, ...over });
const downloads = (from: number) => api.log.requests.slice(from).filter((r) => r.url.startsWith('/_archivist/'));

describe('remote backend (HCP Terraform / Terraform Enterprise API)', () => {
  it('finds the workspace by organization and name, downloads its current state once, then only asks for the version', async () => {
    setState('network-prod', state('vpc-1', 1));
    const store = new StateStore([source({ organization: ORG, workspace: 'network-prod' })], null, silentLogger(), (c) => remoteBackend(c, env));
    let mark = api.log.requests.length;
    expect(await store.reload()).toEqual({ changed: ['tfc'], errors: [] });
    expect(downloads(mark)).toHaveLength(1);
    const res = store.index.find('aws', '123456789012', ['aws_vpc'], { field: 'id', value: 'vpc-1' })[0];
    expect(res.source.location).toBe('tfe://127.0.0.1/acme/network-prod');

    mark = api.log.requests.length;
    expect((await store.reload()).changed).toEqual([]);
    expect(api.log.requests.slice(mark).map((r) => r.url)).toEqual([`/api/v2/workspaces/${workspaces.get('network-prod')!.id}/current-state-version`]);

    setState('network-prod', state('vpc-2', 2));
    mark = api.log.requests.length;
    expect((await store.reload()).changed).toEqual(['tfc']);
    expect(downloads(mark)).toHaveLength(1);
    expect(store.index.find('aws', '123456789012', ['aws_vpc'], { field: 'id', value: 'vpc-2' })).toHaveLength(1);
  });

  it('loads every workspace matching a name glob across pages, skipping workspaces without state', async () => {
    setState('app-dev', state('vpc-dev', 1));
    setState('app-prod', state('vpc-prod', 1));
    setState('app-qa', state('vpc-qa', 1));
    setState('app-new', null);
    setState('other', state('vpc-other', 1));
    const store = new StateStore([source({ organization: ORG, workspace: 'app-*' })], null, silentLogger(), (c) => remoteBackend(c, env));
    expect(await store.reload()).toEqual({ changed: ['tfc'], errors: [] });
    expect(store.statuses()[0]).toMatchObject({ objects: 3, resources: 3 });
    const listCalls = api.log.requests.filter((r) => r.url.includes('/workspaces?'));
    expect(listCalls.some((r) => r.url.includes('page%5Bnumber%5D=2'))).toBe(true);
    expect(listCalls.every((r) => r.url.includes('search%5Bname%5D=app-'))).toBe(true);
    const mark = api.log.requests.length;
    expect((await store.reload()).changed).toEqual([]);
    expect(downloads(mark)).toHaveLength(0);
  });

  it('by workspace ID; a missing token or workspace is a clear error', async () => {
    setState('by-id', state('vpc-id', 1));
    const byId = new StateStore([source({ workspace_id: workspaces.get('by-id')!.id })], null, silentLogger(), (c) => remoteBackend(c, env));
    expect((await byId.reload()).changed).toEqual(['tfc']);
    const noToken = await new StateStore([source({ organization: ORG, workspace: 'by-id' })], null, silentLogger(), (c) => remoteBackend(c, {})).reload();
    expect(noToken.errors[0].error).toMatch(/no API token: set TF_TOKEN_127_0_0_1 or TFE_TOKEN/);
    const badToken = await new StateStore([source({ organization: ORG, workspace: 'by-id' })], null, silentLogger(), (c) => remoteBackend(c, { TFE_TOKEN: 'wrong' })).reload();
    expect(badToken.errors[0].error).toMatch(/HTTP 401 .*check the credentials/);
    expect(badToken.errors[0].error).not.toContain('wrong');
    const missing = await new StateStore([source({ organization: ORG, workspace: 'nope' })], null, silentLogger(), (c) => remoteBackend(c, env)).reload();
    expect(missing.errors[0].error).toMatch(/tfe:\/\/127.0.0.1\/acme\/nope: workspace not found/);
    expect(terraformTokenVariable('app.terraform.io')).toBe('TF_TOKEN_app_terraform_io');
    expect(terraformTokenVariable('tfe.my-corp.com')).toBe('TF_TOKEN_tfe_my__corp_com');
  });

  it('tfdrift state inspect reads tfe:// URIs', async () => {
    // In-process: the backend reads TFE_TOKEN from the environment, as it would in the CLI.
    vi.stubEnv('TFE_TOKEN', TOKEN);
    const r = await runCliInProcess(['state', 'inspect', '--state', `tfe://${ORG}/app-*`, '--endpoint', api.url]).finally(() => vi.unstubAllEnvs());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/tfe:\/\/127\.0\.0\.1\/acme\/app-\* \(remote\)/);
    expect(r.stdout).toMatch(/3 managed resource instances/);
    expect(r.stdout).toMatch(/\s3 {2}aws_vpc/);
  });
});
