/**
 * deploy/kubernetes-fleet: one kustomize overlay per shard on deploy/kubernetes. Each overlay's
 * JSON patches are applied here to the base manifests (RFC 6902 add/replace/remove, the ops
 * they use), and the shards' configs are checked with `tfdrift config check`.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { loadConfigFile } from '../../src/config/load.js';
import { ownedAccounts } from '../../src/fleet/config.js';
import { runCli } from '../helpers/cli.js';
import { readText, readYaml, repoPath, type Doc } from '../stack/stack.js';

const BASE = 'deploy/kubernetes';
const FLEET = 'deploy/kubernetes-fleet';
const SHARDS = readdirSync(repoPath(FLEET)).filter((d) => !d.includes('.')).sort();

function baseDocs(): Doc[] {
  const k = readYaml(`${BASE}/kustomization.yaml`);
  return k.resources.flatMap((f: string) => YAML.parseAllDocuments(readText(`${BASE}/${f}`)).map((d) => d.toJS()));
}

function applyPatch(doc: Doc, ops: { op: string; path: string; value?: unknown }[]): Doc {
  const out = structuredClone(doc);
  for (const { op, path, value } of ops) {
    const keys = path.split('/').slice(1).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = keys.pop()!;
    const parent = keys.reduce((o, k) => o?.[k], out);
    expect(parent, `${op} ${path}: parent missing`).toBeTypeOf('object');
    if (op !== 'add') expect(last in parent, `${op} ${path}: no such member`).toBe(true);
    if (op === 'remove') delete parent[last];
    else parent[last] = value;
  }
  return out;
}

/** The overlay as kustomize builds it: patches, name suffix, shard label on metadata and selectors. */
function build(shard: string): { docs: Doc[]; kustomization: Doc } {
  const kustomization = readYaml(`${FLEET}/${shard}/kustomization.yaml`);
  expect(kustomization.resources).toEqual(['../../kubernetes']);
  const labels = kustomization.labels[0];
  expect(labels.includeSelectors).toBe(true);
  const docs = baseDocs().map((doc) => {
    let d = doc;
    for (const p of kustomization.patches) if (p.target.kind === d.kind && p.target.name === d.metadata.name) d = applyPatch(d, YAML.parse(p.patch));
    d = structuredClone(d);
    d.metadata.name += kustomization.nameSuffix;
    d.metadata.labels = { ...d.metadata.labels, ...labels.pairs };
    // kustomize adds selector labels to the kinds it knows; the ServiceMonitor's comes from the patch.
    if (['Deployment', 'PodDisruptionBudget'].includes(d.kind)) d.spec.selector.matchLabels = { ...d.spec.selector.matchLabels, ...labels.pairs };
    if (d.kind === 'Service') d.spec.selector = { ...d.spec.selector, ...labels.pairs };
    if (d.kind === 'Deployment') d.spec.template.metadata.labels = { ...d.spec.template.metadata.labels, ...labels.pairs };
    return d;
  });
  return { docs, kustomization };
}

describe('deploy/kubernetes-fleet: one manifest set per shard', () => {
  it('has at least two shards, each patching what exists in the base', () => {
    expect(SHARDS.length).toBeGreaterThanOrEqual(2);
    for (const s of SHARDS) build(s);
  });

  it('each shard selects only its own pods, from its Service, PodDisruptionBudget and ServiceMonitor (no shard scrapes another)', () => {
    for (const s of SHARDS) {
      const { docs, kustomization } = build(s);
      const label = kustomization.labels[0].pairs;
      const byKind = (k: string): Doc => docs.find((d) => d.kind === k);
      const pods = byKind('Deployment').spec.template.metadata.labels;
      for (const sel of [byKind('Service').spec.selector, byKind('PodDisruptionBudget').spec.selector.matchLabels, byKind('ServiceMonitor').spec.selector.matchLabels]) {
        expect(sel).toMatchObject(label);
        expect(Object.entries(sel).every(([k, v]) => pods[k] === v)).toBe(true);
      }
      // The ServiceMonitor must select this shard's Service and not the others'.
      for (const other of SHARDS.filter((o) => o !== s)) {
        const otherService = build(other).docs.find((d) => d.kind === 'Service');
        const sm = byKind('ServiceMonitor').spec.selector.matchLabels;
        expect(Object.entries(sm).every(([k, v]) => otherService.metadata.labels[k] === v)).toBe(false);
      }
      expect(byKind('Deployment').spec.replicas).toBe(1);
      expect(byKind('PodDisruptionBudget').spec).not.toHaveProperty('minAvailable');
    }
  });

  it('shard configs are valid, name their exporter, and own disjoint accounts each read from its own queue', async () => {
    const owned: string[] = [];
    const names = new Set<string>();
    const queues = new Set<string>();
    for (const s of SHARDS) {
      const file = repoPath(`${FLEET}/${s}/config.yaml`);
      const check = await runCli(['config', 'check', '--config', file], { env: { TFDRIFT_SERVER_TOKEN: 'x'.repeat(32) } });
      expect(check.code, check.stderr).toBe(0);
      const config = loadConfigFile(file);
      expect(config.fleet.shard).toBe(true);
      names.add(config.server.name);
      config.inputs.aws_eventbridge.queues.forEach((q) => queues.add(q));
      // The queue the Terraform module creates for this shard: ${name}-${shard}.
      expect(config.inputs.aws_eventbridge.queues.every((q) => q.endsWith(`/tfdrift-${s}`))).toBe(true);
      owned.push(...[...(ownedAccounts(config.fleet, config.states)?.get('aws') ?? [])]);
    }
    expect(names.size).toBe(SHARDS.length);
    expect(queues.size).toBe(SHARDS.length);
    expect(new Set(owned).size).toBe(owned.length);
  }, 120_000); // one CLI process per shard: slow on a busy machine
});
