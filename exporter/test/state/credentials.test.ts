/**
 * State credentials as users have them, against loopback peers of the token endpoints:
 * - GCS: a service-account key file (config `credentials_file` or GOOGLE_APPLICATION_CREDENTIALS)
 *   through google-auth-library: the JWT-bearer grant (RFC 7523) to Google's OAuth token
 *   endpoint, whose signature, issuer, audience and scope the peer verifies with the key's
 *   public half. Google's token URL is a constant of the library, so the test's HTTP client
 *   (gaxios, google-auth-library's own) sends that one URL to the peer; everything else is real.
 * - azurerm: `use_azuread_auth` with DefaultAzureCredential from @azure/identity, answered by a
 *   managed-identity endpoint of the App Service kind (IDENTITY_ENDPOINT + IDENTITY_HEADER, the
 *   IMDS-style protocol: GET with resource and api-version, secret header, JSON token).
 */
import { createVerify, generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gaxios } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateSource } from '../../src/state/config.js';
import { StateStore } from '../../src/state/store.js';
import { gcsBackend } from '../../src/state/backends/gcs.js';
import { azurermBackend } from '../../src/state/backends/azurerm.js';
import { silentLogger } from '../../src/util/logger.js';
import { startServer, stateText } from './helpers.js';

const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
const dir = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-creds-'));
const b64url = (s: string): Buffer => Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');

const fw = (name: string): string =>
  stateText([{ type: 'google_compute_firewall', name: 'fw', provider: 'provider["registry.terraform.io/hashicorp/google"]', instances: [{ attributes: { id: `projects/p1/global/firewalls/${name}`, name, project: 'p1', self_link: `https://www.googleapis.com/compute/v1/projects/p1/global/firewalls/${name}` } }] }]);

function serviceAccountKey(email: string): { file: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  const file = path.join(dir, `${randomUUID()}.json`);
  writeFileSync(file, JSON.stringify({ type: 'service_account', project_id: 'p1', private_key_id: 'k1', private_key: privateKey, client_email: email, client_id: '1', token_uri: GOOGLE_TOKEN_URL }));
  return { file, publicKey };
}

describe('GCS with a service-account key (google-auth-library, JWT-bearer grant)', () => {
  const EMAIL = 'tfdrift-reader@p1.iam.gserviceaccount.com';
  const trusted = serviceAccountKey(EMAIL);
  const grants: { iss: string; scope: string; aud: string }[] = [];
  let peer: Awaited<ReturnType<typeof startServer>>;
  let transporter: InstanceType<typeof gaxios.Gaxios>;
  beforeAll(async () => {
    peer = await startServer((req, res, body) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (req.method === 'POST' && url.pathname === '/token') {
        const form = new URLSearchParams(body);
        const [h, p, sig] = (form.get('assertion') ?? '').split('.');
        const header = JSON.parse(b64url(h).toString()) as { alg: string; kid?: string };
        const claims = JSON.parse(b64url(p).toString()) as { iss: string; scope: string; aud: string; exp: number; iat: number };
        const valid = form.get('grant_type') === 'urn:ietf:params:oauth:grant-type:jwt-bearer' && header.alg === 'RS256' &&
          createVerify('RSA-SHA256').update(`${h}.${p}`).verify(trusted.publicKey, b64url(sig)) && claims.exp > Date.now() / 1000;
        if (!valid) {
          res.writeHead(400, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ error: 'invalid_grant', error_description: 'Invalid JWT Signature.' }));
        }
        grants.push({ iss: claims.iss, scope: claims.scope, aud: claims.aud });
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ access_token: 'ya29.sa-token', expires_in: 3599, token_type: 'Bearer' }));
      }
      if (req.headers.authorization !== 'Bearer ya29.sa-token') {
        res.writeHead(401, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ error: { code: 401, message: 'Invalid Credentials' } }));
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-goog-generation': '7' });
      res.end(fw('allow-ssh'));
    });
    transporter = new gaxios.Gaxios();
    transporter.interceptors.request.add({
      resolved: async (opts) => {
        if (String(opts.url) === GOOGLE_TOKEN_URL) opts.url = new URL(`${peer.url}/token`);
        return opts;
      },
    });
  });
  afterAll(() => peer.close());

  const store = (over: Record<string, unknown>, env: NodeJS.ProcessEnv) =>
    new StateStore([stateSource({ name: 'g', backend: 'gcs', provider: 'gcp', project_id: 'p1', bucket: 'tf', key: 'net/default.tfstate', endpoint: peer.url, reload_interval_seconds: 0, ...over })], null, silentLogger(), (c) => gcsBackend(c, env, { transporter }));

  it('credentials_file: signs a JWT with the key, trades it for an access token, reads the state with it (token cached)', async () => {
    const s = store({ credentials_file: trusted.file }, {});
    expect(await s.reload()).toEqual({ changed: ['g'], errors: [] });
    expect(s.statuses()[0]).toMatchObject({ ok: true, resources: 1 });
    expect(grants).toEqual([{ iss: EMAIL, scope: 'https://www.googleapis.com/auth/devstorage.read_only', aud: GOOGLE_TOKEN_URL }]);
    await s.reload();
    expect(grants).toHaveLength(1);
  });

  it('GOOGLE_APPLICATION_CREDENTIALS names the key when credentials_file is not set', async () => {
    const before = grants.length;
    const s = store({}, { GOOGLE_APPLICATION_CREDENTIALS: trusted.file, HOME: dir });
    expect(await s.reload()).toEqual({ changed: ['g'], errors: [] });
    expect(grants.length).toBe(before + 1);
  });

  it('a key the token endpoint refuses is a clear error that carries the endpoint’s reason, never the key', async () => {
    const other = serviceAccountKey(EMAIL);
    const r = await store({ credentials_file: other.file }, {}).reload();
    expect(r.errors[0].error).toMatch(/no access token from .*\.json: .*invalid_grant/);
    expect(r.errors[0].error).not.toContain('PRIVATE KEY');
    const missing = await store({ credentials_file: path.join(dir, 'nope.json') }, {}).reload();
    expect(missing.errors[0].error).toContain('cannot read Google credentials file');
  });
});

describe('azurerm with DefaultAzureCredential (@azure/identity) and a managed-identity endpoint', () => {
  const IDENTITY_HEADER = 'msi-secret-5d1a';
  const tokenRequests: { resource: string | null; apiVersion: string | null }[] = [];
  let msi: Awaited<ReturnType<typeof startServer>>;
  let blob: Awaited<ReturnType<typeof startServer>>;
  const saved = { ...process.env };
  beforeAll(async () => {
    msi = await startServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (req.headers['x-identity-header'] !== IDENTITY_HEADER) return void res.writeHead(401).end();
      tokenRequests.push({ resource: url.searchParams.get('resource'), apiVersion: url.searchParams.get('api-version') });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'eyJ.aad-storage-token', expires_on: String(Math.floor(Date.now() / 1000) + 3600), resource: url.searchParams.get('resource'), token_type: 'Bearer' }));
    });
    blob = await startServer((req, res) => {
      if (req.headers.authorization !== 'Bearer eyJ.aad-storage-token' || !req.headers['x-ms-version']) {
        res.writeHead(403, { 'content-type': 'application/xml' });
        return res.end('<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code></Error>');
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', etag: '"0x8DC"' });
      res.end(stateText([{ type: 'azurerm_resource_group', name: 'rg', provider: 'provider["registry.terraform.io/hashicorp/azurerm"]', instances: [{ attributes: { id: '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg1', name: 'rg1' } }] }]));
    });
    // What App Service / Functions / Container Apps set for a managed identity; the only identity this process has.
    for (const k of Object.keys(process.env)) if (/^(AZURE_|IDENTITY_|MSI_|IMDS_)/.test(k)) delete process.env[k];
    process.env.IDENTITY_ENDPOINT = `${msi.url}/msi/token`;
    process.env.IDENTITY_HEADER = IDENTITY_HEADER;
  });
  afterAll(async () => {
    process.env = saved;
    await msi.close();
    await blob.close();
  });

  it('use_azuread_auth without a token in the environment: a managed-identity token for storage, sent as the bearer', async () => {
    const s = new StateStore(
      [stateSource({ name: 'az', backend: 'azurerm', provider: 'azure', subscription_id: '00000000-0000-0000-0000-000000000001', storage_account_name: 'acct', container_name: 'tfstate', key: 'prod.terraform.tfstate', use_azuread_auth: true, endpoint: `${blob.url}/acct`, reload_interval_seconds: 0 })],
      null, silentLogger(), (c) => azurermBackend(c, {}),
    );
    const r = await s.reload();
    expect(r).toEqual({ changed: ['az'], errors: [] });
    expect(s.statuses()[0]).toMatchObject({ ok: true, resources: 1 });
    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0].resource).toBe('https://storage.azure.com');
    await s.reload();
    expect(tokenRequests).toHaveLength(1); // cached until it nears expiry
  });
});
