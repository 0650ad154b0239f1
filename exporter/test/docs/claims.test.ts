/**
 * A claim in the docs is a promise. Every metric, config key, environment variable, CLI
 * command and flag, endpoint and path an operator reads is checked against the code that
 * defines it; config snippets must pass `config check`.
 */
import { writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import { Command } from 'commander';
import { GrafanaPeer } from '@tfdrift/alert-rules/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerAlertsCommand } from '../../src/cli/commands/alerts.js';
import { exists, parseEnvFile, readText } from '../stack/stack.js';
import path from 'node:path';
import { extractClaims, operatorDocs, type Claim, type ClaimKind } from './claims.js';
import { cliTree, configCheck, emittedReasons, fullProgram, isConfigKey, isKnownEnv, knownEnv, recordingRules, startedDaemon, type CliTree } from './truth.js';

const claims: Claim[] = operatorDocs().flatMap(extractClaims);
const of = (kind: ClaimKind): Claim[] => claims.filter((c) => c.kind === kind);

let metrics: Map<string, Set<string>>;
let records: Set<string>;
let routeSet: Set<string>;
let cli: CliTree;
beforeAll(async () => {
  ({ metrics, routes: routeSet } = await startedDaemon());
  records = recordingRules();
  cli = cliTree(await fullProgram());
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
  let node: CliTree = cli;
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
    const counts = Object.fromEntries(['metric', 'config_key', 'config_snippet', 'alerts_snippet', 'env', 'cli', 'endpoint', 'path'].map((k) => [k, of(k as ClaimKind).length]));
    process.stderr.write(`docs claims checked: ${claims.length} ${JSON.stringify(counts)}\n`);
    for (const [kind, n] of Object.entries(counts)) expect(n, kind).toBeGreaterThan(kind === 'alerts_snippet' ? 0 : 2);
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

  it('show `alerts:` files that `tfdrift alerts apply --config` takes (against a Grafana-API peer)', async () => {
    const peer = new GrafanaPeer({ token: 't', datasources: [{ uid: 'loki', type: 'loki', name: 'Loki' }, { uid: 'prometheus', type: 'prometheus', name: 'Prometheus' }] });
    await peer.start();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-claims-'));
    const problems: string[] = [];
    try {
      for (const [i, c] of of('alerts_snippet').entries()) {
        const file = path.join(dir, `alerts-${i}.yaml`);
        writeFileSync(file, c.text);
        let err = '';
        const program = new Command('tfdrift').exitOverride();
        registerAlertsCommand(program, { stdout: () => undefined, stderr: (t) => void (err += t), env: {} });
        for (const cmd of program.commands) cmd.exitOverride();
        await program.parseAsync(['alerts', 'apply', '--grafana-url', peer.url, '--token', 't', '--config', file], { from: 'user' }).catch((e: Error) => problems.push(`${c.where}: ${e.message} ${err}`));
      }
      expect(peer.rules.size).toBeGreaterThan(0);
    } finally {
      await peer.stop();
    }
    expect(problems).toEqual([]);
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
