/**
 * What the code defines, read from the code itself: the metric registry, the config schema,
 * the CLI program, the HTTP routes the daemon registers, and the variables anything reads.
 */
import path from 'node:path';
import { vi } from 'vitest';
import type { Command } from 'commander';
import YAML from 'yaml';
import type { Registry } from 'prom-client';
import { configSchema } from '../../src/config/schema.js';
import { envKeyToPath, parseConfig, unwrap, type AnySchema } from '../../src/config/load.js';
import { checkServerSecurity, HttpServer } from '../../src/server/http.js';
import { startApp } from '../../src/app.js';
import * as cliMain from '../../src/cli/main.js';
import { silentLogger } from '../../src/util/logger.js';
import { listFiles, readText, readYaml, type Doc } from '../stack/stack.js';

/** Metric name → its label names, from the registry of a started daemon (rooms add their own metrics); histograms also under their _bucket/_sum/_count series. */
export async function metricRegistry(registry: Registry): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (const m of registry.getMetricsAsArray()) {
    const { name, labelNames = [] } = m as unknown as { name: string; labelNames?: string[] };
    const type = (await (m as unknown as { get(): Promise<{ type: string }> }).get()).type;
    // Prometheus adds job and instance to every scraped series.
    const labels = new Set([...labelNames, 'job', 'instance']);
    out.set(name, labels);
    if (type === 'histogram' || type === 'summary') {
      out.set(`${name}_bucket`, new Set([...labels, 'le']));
      out.set(`${name}_sum`, labels);
      out.set(`${name}_count`, labels);
    }
  }
  return out;
}

/** Recording-rule names (`level:metric:operations`) in provisioning/prometheus/rules. */
export function recordingRules(): Set<string> {
  const out = new Set<string>();
  for (const f of listFiles('provisioning/prometheus/rules')) {
    const doc = readYaml(f);
    for (const g of doc.groups ?? []) for (const r of g.rules ?? []) if (r.record) out.add(r.record);
  }
  return out;
}


/** True when `inputs.falco_http.max_body_bytes` (or `states[0].bucket`) is a key of the config schema. */
export function isConfigKey(dotted: string): boolean {
  const parts = dotted.replace(/\[(\d+)\]/g, '.$1').split('.');
  let s = unwrap(configSchema as unknown as AnySchema);
  for (const part of parts) {
    const def = s._zod.def;
    if (def.type === 'object') {
      const next = (def.shape as Record<string, AnySchema>)[part];
      if (!next) return false;
      s = unwrap(next);
    } else if (def.type === 'array') {
      s = unwrap(def.element as AnySchema);
      if (/^\d+$/.test(part)) continue;
      const inner = s._zod.def;
      if (inner.type !== 'object' || !(part in (inner.shape as object))) return false;
      s = unwrap((inner.shape as Record<string, AnySchema>)[part]);
    } else if (def.type === 'record') {
      s = unwrap(def.valueType as AnySchema);
    } else return false;
  }
  return true;
}

/** `config check` on a snippet: schema, then the server's security rules. Returns the problem or null. */
export function configCheck(text: string): string | null {
  try {
    const cfg = parseConfig(YAML.parse(text));
    checkServerSecurity(cfg.server);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

export interface CliTree {
  options: Set<string>;
  sub: Map<string, CliTree>;
}
/** The CLI with every command fully defined, whichever way main.ts builds it (eagerly, or loading commands when named). */
export async function fullProgram(): Promise<Command> {
  const main = cliMain as unknown as { loadFullProgram?: () => Promise<Command>; buildProgram?: () => Command };
  if (main.loadFullProgram) return main.loadFullProgram();
  return main.buildProgram!();
}

export function cliTree(cmd: Command): CliTree {
  const options = new Set<string>(['--help']);
  for (const o of cmd.options) if (o.long) options.add(o.long);
  if (cmd.parent === null) options.add('--version');
  return { options, sub: new Map(cmd.commands.map((c) => [c.name(), cliTree(c)])) };
}

/** `METHOD path` of every route the daemon registers (every input that adds one enabled), and its metrics. */
export async function startedDaemon(): Promise<{ routes: Set<string>; metrics: Map<string, Set<string>> }> {
  const seen = new Set<string>();
  const spy = vi.spyOn(HttpServer.prototype, 'route').mockImplementation(function (this: HttpServer, method, p) {
    seen.add(`${method} ${p}`);
  });
  try {
    const config = parseConfig({
      server: { listen: '127.0.0.1:0' },
      inputs: { azure_http: { enabled: true } },
      outputs: { stdout: { enabled: false } },
      storage: { dir: path.join(process.env.TMPDIR ?? '/tmp', `tfdrift-claims-${process.pid}`) },
    });
    const app = await startApp(config, { log: silentLogger() });
    const metrics = await metricRegistry(app.metrics.registry);
    await app.stop();
    return { routes: seen, metrics };
  } finally {
    spy.mockRestore();
  }
}

/** Environment variables SDKs the exporter depends on read (only while it depends on them). */
const SDK_ENV: Record<string, string[]> = {
  '@aws-sdk/client-s3': [
    'AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
    'AWS_SDK_LOAD_CONFIG', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE',
  ],
  '@azure/identity': [
    'AZURE_CLIENT_ID', 'AZURE_TENANT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PATH', 'AZURE_FEDERATED_TOKEN_FILE',
    'AZURE_AUTHORITY_HOST', 'AZURE_USERNAME',
  ],
  'google-auth-library': ['GOOGLE_APPLICATION_CREDENTIALS', 'GCE_METADATA_HOST'],
};

/** Every variable something in the repository reads: compose, the exporter's source, Falco's configs, the manifests. */
export function knownEnv(): Set<string> {
  const known = new Set<string>();
  const compose = readText('docker-compose.yml');
  for (const m of compose.matchAll(/\$\{([A-Z0-9_]+)/g)) known.add(m[1]);
  for (const svc of Object.values(readYaml('docker-compose.yml').services) as Doc[])
    for (const k of Object.keys(svc.environment ?? {})) known.add(k);
  for (const f of listFiles('exporter/src').filter((x) => x.endsWith('.ts'))) {
    const src = readText(f);
    for (const m of src.matchAll(/env(?:\.|\[')([A-Z][A-Z0-9_]+)/g)) known.add(m[1]);
    for (const m of src.matchAll(/'([A-Z][A-Z0-9]*_[A-Z0-9_]+)'/g)) known.add(m[1]);
  }
  for (const f of [...listFiles('provisioning'), ...listFiles('deploy')].filter((x) => /\.ya?ml$/.test(x)))
    for (const m of readText(f).matchAll(/\$\{([A-Z0-9_]+)\}|name: ([A-Z][A-Z0-9_]+)$/gm)) known.add(m[1] ?? m[2]);
  const deps = (readYaml('exporter/package.json') as Doc).dependencies ?? {};
  for (const [pkg, names] of Object.entries(SDK_ENV)) if (pkg in deps) for (const n of names) known.add(n);
  return known;
}

export function isKnownEnv(name: string, known: Set<string>): boolean {
  if (name.endsWith('_*')) {
    const prefix = name.slice(0, -1);
    return [...known].some((k) => k.startsWith(prefix)) || (prefix.startsWith('TFDRIFT_') && envKeyToPath(prefix.slice(8, -1).split('_')) !== null);
  }
  if (name.startsWith('TFDRIFT_')) {
    const p = envKeyToPath(name.slice(8).split('_'));
    return p !== null && p.length > 0;
  }
  return known.has(name);
}

/**
 * The reason codes events are counted under (tfdrift_events_failed_total, tfdrift_events_suppressed_total),
 * read from the source lines that emit them. State-load errors (state_*) are reported per state instead.
 */
export function emittedReasons(): Set<string> {
  const files = [
    ...listFiles('exporter/src/ingest'), ...listFiles('exporter/src/providers'), ...listFiles('exporter/src/detect'), 'exporter/src/pipeline.ts',
  ].filter((f) => f.endsWith('.ts'));
  const out = new Set<string>();
  const patterns = [
    /reason: '([a-z_]+)'/g,
    /reason: [^,}]*\? '([a-z_]+)' : '([a-z_]+)'/g,
    /suppressed\.push\('([a-z_]+)'\)/g,
    /\bfail\((?:res, \d+, )?'([a-z_]+)'/g,
    /err\.reason : '([a-z_]+)'/g,
    /new InputError\(.*, '([a-z_]+)'[,)]/g,
  ];
  for (const f of files) {
    const text = readText(f);
    const found = [...patterns, ...(f.endsWith('detect/suppress.ts') ? [/return '([a-z_]+)'/g] : [])].flatMap((re) => [...text.matchAll(re)]);
    for (const m of found) for (const r of m.slice(1)) if (r && !r.startsWith('state_')) out.add(r);
  }
  return out;
}
