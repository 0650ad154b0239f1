/**
 * docker-compose.yml, read as Compose reads it (merge keys, interpolation from .env), and
 * every reference it makes into the repository and between its services.
 */
import { describe, expect, it } from 'vitest';
import { envKeyToPath } from '../../src/config/load.js';
import { runCliInProcess as runCli } from '../helpers/cli.js';
import {
  MissingVariableError,
  commandArgs,
  dockerfileInstructions,
  envPairs,
  exists,
  flagValue,
  hostPathOf,
  interpolate,
  interpolateDeep,
  isDir,
  listenPort,
  mounts,
  networkNames,
  parseEnvFile,
  readText,
  readYaml,
  repoPath,
  repoRelative,
  type Doc,
} from './stack.js';

const RAW_TEXT = readText('docker-compose.yml');
const RAW = readYaml('docker-compose.yml');
const ENV_EXAMPLE_TEXT = readText('.env.example');
const ENV_EXAMPLE = parseEnvFile(ENV_EXAMPLE_TEXT);
/** .env.example as a user fills it in. */
const ENV = {
  ...ENV_EXAMPLE,
  TFDRIFT_SERVER_TOKEN: 'stack-test-token-5f1c',
  GF_SECURITY_ADMIN_PASSWORD: 'stack-test-password',
  TFDRIFT_STATES_0_BUCKET: 'acme-tf-state',
  TFDRIFT_STATES_0_ACCOUNT_ID: '123456789012',
};
const USED = new Set<string>();
const COMPOSE = interpolateDeep(RAW, ENV, USED);
const SERVICES: Record<string, Doc> = COMPOSE.services;
const DOCKERFILE = dockerfileInstructions(readText('exporter/Dockerfile'));
const IMAGE_ENV = Object.assign(
  {},
  ...DOCKERFILE.filter((i) => i.keyword === 'ENV').map((i) => envPairs(i.args)),
);

const envOf = (service: Doc): Record<string, string> =>
  Array.isArray(service.environment)
    ? Object.fromEntries(
        service.environment.map((e: string) => [e.split('=')[0], e.slice(e.indexOf('=') + 1)]),
      )
    : Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, String(v)]));
const profilesOf = (service: Doc): string[] => service.profiles ?? [];

describe('docker-compose.yml: services and profiles', () => {
  it('runs Falco and the exporter in profile falco, the demo exporter in profile demo, Loki/Prometheus/Grafana in both', () => {
    expect(profilesOf(SERVICES.falco)).toEqual(['falco']);
    expect(profilesOf(SERVICES['falco-plugins'])).toEqual(['falco']);
    expect(profilesOf(SERVICES.tfdrift)).toEqual(['falco']);
    expect(profilesOf(SERVICES['tfdrift-demo'])).toEqual(['demo']);
    for (const name of ['loki', 'prometheus', 'grafana'])
      expect(profilesOf(SERVICES[name]), name).toEqual([]);
    expect(commandArgs(SERVICES['tfdrift-demo'])[0]).toBe('demo');
    expect(commandArgs(SERVICES.tfdrift).slice(0, 1)).toEqual(['run']);
  });

  it('builds both exporter services from exporter/Dockerfile with the repository root as context', () => {
    for (const name of ['tfdrift', 'tfdrift-demo']) {
      const build = SERVICES[name].build;
      expect(build.context, name).toBe('.');
      expect(exists(build.dockerfile), build.dockerfile).toBe(true);
      expect(build.dockerfile).toBe('exporter/Dockerfile');
    }
  });

  it('publishes every port on 127.0.0.1 only', () => {
    const published = Object.entries(SERVICES).flatMap(([name, s]) =>
      (s.ports ?? []).map((p: Doc) => [name, p] as const),
    );
    expect(published.length).toBeGreaterThan(0);
    for (const [name, port] of published) {
      if (typeof port === 'object') expect(port.host_ip, name).toBe('127.0.0.1');
      else expect(String(port), name).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    }
  });

  it('pins every third-party image to an exact version', () => {
    for (const [name, s] of Object.entries(SERVICES)) {
      if (s.build) continue;
      expect(s.image, name).toMatch(/^[\w./-]+:v?\d+\.\d+\.\d+(@sha256:[0-9a-f]{64})?$/);
    }
  });

  it('depends only on services that run in every profile the dependent runs in', () => {
    for (const [name, s] of Object.entries(SERVICES)) {
      const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
      for (const dep of deps) {
        expect(SERVICES[dep], `${name} → ${dep}`).toBeDefined();
        const depProfiles = profilesOf(SERVICES[dep]);
        if (depProfiles.length === 0) continue;
        expect(profilesOf(s).length, `${name} runs without a profile but needs ${dep}`).toBeGreaterThan(0);
        for (const p of profilesOf(s)) expect(depProfiles, `${name} → ${dep} in profile ${p}`).toContain(p);
      }
    }
  });
});

describe('docker-compose.yml: secrets and variables', () => {
  it('refuses to start without a Grafana admin password or an exporter token (no defaults left in place)', () => {
    for (const name of ['GF_SECURITY_ADMIN_PASSWORD', 'TFDRIFT_SERVER_TOKEN']) {
      const env: Record<string, string> = { ...ENV };
      delete env[name];
      expect(() => interpolateDeep(RAW, env), name).toThrow(MissingVariableError);
      expect(() => interpolateDeep(RAW, { ...env, [name]: '' }), `${name} empty`).toThrow(
        MissingVariableError,
      );
    }
    expect(RAW.services.grafana.environment.GF_SECURITY_ADMIN_PASSWORD).toMatch(
      /^\$\{GF_SECURITY_ADMIN_PASSWORD:\?/,
    );
  });

  it('keeps Grafana closed: anonymous access and sign-up off', () => {
    const env = envOf(SERVICES.grafana);
    expect(env.GF_AUTH_ANONYMOUS_ENABLED).toBe('false');
    expect(env.GF_USERS_ALLOW_SIGN_UP).toBe('false');
    expect(env.GF_SECURITY_ADMIN_PASSWORD).toBe(ENV.GF_SECURITY_ADMIN_PASSWORD);
  });

  it('needs no cloud settings for the demo profile: the only required variables are the two secrets', () => {
    const required = [...RAW_TEXT.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\??:?\?/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['GF_SECURITY_ADMIN_PASSWORD', 'TFDRIFT_SERVER_TOKEN']));
    const minimal = { TFDRIFT_SERVER_TOKEN: 't', GF_SECURITY_ADMIN_PASSWORD: 'p' };
    expect(() => interpolateDeep(RAW, minimal)).not.toThrow();
  });

  it('documents in .env.example every variable the compose file reads', () => {
    expect(USED.size).toBeGreaterThan(5);
    for (const name of USED) expect(ENV_EXAMPLE_TEXT, name).toMatch(new RegExp(`^#?\\s*${name}=`, 'm'));
    expect(ENV_EXAMPLE.TFDRIFT_SERVER_TOKEN).toBe('');
    expect(ENV_EXAMPLE.GF_SECURITY_ADMIN_PASSWORD).toBe('');
  });

  it('uses only TFDRIFT_* names that are exporter configuration keys (others make the exporter refuse to start)', () => {
    const names = new Set<string>([
      ...Object.keys(ENV_EXAMPLE),
      ...[...ENV_EXAMPLE_TEXT.matchAll(/^#\s*([A-Z0-9_]+)=/gm)].map((m) => m[1]),
      ...Object.values(SERVICES).flatMap((s) => Object.keys(envOf(s))),
      ...Object.keys(IMAGE_ENV),
    ]);
    const tfdrift = [...names].filter((n) => n.startsWith('TFDRIFT_'));
    expect(tfdrift).toContain('TFDRIFT_SERVER_TOKEN');
    for (const name of tfdrift)
      expect(envKeyToPath(name.slice('TFDRIFT_'.length).split('_')), name).not.toBeNull();
  });
});

describe('docker-compose.yml: mounts', () => {
  it('mounts files and directories that exist in the repository, read-only', () => {
    const pluginBuild = JSON.parse(readText('grafana-plugin/package.json')).scripts?.build;
    let checked = 0;
    for (const [name, s] of Object.entries(SERVICES)) {
      for (const m of mounts(s)) {
        if (m.type !== 'bind') continue;
        const rel = repoRelative(m.source);
        if (rel === null) {
          // Outside the repository: the user's credentials (~/.aws, a key file) or /dev/null.
          expect(m.readOnly, `${name}: ${m.source}`).toBe(true);
          continue;
        }
        expect(m.readOnly, `${name}: ${m.source} should be :ro`).toBe(true);
        checked++;
        if (rel === 'grafana-plugin/dist') {
          // A build output (git-ignored): `npm run build -w grafana-plugin` writes it.
          expect(pluginBuild, 'grafana-plugin has a build script').toBeTruthy();
          expect(exists('grafana-plugin/src/plugin.json')).toBe(true);
          continue;
        }
        expect(exists(rel), `${name}: ${m.source} does not exist`).toBe(true);
      }
    }
    expect(checked).toBeGreaterThanOrEqual(8);
  });

  it('declares every named volume and secret it uses', () => {
    for (const [name, s] of Object.entries(SERVICES)) {
      for (const m of mounts(s))
        if (m.type === 'volume')
          expect(Object.keys(COMPOSE.volumes), `${name}: ${m.source}`).toContain(m.source);
      for (const secret of s.secrets ?? []) {
        const id = typeof secret === 'string' ? secret : secret.source;
        expect(COMPOSE.secrets?.[id], `${name}: secret ${id}`).toBeDefined();
      }
    }
  });
});

describe('docker-compose.yml: the exporter', () => {
  const live = SERVICES.tfdrift;
  const configFile = hostPathOf(live, flagValue(commandArgs(live), '--config')!);

  it('mounts an exporter configuration that is valid with the environment compose gives it', async () => {
    expect(configFile).toBe('deploy/compose/tfdrift.yaml');
    const env = envOf(live);
    const result = await runCli(['config', 'check', '--config', repoPath(configFile!)], {
      env: onlyTfdrift(env),
    });
    expect(result.stderr + result.stdout).toMatch(/configuration is valid/);
    expect(result.code).toBe(0);
  });

  it('names a missing state bucket at startup instead of starting without states', async () => {
    const env = { ...envOf(interpolateDeep(RAW, { ...ENV, TFDRIFT_STATES_0_BUCKET: '' }).services.tfdrift) };
    const result = await runCli(['config', 'check', '--config', repoPath(configFile!)], {
      env: onlyTfdrift(env),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/states\.0\.bucket: required/);
  });

  it('listens on the port the image exposes and compose publishes, beyond loopback with the token', () => {
    const config = readYaml(configFile!);
    const exposed = DOCKERFILE.filter((i) => i.keyword === 'EXPOSE').map((i) => Number(i.args));
    expect(listenPort(IMAGE_ENV.TFDRIFT_SERVER_LISTEN)).toBe(exposed[0]);
    expect(listenPort(config.server.listen)).toBe(exposed[0]);
    for (const name of ['tfdrift', 'tfdrift-demo']) {
      const s = SERVICES[name];
      expect(
        s.ports.map((p: string) => Number(p.split(':').pop())),
        name,
      ).toContain(exposed[0]);
      expect(envOf(s).TFDRIFT_SERVER_TOKEN, name).toBe(ENV.TFDRIFT_SERVER_TOKEN);
    }
  });

  it('sends drift records to the loki service in both profiles', () => {
    const loki = readYaml(hostPathOf(SERVICES.loki, flagValue(commandArgs(SERVICES.loki), '-config.file')!)!);
    const urls = [envOf(SERVICES.tfdrift).TFDRIFT_OUTPUTS_LOKI_URL, envOf(SERVICES['tfdrift-demo']).LOKI_URL];
    expect(envOf(SERVICES.tfdrift).TFDRIFT_OUTPUTS_LOKI_ENABLED).toBe('true');
    for (const url of urls) {
      const u = new URL(url);
      expect(networkNames('loki', SERVICES.loki)).toContain(u.hostname);
      expect(Number(u.port)).toBe(loki.server.http_listen_port);
    }
  });

  it('keeps Loki data on its volume', () => {
    const loki = readYaml('provisioning/loki/loki.yaml');
    const volume = mounts(SERVICES.loki).find((m) => m.type === 'volume');
    expect(volume?.target).toBe('/loki');
    for (const dir of [
      loki.common.path_prefix,
      loki.compactor.working_directory,
      loki.common.storage.filesystem.chunks_directory,
    ])
      expect(String(dir).startsWith('/loki')).toBe(true);
  });

  it('answers as "tfdrift" on the network exactly once in each profile (Prometheus and Falco use that name)', () => {
    const profiles = new Set(Object.values(SERVICES).flatMap((s) => profilesOf(s)));
    expect([...profiles].sort()).toEqual(['demo', 'falco']);
    for (const profile of profiles) {
      const active = Object.entries(SERVICES).filter(
        ([, s]) => profilesOf(s).length === 0 || profilesOf(s).includes(profile),
      );
      const answering = active
        .filter(([name, s]) => networkNames(name, s).includes('tfdrift'))
        .map(([name]) => name);
      expect(answering, profile).toHaveLength(1);
    }
    // the profile .env.example starts is one of them
    expect(profiles.has(ENV_EXAMPLE.COMPOSE_PROFILES)).toBe(true);
  });

  it('keeps the demo profile free of cloud credentials', () => {
    const demo = SERVICES['tfdrift-demo'];
    expect(Object.keys(envOf(demo)).filter((k) => /^(AWS_|GOOGLE_|AZURE_)/.test(k))).toEqual([]);
    expect(mounts(demo).filter((m) => m.type === 'bind')).toEqual([]);
  });
});

/** The exporter rejects unknown TFDRIFT_* names, so tests pass it only the service's own. */
function onlyTfdrift(env: Record<string, string>): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const k of Object.keys(process.env)) if (k.startsWith('TFDRIFT_')) clean[k] = undefined;
  return { ...clean, ...Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('TFDRIFT_'))) };
}

// Interpolation itself is part of what the cross-checks rely on.
describe('compose interpolation (as the tests read it)', () => {
  it('handles defaults, nested defaults, required variables and $$', () => {
    expect(interpolate('${A:-x}', {})).toBe('x');
    expect(interpolate('${A:-${B:-y}}', { B: '' })).toBe('y');
    expect(interpolate('${A-x}', { A: '' })).toBe('');
    expect(interpolate('${A:+on}', { A: '1' })).toBe('on');
    expect(interpolate('$$HOME ${A}', { A: 'a' })).toBe('$HOME a');
    expect(() => interpolate('${A:?set A}', {})).toThrow(/A: set A/);
    expect(isDir('provisioning')).toBe(true);
  });
});
