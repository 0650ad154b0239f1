/**
 * The configs the compose file mounts — Falco, Prometheus, Grafana provisioning, dashboards —
 * and what they say about each other: URLs reach the right service, port and path with the
 * credential, files they name exist, and datasource UIDs and the plugin id agree everywhere.
 */
import { Command } from 'commander';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GrafanaPeer } from '@tfdrift/alert-rules/testing';
import { registerAlertsCommand } from '../../src/cli/commands/alerts.js';
import { Metrics } from '../../src/metrics/registry.js';
import {
  commandArgs,
  exists,
  falcoOverrides,
  flagValue,
  hostPathOf,
  repoRelative,
  interpolateDeep,
  isDir,
  listFiles,
  listenPort,
  mounts,
  networkNames,
  parseEnvFile,
  readText,
  readYaml,
  type Doc,
} from './stack.js';

const TOKEN = 'wiring-test-token-9d2e';
const ENV = {
  ...parseEnvFile(readText('.env.example')),
  TFDRIFT_SERVER_TOKEN: TOKEN,
  GF_SECURITY_ADMIN_PASSWORD: 'p',
};
const COMPOSE = interpolateDeep(readYaml('docker-compose.yml'), ENV);
const SERVICES: Record<string, Doc> = COMPOSE.services;
const EXPORTER_CONFIG = readYaml(
  hostPathOf(SERVICES.tfdrift, flagValue(commandArgs(SERVICES.tfdrift), '--config')!)!,
);
const EXPORTER_PORT = listenPort(EXPORTER_CONFIG.server.listen);
const PLUGIN_ID: string = JSON.parse(readText('grafana-plugin/src/plugin.json')).id;

/** The repository file behind a container path of a service (bind mounts only). */
function mounted(service: string, containerPath: string): string {
  const rel = hostPathOf(SERVICES[service], containerPath);
  expect(rel, `${service}: nothing mounted at ${containerPath}`).not.toBeNull();
  return rel!;
}

/** Services (and aliases) that run `tfdrift run` or `tfdrift demo`. */
const exporterNames = (profile?: string): string[] =>
  Object.entries(SERVICES)
    .filter(
      ([, s]) =>
        s.build?.dockerfile === 'exporter/Dockerfile' && (!profile || (s.profiles ?? []).includes(profile)),
    )
    .flatMap(([name, s]) => networkNames(name, s));

describe('Falco → exporter', () => {
  const falco = SERVICES.falco;
  const falcoConfigRel = mounted('falco', '/etc/falco/falco.yaml');
  const falcoConfig = exists(falcoConfigRel) ? readYaml(falcoConfigRel) : {};
  const overrides = falcoOverrides(commandArgs(falco));
  const falcoEnv: Record<string, string> = Object.fromEntries(
    Object.entries(falco.environment ?? {}).map(([k, v]) => [k, String(v)]),
  );
  /** Falco expands ${VAR} anywhere in a config scalar and erases unset ones; $${X} is a literal ${X}. */
  const expand = (value: string): string =>
    value.replace(/(\$?)\$\{([^}]*)\}/g, (_m, escape: string, name: string) =>
      escape ? `\${${name}}` : (falcoEnv[name] ?? ''),
    );
  const setting = (key: string): unknown => {
    const raw =
      key in overrides ? overrides[key] : key.split('.').reduce<Doc>((node, k) => node?.[k], falcoConfig);
    return typeof raw === 'string' ? expand(raw) : raw;
  };

  it('mounts a Falco configuration from provisioning/falco', () => {
    expect(falcoConfigRel.startsWith('provisioning/falco/')).toBe(true);
    expect(exists(falcoConfigRel), `${falcoConfigRel} (written by the ingest work) is missing`).toBe(true);
  });

  it('sends JSON alerts over http_output to the exporter’s Falco path and port, with the token in the query', () => {
    expect(String(setting('json_output'))).toBe('true');
    expect(String(setting('http_output.enabled'))).toBe('true');
    const url = new URL(String(setting('http_output.url')));
    expect(exporterNames('falco')).toContain(url.hostname);
    expect(Number(url.port)).toBe(EXPORTER_PORT);
    expect(url.pathname).toBe(EXPORTER_CONFIG.inputs.falco_http.path);
    expect(url.searchParams.get('token')).toBe(TOKEN);
  });

  it('gives the Falco container every variable its config reads', () => {
    const text = readText(falcoConfigRel)
      .split('\n')
      .filter((l) => !/^\s*#/.test(l))
      .join('\n');
    const names = [...text.matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]);
    expect(names).toContain('TFDRIFT_SERVER_TOKEN');
    for (const name of names) expect(Object.keys(falcoEnv), `falco.yaml reads \${${name}}`).toContain(name);
    expect(falcoEnv.TFDRIFT_SERVER_TOKEN).toBe(TOKEN);
    // the token is not on Falco's command line (visible in ps and docker inspect)
    expect(commandArgs(falco).join(' ')).not.toContain(TOKEN);
  });

  it('runs without a kernel driver and loads plugins installed by falcoctl (cloudtrail, gcpaudit, json)', () => {
    expect(setting('engine.kind')).toBe('nodriver');
    const installArgs = commandArgs(SERVICES['falco-plugins']);
    const installed = installArgs
      .filter((a) => !a.startsWith('-') && !['artifact', 'install'].includes(a))
      .map((a) => a.split(':')[0]);
    const plugins: Doc[] = falcoConfig.plugins ?? [];
    const pluginDir = mounts(falco).find((m) => m.type === 'volume' && m.source === 'falco-plugins')?.target;
    expect(pluginDir).toBe('/usr/share/falco/plugins');
    for (const name of ['cloudtrail', 'gcpaudit', 'json']) expect(installed, `falcoctl installs ${name}`).toContain(name);
    // The default config loads one cloud's plugin (provisioning/falco/falco-{aws,gcp}.yaml, falco.yaml for both).
    const loaded: string[] = falcoConfig.load_plugins ?? [];
    expect(loaded.filter((n) => ['cloudtrail', 'gcpaudit'].includes(n)).length).toBeGreaterThan(0);
    for (const name of loaded) {
      expect(installed, `falcoctl installs ${name}`).toContain(name);
      const plugin = plugins.find((p) => p.name === name);
      expect(plugin, `falco.yaml configures plugin ${name}`).toBeDefined();
      const lib = String(plugin.library_path);
      // Relative library paths resolve against /usr/share/falco/plugins, where the volume is.
      expect(lib.startsWith('/') ? path.posix.dirname(lib) : pluginDir).toBe(pluginDir);
      expect(path.posix.basename(lib)).toBe(`lib${name}.so`);
    }
  });

  it('reads rule files that exist in the repository', () => {
    const files: string[] = (falcoConfig.rules_files ?? falcoConfig.rules_file ?? []).map(String);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const rel = mounted('falco', f);
      expect(exists(rel), `${f} → ${rel}`).toBe(true);
      const yamlFiles = isDir(rel) ? listFiles(rel).filter((x) => /\.ya?ml$/.test(x)) : [rel];
      expect(yamlFiles.length, `${rel} holds rules`).toBeGreaterThan(0);
    }
  });
});

describe('Prometheus → exporter', () => {
  const prometheus = SERVICES.prometheus;
  const configRel = mounted('prometheus', flagValue(commandArgs(prometheus), '--config.file')!);
  const config = readYaml(configRel);
  const jobs: Doc[] = config.scrape_configs ?? [];
  const exporterJob = jobs.find((j) =>
    (j.static_configs ?? []).some((sc: Doc) =>
      sc.targets.some((t: string) => exporterNames().includes(t.split(':')[0])),
    ),
  );

  /** The recording rules in the repository (provisioning/prometheus/rules), all of which must be loaded. */
  const RECORDING_RULES = listFiles('provisioning/prometheus/rules').filter((f) => /\.ya?ml$/.test(f));

  it('mounts the recording rules where rule_files looks', () => {
    expect(RECORDING_RULES.length).toBeGreaterThan(0);
    for (const f of RECORDING_RULES) {
      const inContainer = mounts(prometheus).find(
        (m) => m.type === 'bind' && f.startsWith(`${repoRelative(m.source)}/`),
      );
      expect(inContainer, `${f} is not mounted into prometheus`).toBeDefined();
    }
  });

  it('scrapes the exporter like provisioning/prometheus/prometheus.yml does (the stack file only adds the credential)', () => {
    const provisioned = readYaml('provisioning/prometheus/prometheus.yml');
    const job = (cfg: Doc): Doc =>
      (cfg.scrape_configs ?? []).find((j: Doc) => j.job_name === exporterJob?.job_name);
    const pick = (j: Doc): Doc => ({
      job_name: j?.job_name,
      metrics_path: j?.metrics_path ?? '/metrics',
      scheme: j?.scheme ?? 'http',
      targets: (j?.static_configs ?? []).flatMap((sc: Doc) => sc.targets),
    });
    expect(pick(job(provisioned))).toEqual(pick(exporterJob));
  });

  it('scrapes the exporter by its compose name on its metrics port and path, as job "tfdrift"', () => {
    expect(exporterJob, 'a scrape job targets the exporter').toBeDefined();
    const targets: string[] = exporterJob.static_configs.flatMap((sc: Doc) => sc.targets);
    for (const t of targets) expect(Number(t.split(':')[1])).toBe(EXPORTER_PORT);
    expect(exporterJob.metrics_path ?? '/metrics').toBe('/metrics');
    expect(exporterJob.scheme ?? 'http').toBe('http');
    // the exporter's Loki job label and the alert rules' `up{job=…}` use the same name
    expect(exporterJob.job_name).toBe(EXPORTER_CONFIG.outputs.loki.labels.job);
  });

  it('sends the exporter token as a bearer credential from the compose secret', () => {
    const auth = exporterJob?.authorization;
    expect(
      auth,
      'authorization: {credentials_file: /run/secrets/tfdrift_token} on the tfdrift job',
    ).toBeDefined();
    expect(auth.type ?? 'Bearer').toBe('Bearer');
    expect(auth.credentials, 'no literal token in the config').toBeUndefined();
    const secret = /^\/run\/secrets\/(.+)$/.exec(String(auth.credentials_file))?.[1];
    expect(secret, String(auth.credentials_file)).toBeDefined();
    expect((prometheus.secrets ?? []).map((s: Doc) => (typeof s === 'string' ? s : s.source))).toContain(
      secret,
    );
    expect(COMPOSE.secrets[secret!].environment).toBe('TFDRIFT_SERVER_TOKEN');
  });

  it('loads rule files that exist, and every recording-rule file in provisioning/prometheus is loaded', () => {
    const patterns: string[] = config.rule_files ?? [];
    const loaded = new Set<string>();
    for (const p of patterns) {
      const rel = mounted('prometheus', path.posix.dirname(p));
      const re = new RegExp(`^${path.posix.basename(p).replace(/\./g, '\\.').replace(/\*/g, '[^/]*')}$`);
      const files = listFiles(rel).filter((f) => re.test(path.posix.basename(f)));
      expect(files.length, `${p} matches no file in ${rel}`).toBeGreaterThan(0);
      for (const f of files) {
        loaded.add(f);
        expect(Array.isArray(readYaml(f).groups), f).toBe(true);
      }
    }
    for (const f of RECORDING_RULES) expect(loaded.has(f), `${f} is not in rule_files`).toBe(true);
  });
  it('records only from metrics the exporter exports', async () => {
    const exported = new Set<string>();
    for (const m of await new Metrics({ defaultMetrics: false }).registry.getMetricsAsJSON()) {
      exported.add(m.name);
      if (String(m.type) === 'histogram')
        for (const s of ['_bucket', '_sum', '_count']) exported.add(m.name + s);
    }
    const files = RECORDING_RULES;
    const rules = files.flatMap((f) => readYaml(f).groups.flatMap((g: Doc) => g.rules));
    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules)
      for (const name of String(r.expr).match(/\btfdrift_[a-z_]+\b/g) ?? [])
        expect(exported, `${r.record}: ${name}`).toContain(name);
  });
});

describe('Grafana provisioning', () => {
  const grafana = SERVICES.grafana;
  const provRel = mounted('grafana', '/etc/grafana/provisioning');
  const yamlIn = (dir: string): Doc[] =>
    listFiles(`${provRel}/${dir}`)
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => readYaml(f));
  const datasources: Doc[] = yamlIn('datasources').flatMap((d) => d.datasources ?? []);
  const uids = new Set(datasources.map((d) => d.uid));

  it('provisions Loki and Prometheus with fixed UIDs at URLs that reach the compose services', () => {
    expect(uids).toEqual(new Set(['loki', 'prometheus']));
    const lokiPort = readYaml(mounted('loki', flagValue(commandArgs(SERVICES.loki), '-config.file')!)).server
      .http_listen_port;
    const promListen = flagValue(commandArgs(SERVICES.prometheus), '--web.listen-address') ?? '0.0.0.0:9090';
    const expected: Record<string, [string, number]> = {
      loki: ['loki', lokiPort],
      prometheus: ['prometheus', listenPort(promListen)],
    };
    for (const ds of datasources) {
      const [service, port] = expected[ds.type];
      const url = new URL(ds.url);
      expect(networkNames(service, SERVICES[service]), ds.name).toContain(url.hostname);
      expect(Number(url.port), ds.name).toBe(port);
    }
  });

  it('points dashboard providers at mounted directories that hold the dashboards', () => {
    const providers: Doc[] = yamlIn('dashboards').flatMap((d) => d.providers ?? []);
    expect(providers.length).toBeGreaterThan(0);
    for (const p of providers) {
      const rel = mounted('grafana', p.options.path);
      const json = listFiles(rel).filter((f) => f.endsWith('.json'));
      expect(json.length, `${p.options.path} → ${rel}`).toBeGreaterThan(0);
    }
  });

  it('enables the app plugin under the id of plugin.json, mounted and allowed unsigned under that id', () => {
    const apps: Doc[] = yamlIn('plugins').flatMap((d) => d.apps ?? []);
    expect(apps.map((a) => a.type)).toEqual([PLUGIN_ID]);
    const pluginMount = mounts(grafana).find((m) => m.source === './grafana-plugin/dist');
    expect(pluginMount?.target).toBe(`/var/lib/grafana/plugins/${PLUGIN_ID}`);
    expect(String(grafana.environment.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS).split(',')).toContain(
      PLUGIN_ID,
    );
    for (const key of ['lokiDatasourceUid', 'prometheusDatasourceUid']) {
      const uid = apps[0].jsonData?.[key];
      if (uid !== undefined) expect(uids, `${key}: ${uid}`).toContain(uid);
    }
  });

  it('runs a Grafana version inside the grafanaDependency range of plugin.json', () => {
    const range: string = JSON.parse(readText('grafana-plugin/src/plugin.json')).dependencies
      .grafanaDependency;
    const version = /:(\d+\.\d+\.\d+)/.exec(grafana.image)![1];
    const num = (v: string): number[] => v.split('.').map(Number);
    const cmp = (a: string, b: string): number => {
      const [x, y] = [num(a), num(b)];
      for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
      return 0;
    };
    const constraints = range.split(/\s+/).filter(Boolean);
    expect(constraints.length).toBeGreaterThan(0);
    for (const c of constraints) {
      const [, op, v] = /^(>=|<=|>|<|=)?(\d+\.\d+\.\d+)$/.exec(c)!;
      const d = cmp(version, v);
      const ok = { '>=': d >= 0, '<=': d <= 0, '>': d > 0, '<': d < 0, '=': d === 0 }[op ?? '='];
      expect(ok, `grafana ${version} vs ${c}`).toBe(true);
    }
  });

  it('dashboards use only provisioned datasource UIDs', () => {
    const used = new Map<string, string>();
    const walk = (node: unknown, file: string): void => {
      if (Array.isArray(node)) return node.forEach((n) => walk(n, file));
      if (!node || typeof node !== 'object') return;
      for (const [k, v] of Object.entries(node)) {
        if (k === 'datasource') {
          const uid = typeof v === 'string' ? v : (v as { uid?: string } | null)?.uid;
          if (typeof uid === 'string') used.set(uid, file);
        }
        walk(v, file);
      }
    };
    const files = listFiles('dashboards').filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) walk(JSON.parse(readText(f)), f);
    const builtIn = /^(\$\{?\w+\}?|-- (Grafana|Mixed|Dashboard) --|grafana)$/;
    const foreign = [...used].filter(([uid]) => !builtIn.test(uid) && !uids.has(uid));
    expect(foreign).toEqual([]);
    expect([...used.keys()].some((u) => uids.has(u))).toBe(true);
  });

  it('file-provisioned alert rules, if any, query provisioned datasources', () => {
    const rules = yamlIn('alerting').flatMap((d) => (d.groups ?? []).flatMap((g: Doc) => g.rules ?? []));
    for (const r of rules)
      for (const q of r.data ?? [])
        if (q.datasourceUid !== '__expr__') expect(uids, `${r.title}`).toContain(q.datasourceUid);
  });

  describe('`tfdrift alerts apply` with its defaults against a Grafana provisioned like this one', () => {
    let peer: GrafanaPeer;
    beforeAll(async () => {
      peer = new GrafanaPeer({
        token: TOKEN,
        datasources: datasources.map((d) => ({ uid: d.uid, type: d.type, name: d.name })),
      });
      await peer.start();
    });
    afterAll(() => peer.stop());

    const apply = async (): Promise<{ err: string; code: number }> => {
      let err = '';
      const program = new Command('tfdrift').exitOverride();
      registerAlertsCommand(program, { stdout: () => {}, stderr: (t) => (err += t), env: {} });
      for (const c of program.commands) c.exitOverride();
      try {
        await program.parseAsync([
          'node',
          'tfdrift',
          'alerts',
          'apply',
          '--grafana-url',
          peer.url,
          '--token',
          TOKEN,
        ]);
        return { err, code: 0 };
      } catch (e) {
        return { err: `${err}${(e as Error).message}`, code: 1 };
      }
    };

    it('creates rules that query only the provisioned datasources', async () => {
      const { err, code } = await apply();
      expect(code, err).toBe(0);
      expect(peer.rules.size).toBeGreaterThan(0);
      for (const { rule } of peer.rules.values())
        for (const q of rule.data)
          if (q.datasourceUid !== '__expr__') expect(uids).toContain(q.datasourceUid);
    });

    it('fails when Grafana lacks those datasources (the check above is not vacuous)', async () => {
      const saved = peer.datasources;
      peer.datasources = [];
      try {
        const { code, err } = await apply();
        expect(code).toBe(1);
        expect(err).toMatch(/datasource/i);
      } finally {
        peer.datasources = saved;
      }
    });
  });
});
