import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateStore } from '../../src/state/store.js';
import { stateSource } from '../../src/state/config.js';
import { httpBackend } from '../../src/state/backends/http.js';
import { gcsBackend } from '../../src/state/backends/gcs.js';
import { silentLogger } from '../../src/util/logger.js';
import { awsState, startServer, stateText } from './helpers.js';

/** Terraform's http backend as its docs describe it: GET the address → 200 with state, 204/404 when none; basic auth. */
describe('http backend', () => {
  const docs = new Map<string, { body: string; etag: string | null; lastModified: string | null }>();
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    server = await startServer((req, res) => {
      if (req.headers.authorization !== `Basic ${Buffer.from('ci:s3cret').toString('base64')}`) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="state"' });
        return res.end('unauthorized');
      }
      const doc = docs.get((req.url ?? '').split('?')[0]);
      if (!doc) {
        res.writeHead(204);
        return res.end();
      }
      if ((doc.etag && req.headers['if-none-match'] === doc.etag) || (doc.lastModified && req.headers['if-modified-since'] === doc.lastModified)) {
        res.writeHead(304);
        return res.end();
      }
      res.writeHead(200, { 'content-type': 'application/json', ...(doc.etag ? { etag: doc.etag } : {}), ...(doc.lastModified ? { 'last-modified': doc.lastModified } : {}) });
      res.end(doc.body);
    });
  });
  afterAll(() => server.close());
  const env = { TF_HTTP_USERNAME: 'ci', TFDRIFT_TEST_HTTP_PW: 's3cret' };
  const store = (path: string, e: NodeJS.ProcessEnv = env) =>
    new StateStore(
      [stateSource({ name: 'h', backend: 'http', provider: 'aws', account_id: '123456789012', url: `${server.url}${path}?token=abc`, password_env: 'TFDRIFT_TEST_HTTP_PW', reload_interval_seconds: 0 })],
      null, silentLogger(), (c) => httpBackend(c, e),
    );
  const sg = (id: string, serial: number) => awsState([{ type: 'aws_security_group', name: 'sg', attributes: { id } }], { serial, lineage: 'l' });

  it('GETs with basic auth, then sends If-None-Match and downloads nothing while the ETag holds', async () => {
    docs.set('/state/prod', { body: sg('sg-1', 1), etag: '"v1"', lastModified: null });
    const s = store('/state/prod');
    expect(await s.reload()).toEqual({ changed: ['h'], errors: [] });
    expect(s.index.find('aws', '123456789012', ['aws_security_group'], { field: 'id', value: 'sg-1' })[0].source.location).toBe(`${server.url}/state/prod`); // no query: tokens stay out
    let mark = server.log.requests.length;
    await s.reload();
    await s.reload();
    expect(server.log.requests.slice(mark).map((r) => [r.status, r.bytes, r.headers['if-none-match']])).toEqual([[304, 0, '"v1"'], [304, 0, '"v1"']]);
    docs.set('/state/prod', { body: sg('sg-2', 2), etag: '"v2"', lastModified: null });
    mark = server.log.requests.length;
    expect((await s.reload()).changed).toEqual(['h']);
    expect(server.log.requests[mark].status).toBe(200);
  });

  it('uses Last-Modified when the server has no ETags', async () => {
    docs.set('/state/lm', { body: sg('sg-lm', 1), etag: null, lastModified: 'Sun, 22 Nov 2026 10:00:00 GMT' });
    const s = store('/state/lm');
    await s.reload();
    const mark = server.log.requests.length;
    expect((await s.reload()).changed).toEqual([]);
    expect(server.log.requests.slice(mark).map((r) => [r.status, r.bytes])).toEqual([[304, 0]]);
  });

  it('says clearly when there is no state or the credentials are wrong, without echoing them', async () => {
    expect((await store('/state/none').reload()).errors[0].error).toMatch(/no state stored at this address \(HTTP 204\)/);
    const bad = await store('/state/prod', { TF_HTTP_USERNAME: 'ci', TFDRIFT_TEST_HTTP_PW: 'hunter2' }).reload();
    expect(bad.errors[0].error).toMatch(/HTTP 401 Unauthorized \(check the credentials/);
    expect(bad.errors[0].error).not.toMatch(/hunter2|token=abc/);
  });
});

/** GCS JSON API as documented: objects.get with alt=media and ifGenerationNotMatch (304), objects.list with prefix; OAuth bearer. */
describe('gcs backend', () => {
  const objects = new Map<string, { body: string; generation: number }>();
  let server: Awaited<ReturnType<typeof startServer>>;
  let tokenCalls = 0;
  beforeAll(async () => {
    server = await startServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/computeMetadata/v1/instance/service-accounts/default/token') {
        tokenCalls++;
        if (req.headers['metadata-flavor'] !== 'Google') return void res.writeHead(403).end();
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ access_token: 'ya29.metadata', expires_in: 3599, token_type: 'Bearer' }));
      }
      if (!['Bearer ya29.env', 'Bearer ya29.metadata'].includes(req.headers.authorization ?? '')) {
        res.writeHead(401, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ error: { code: 401, message: 'Invalid Credentials' } }));
      }
      const list = /^\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
      if (list) {
        const prefix = url.searchParams.get('prefix') ?? '';
        const items = [...objects].filter(([n]) => n.startsWith(prefix)).map(([name, o]) => ({ kind: 'storage#object', name, bucket: list[1], generation: String(o.generation) }));
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ kind: 'storage#objects', items }));
      }
      const get = /^\/storage\/v1\/b\/([^/]+)\/o\/(.+)$/.exec(url.pathname);
      const o = get ? objects.get(decodeURIComponent(get[2])) : undefined;
      if (!o || url.searchParams.get('alt') !== 'media') {
        res.writeHead(404, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ error: { code: 404, message: 'No such object' } }));
      }
      if (url.searchParams.get('ifGenerationNotMatch') === String(o.generation)) return void res.writeHead(304).end();
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-goog-generation': String(o.generation) });
      res.end(o.body);
    });
  });
  afterAll(() => server.close());
  const put = (name: string, body: string) => objects.set(name, { body, generation: (objects.get(name)?.generation ?? 1000) + 1 });
  const fw = (name: string, serial: number) =>
    stateText([{ type: 'google_compute_firewall', name: 'fw', provider: 'provider["registry.terraform.io/hashicorp/google"]', instances: [{ attributes: { id: `projects/p1/global/firewalls/${name}`, name, project: 'p1', self_link: `https://www.googleapis.com/compute/v1/projects/p1/global/firewalls/${name}` } }] }], { serial, lineage: `l-${name}` });
  const store = (key: string, env: NodeJS.ProcessEnv) =>
    new StateStore([stateSource({ name: 'g', backend: 'gcs', provider: 'gcp', project_id: 'p1', bucket: 'tf', key, endpoint: server.url, reload_interval_seconds: 0 })], null, silentLogger(), (c) => gcsBackend(c, env));

  it('token from the environment; generation-conditional GET downloads nothing when unchanged', async () => {
    put('net/default.tfstate', fw('allow-ssh', 1));
    const s = store('net/default.tfstate', { GOOGLE_OAUTH_ACCESS_TOKEN: 'ya29.env' });
    expect(await s.reload()).toEqual({ changed: ['g'], errors: [] });
    expect(s.index.find('gcp', 'p1', ['google_compute_firewall'], { field: 'self_link', value: 'projects/p1/global/firewalls/allow-ssh' })).toHaveLength(1);
    const mark = server.log.requests.length;
    expect((await s.reload()).changed).toEqual([]);
    expect(server.log.requests.slice(mark).map((r) => [r.status, r.bytes])).toEqual([[304, 0]]);
  });

  it('token from the metadata server; workspaces (<prefix>/<name>.tfstate) through a glob', async () => {
    put('app/default.tfstate', fw('a', 1));
    put('app/prod.tfstate', fw('b', 1));
    const host = new URL(server.url).host;
    const s = store('app/*.tfstate', { GCE_METADATA_HOST: host });
    expect(await s.reload()).toEqual({ changed: ['g'], errors: [] });
    expect(s.statuses()[0]).toMatchObject({ objects: 2, resources: 2 });
    expect(tokenCalls).toBe(1);
    const mark = server.log.requests.length;
    expect((await s.reload()).changed).toEqual([]);
    expect(server.log.requests.slice(mark).map((r) => r.url.split('?')[0])).toEqual(['/storage/v1/b/tf/o']); // listing only
    expect(tokenCalls).toBe(1); // cached until it expires
  });

  it('a refused token is a clear error', async () => {
    const r = await store('net/default.tfstate', { GOOGLE_OAUTH_ACCESS_TOKEN: 'ya29.bad' }).reload();
    expect(r.errors[0].error).toMatch(/^gs:\/\/tf\/net\/default.tfstate: HTTP 401 Unauthorized \(check the credentials/);
    expect(r.errors[0].error).not.toContain('ya29.bad');
  });
});
