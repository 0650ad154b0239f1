import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateStore } from '../../src/state/store.js';
import { stateSource } from '../../src/state/config.js';
import { sharedKeySignature } from '../../src/state/backends/azurerm.js';
import { silentLogger } from '../../src/util/logger.js';
import { countingProxy } from './helpers.js';
import { stateText } from './helpers.js';

// Azurite 3.35.0 (the last release that runs on Node 20), blob service as a child process, behind a counting proxy.
const ACCOUNT = 'devstoreaccount1';
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='; // Azurite's published development key
const CONTAINER = 'tfstate';
const SUB = '00000000-1111-2222-3333-444444444444';
let child: ChildProcess;
let azurite: string;
let proxy: Awaited<ReturnType<typeof countingProxy>>;

async function signedPut(path: string, body: string, extra: Record<string, string> = {}): Promise<void> {
  const url = new URL(`${azurite}/${ACCOUNT}/${path}`);
  const headers: Record<string, string> = { 'x-ms-date': new Date().toUTCString(), 'x-ms-version': '2021-12-02', 'content-length': String(Buffer.byteLength(body)), ...extra };
  headers.authorization = `SharedKey ${ACCOUNT}:${sharedKeySignature(ACCOUNT, Buffer.from(KEY, 'base64'), 'PUT', url, headers)}`;
  const res = await fetch(url, { method: 'PUT', headers, body: Buffer.from(body) }); // a Buffer, so fetch adds no content-type outside the signature
  if (res.status >= 300) throw new Error(`PUT ${path}: ${res.status} ${await res.text()}`);
}
const putBlob = (name: string, body: string) => signedPut(`${CONTAINER}/${name.split('/').map(encodeURIComponent).join('/')}`, body, { 'x-ms-blob-type': 'BlockBlob' });

function nsgState(name: string, serial: number): string {
  const id = `/subscriptions/${SUB}/resourceGroups/RG-Net/providers/Microsoft.Network/networkSecurityGroups/${name}`;
  return stateText([{ type: 'azurerm_network_security_group', name: 'nsg', provider: 'provider["registry.terraform.io/hashicorp/azurerm"]', instances: [{ attributes: { id, name, location: 'westeurope', security_rule: [] } }] }], { serial, lineage: `lin-${name}` });
}

function accountSas(): string {
  const q = { sv: '2019-12-12', ss: 'b', srt: 'sco', sp: 'rl', se: '2099-01-01T00:00:00Z', spr: 'https,http' };
  const toSign = [ACCOUNT, q.sp, q.ss, q.srt, '', q.se, '', q.spr, q.sv, ''].join('\n');
  const sig = createHmac('sha256', Buffer.from(KEY, 'base64')).update(toSign, 'utf8').digest('base64');
  return new URLSearchParams({ ...q, sig }).toString();
}

beforeAll(async () => {
  const main = createRequire(import.meta.url).resolve('azurite/dist/src/blob/main.js');
  child = spawn(process.execPath, [main, '--blobHost', '127.0.0.1', '--blobPort', '0', '--inMemoryPersistence', '--silent', '--disableTelemetry', '--skipApiVersionCheck'], { stdio: ['ignore', 'pipe', 'pipe'] });
  azurite = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listens on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`azurite exited ${code}: ${out}`)));
  });
  proxy = await countingProxy(azurite);
  await signedPut(`${CONTAINER}?restype=container`, '');
}, 60_000);
afterAll(async () => {
  await proxy?.close();
  child?.kill();
});

const source = (key: string, over: Record<string, unknown> = {}) =>
  stateSource({
    name: 'net', backend: 'azurerm', provider: 'azure', subscription_id: SUB, storage_account_name: ACCOUNT, container_name: CONTAINER, key,
    endpoint: `${proxy.url}/${ACCOUNT}`, access_key_env: 'TFDRIFT_TEST_AZ_KEY', sas_token_env: 'TFDRIFT_TEST_AZ_SAS', reload_interval_seconds: 0, ...over,
  });
const blobGets = (from: number) => proxy.log.requests.slice(from).filter((r) => r.method === 'GET' && !r.url.includes('comp=list'));

describe('azurerm backend against Azurite', () => {
  it('account key (Shared Key): downloads once, then 304 on the ETag with nothing re-downloaded', async () => {
    process.env.TFDRIFT_TEST_AZ_KEY = KEY;
    delete process.env.TFDRIFT_TEST_AZ_SAS;
    await putBlob('prod.terraform.tfstate', nsgState('web', 1));
    const store = new StateStore([source('prod.terraform.tfstate')], null, silentLogger());
    let mark = proxy.log.requests.length;
    expect(await store.reload()).toEqual({ changed: ['net'], errors: [] });
    expect(blobGets(mark).map((r) => r.status)).toEqual([200]);
    const id = `/SUBSCRIPTIONS/${SUB}/resourcegroups/rg-net/providers/microsoft.network/networksecuritygroups/web`;
    expect(store.index.find('azure', SUB.toUpperCase(), ['azurerm_network_security_group'], { field: 'id', value: id })).toHaveLength(1);

    mark = proxy.log.requests.length;
    expect((await store.reload()).changed).toEqual([]);
    expect(blobGets(mark).map((r) => [r.status, r.bytes])).toEqual([[304, 0]]);

    await putBlob('prod.terraform.tfstate', nsgState('web2', 2));
    expect((await store.reload()).changed).toEqual(['net']);
    expect(store.index.find('azure', SUB, ['azurerm_network_security_group'], { field: 'name', value: 'web2' })).toHaveLength(1);
  });

  it('SAS token: every workspace blob (`<key>env:<workspace>`) through a glob; unchanged ones cost only the listing', async () => {
    delete process.env.TFDRIFT_TEST_AZ_KEY;
    process.env.TFDRIFT_TEST_AZ_SAS = `?${accountSas()}`;
    await putBlob('app.terraform.tfstateenv:dev', nsgState('dev', 1));
    await putBlob('app.terraform.tfstateenv:prod', nsgState('prod', 1));
    const store = new StateStore([source('app.terraform.tfstateenv:*')], null, silentLogger());
    let mark = proxy.log.requests.length;
    expect(await store.reload()).toEqual({ changed: ['net'], errors: [] });
    expect(store.statuses()[0]).toMatchObject({ objects: 2, resources: 2 });
    expect(blobGets(mark)).toHaveLength(2);
    expect(proxy.log.requests.slice(mark).every((r) => r.url.includes('sig=') && r.headers.authorization === undefined)).toBe(true);
    mark = proxy.log.requests.length;
    expect((await store.reload()).changed).toEqual([]);
    expect(blobGets(mark)).toHaveLength(0);
    expect(proxy.log.requests.length - mark).toBe(1);
  });

  it('a wrong key is a clear 403 that never echoes the key', async () => {
    const wrongKey = Buffer.from('not-the-key-not-the-key-not-the-key').toString('base64');
    process.env.TFDRIFT_TEST_AZ_KEY = wrongKey;
    delete process.env.TFDRIFT_TEST_AZ_SAS;
    const r = await new StateStore([source('prod.terraform.tfstate')], null, silentLogger()).reload();
    expect(r.errors[0].error).toMatch(/^azurerm:\/\/devstoreaccount1\/tfstate\/prod.terraform.tfstate: HTTP 403 .*check the credentials/);
    expect(r.errors[0].error).not.toContain(wrongKey);
  });

  it('without any credential it says which variables to set', async () => {
    delete process.env.TFDRIFT_TEST_AZ_KEY;
    delete process.env.TFDRIFT_TEST_AZ_SAS;
    const r = await new StateStore([source('prod.terraform.tfstate')], null, silentLogger()).reload();
    expect(r.errors[0].error).toMatch(/no credentials: set TFDRIFT_TEST_AZ_KEY \(account key\), TFDRIFT_TEST_AZ_SAS \(SAS\), or use_azuread_auth/);
  });
});
