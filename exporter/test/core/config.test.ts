import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { envKeyToPath, loadConfigFile, parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/util/errors.js';
import { runCliInProcess as runCli } from '../helpers/cli.js';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('fills every default from an empty document', () => {
    const c = parseConfig({});
    expect(c.server.listen).toBe('127.0.0.1:9464');
    expect(c.inputs.falco_http).toMatchObject({ enabled: true, path: '/falco' });
    expect(c.inputs.falco_grpc).toMatchObject({ enabled: false, address: 'unix:///run/falco/falco.sock' });
    expect(c.outputs.stdout).toEqual({ enabled: true, format: 'jsonl' });
    expect(c.outputs.loki.labels).toEqual({ job: 'tfdrift' });
    expect(c.states).toEqual([]);
  });

  it('names the path of an unknown key', () => {
    expect(problemsOf(() => parseConfig({ outputs: { loki: { urll: 'x' } } }))).toEqual(['outputs.loki.urll: unknown key']);
    expect(problemsOf(() => parseConfig({ sever: {} }))).toEqual(['sever: unknown key']);
  });

  it('names the path and expectation of a wrong type and a missing value', () => {
    const problems = problemsOf(() =>
      parseConfig({ server: { listen: 9464 }, states: [{ name: 'prod', backend: 'local', provider: 'aws' }] }),
    );
    expect(problems.some((p) => p.startsWith('server.listen:') && /string/.test(p))).toBe(true);
    expect(problems).toContain('states.0.path: required for backend "local"');
  });

  it('rejects an unknown enum value with the allowed values', () => {
    const [p] = problemsOf(() => parseConfig({ outputs: { stdout: { format: 'xml' } } }));
    expect(p).toMatch(/^outputs\.stdout\.format: .*"jsonl".*"pretty"/);
  });

  it('maps TFDRIFT_* names onto keys that themselves contain underscores', () => {
    expect(envKeyToPath(['SERVER', 'LISTEN'])).toEqual(['server', 'listen']);
    expect(envKeyToPath(['INPUTS', 'FALCO', 'HTTP', 'PATH'])).toEqual(['inputs', 'falco_http', 'path']);
    expect(envKeyToPath(['STATES', '0', 'ACCOUNT', 'ID'])).toEqual(['states', 0, 'account_id']);
    expect(envKeyToPath(['OUTPUTS', 'LOKI', 'LABELS', 'TEAM'])).toEqual(['outputs', 'loki', 'labels', 'team']);
    expect(envKeyToPath(['NOPE'])).toBeNull();
  });

  it('applies environment overrides with their types, and keeps string keys strings', () => {
    const c = parseConfig(
      { states: [{ name: 'prod', backend: 'local', path: 'a.tfstate', provider: 'aws' }] },
      {
        TFDRIFT_SERVER_LISTEN: '0.0.0.0:9999',
        TFDRIFT_SERVER_TOKEN: '12345',
        TFDRIFT_OUTPUTS_LOKI_ENABLED: 'true',
        TFDRIFT_STATES_0_ACCOUNT_ID: '012345678901',
      },
    );
    expect(c.server.listen).toBe('0.0.0.0:9999');
    expect(c.server.token).toBe('12345');
    expect(c.outputs.loki.enabled).toBe(true);
    expect(c.states[0].account_id).toBe('012345678901');
  });

  it('reports an environment variable that names no key', () => {
    expect(problemsOf(() => parseConfig({}, { TFDRIFT_OUTPUT_LOKI_URL: 'x' }))).toEqual([
      'TFDRIFT_OUTPUT_LOKI_URL: environment variable does not name a configuration key',
    ]);
  });

  it('prefixes problems with the file name and reports YAML syntax errors', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-cfg-'));
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'server:\n  token: "s3cret-token"\n  token: "x"\n');
    const [problem] = problemsOf(() => loadConfigFile(bad, {}));
    expect(problem).toMatch(/bad\.yaml:3:3: Map keys must be unique/);
    expect(problem).not.toContain('s3cret');
  });

  it('the shipped config.example.yaml is valid', () => {
    const c = loadConfigFile(path.resolve(__dirname, '../../config.example.yaml'), {});
    expect(c.states.length).toBeGreaterThan(0);
  });
});

describe('tfdrift config check', () => {
  it('exits non-zero and prints the key path of a typo', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-cfg-'));
    const file = path.join(dir, 'typo.yaml');
    writeFileSync(file, 'outputs:\n  lokki:\n    enabled: true\n');
    const r = await runCli(['config', 'check', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('outputs.lokki: unknown key');
    expect(r.stdout).toBe('');
  });

  it('accepts a valid file', async () => {
    const r = await runCli(['config', 'check', '--config', 'config.example.yaml']);
    expect(r.stderr).toContain('configuration is valid');
    expect(r.code).toBe(0);
  });

  it('refuses a non-loopback listen address without a credential', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-cfg-'));
    const file = path.join(dir, 'open.yaml');
    writeFileSync(file, 'server:\n  listen: "0.0.0.0:9464"\n');
    const r = await runCli(['config', 'check', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/server\.listen: .*beyond loopback.*server\.token/);
  });
});
