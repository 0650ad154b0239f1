/**
 * A claim in the docs is a promise. Every metric, config key, environment variable, CLI
 * command and flag, endpoint and path an operator reads is checked against the code that
 * defines it; config snippets must pass `config check`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { exists, parseEnvFile, readText } from '../stack/stack.js';
import path from 'node:path';
import { extractClaims, operatorDocs, type Claim, type ClaimKind } from './claims.js';
import { cliTree, configCheck, emittedReasons, isConfigKey, isKnownEnv, knownEnv, recordingRules, startedDaemon, type CliTree } from './truth.js';

const claims: Claim[] = operatorDocs().flatMap(extractClaims);
const of = (kind: ClaimKind): Claim[] => claims.filter((c) => c.kind === kind);

let metrics: Map<string, Set<string>>;
let records: Set<string>;
let routeSet: Set<string>;
beforeAll(async () => {
  ({ metrics, routes: routeSet } = await startedDaemon());
  records = recordingRules();
});

/** Checks each claim; returns "where: claim — why" for the false ones. */
function falseClaims(list: Claim[], why: (c: Claim) => string | null): string[] {
  return list.flatMap((c) => {
    const problem = why(c);
    return problem ? [`${c.where}: ${c.text.split('\n')[0]} — ${problem}`] : [];
  });
}

function metricProblem(c: Claim): string | null {
  const m = /^([a-z0-9_:]+)(?:\{([^}]*)\})?$/.exec(c.text);
  if (!m) return 'unreadable';
  const [, name, selector] = m;
  if (name.includes(':')) return records.has(name) ? null : 'no such recording rule in provisioning/prometheus/rules';
  const labels = metrics.get(name);
  if (!labels) return 'no such metric in the registry';
  for (const [, label] of (selector ?? '').matchAll(/([a-z_]+)\s*(?:=~|!~|!=|=|,|$)/g))
    if (!labels.has(label)) return `metric has no label "${label}"`;
  return null;
}

function cliProblem(c: Claim): string | null {
  const words = c.text.split(/ +/).slice(1);
  let node: CliTree = cliTree();
  let i = 0;
  while (i < words.length && node.sub.size > 0 && !words[i].startsWith('-')) {
    const next = node.sub.get(words[i]);
    if (!next) return `no command "${words[i]}"`;
    node = next;
    i++;
  }
  if (i === 0) return 'no command named';
  for (const w of words.slice(i)) {
    const flag = /^(--[a-z][a-z0-9-]*)/.exec(w)?.[1];
    if (flag && !node.options.has(flag)) return `no option ${flag}`;
  }
  return null;
}

function endpointProblem(c: Claim): string | null {
  const [method, p] = c.text.includes(' ') ? c.text.split(' ') : [null, c.text];
  const hit = [...routeSet].some((r) => (method ? r === `${method} ${p}` : r.endsWith(` ${p}`)));
  return hit ? null : 'the daemon registers no such route';
}

function pathProblem(c: Claim): string | null {
  const doc = c.where.split(':')[0];
  const candidates = [c.text, path.posix.join(path.posix.dirname(doc), c.text)].map((p) => p.replace(/\/$/, ''));
  // Build outputs (dist/) are made by `npm run build`, not checked in.
  if (/(^|\/)dist(\/|$)/.test(c.text) || c.text.includes('*')) return null;
  return candidates.some(exists) ? null : 'no such file';
}

describe('docs claims', () => {
  it('finds claims of every kind', () => {
    const counts = Object.fromEntries(['metric', 'config_key', 'config_snippet', 'env', 'cli', 'endpoint', 'path'].map((k) => [k, of(k as ClaimKind).length]));
    process.stderr.write(`docs claims checked: ${claims.length} ${JSON.stringify(counts)}\n`);
    for (const n of Object.values(counts)) expect(n).toBeGreaterThan(2);
  });

  it('name metrics (and labels) the registry has', () => {
    expect(falseClaims(of('metric'), metricProblem)).toEqual([]);
  });

  it('name config keys the schema has', () => {
    expect(falseClaims(of('config_key'), (c) => (isConfigKey(c.text) ? null : 'not a key of the config schema'))).toEqual([]);
  });

  it('show config snippets that pass `config check`', () => {
    expect(falseClaims(of('config_snippet'), (c) => configCheck(c.text))).toEqual([]);
  });

  it('name environment variables something reads', () => {
    const known = knownEnv();
    expect(falseClaims(of('env'), (c) => (isKnownEnv(c.text, known) ? null : 'read by nothing: not a config key, not in compose, not read by the exporter'))).toEqual([]);
  });

  it('name CLI commands and flags that exist', () => {
    expect(falseClaims(of('cli'), cliProblem)).toEqual([]);
  });

  it('name endpoints the daemon serves', () => {
    expect(falseClaims(of('endpoint'), endpointProblem)).toEqual([]);
  });

  it('name files that exist', () => {
    expect(falseClaims(of('path'), pathProblem)).toEqual([]);
  });

  it('troubleshooting.md explains every reason events are counted under', () => {
    const doc = readText('docs/troubleshooting.md');
    const reasons = [...emittedReasons()];
    expect(reasons.length).toBeGreaterThan(20);
    expect(reasons.filter((r) => !doc.includes(`\`${r}\``)).sort()).toEqual([]);
  });

  it('.env.example offers only variables docker-compose.yml passes on', () => {
    const env = readText('.env.example');
    const compose = readText('docker-compose.yml');
    const offered = [...env.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
    expect(offered.length).toBe(new Set([...offered, ...Object.keys(parseEnvFile(env))]).size);
    const unwired = offered.filter((n) => n !== 'COMPOSE_PROFILES' && !new RegExp(`\\$\\{${n}[:}?+-]`).test(compose));
    expect(unwired).toEqual([]);
  });
});
