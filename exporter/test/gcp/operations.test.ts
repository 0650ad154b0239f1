import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS } from '../helpers/cli.js';
import { eventsFile, plasoGcp, replay } from './scenario.js';
import { permutations, stateFile, subsets } from '../detect/multipart.js';

type Rec = Record<string, unknown>;
const op = (r: Rec): { id?: string; first?: boolean; last?: boolean } => (r.operation ?? {}) as { id?: string; first?: boolean; last?: boolean };
const resourceName = (r: Rec): string => String((r.protoPayload as Rec).resourceName);


/** Real long-running operations of plaso's capture: each logged as a `first` and a `last` entry. */
function operations(): Map<string, Rec[]> {
  const byId = new Map<string, Rec[]>();
  for (const r of plasoGcp((e) => typeof op(e).id === 'string')) byId.set(op(r).id!, [...(byId.get(op(r).id!) ?? []), r]);
  return new Map([...byId].filter(([, entries]) => entries.length === 2));
}

/** fake-project is covered (a network Terraform manages) but holds none of the created resources. */
const state = (): string =>
  stateFile('google', [{ type: 'google_compute_network', name: 'other', attributes: { id: 'projects/fake-project/global/networks/other', name: 'other', project: 'fake-project' } }]);

const TYPES: Record<string, string> = { instances: 'google_compute_instance', firewalls: 'google_compute_firewall', networks: 'google_compute_network' };

describe('GCP long-running operations (operation.first / operation.last): one drift per operation', () => {
  it('has real first+last pairs to test with', () => {
    const ops = operations();
    expect(ops.size).toBe(3);
    for (const entries of ops.values()) expect(entries.map((e) => (op(e).first ? 'first' : 'last')).sort()).toEqual(['first', 'last']);
  });

  it('every order of every subset of each operation yields exactly one unmanaged drift', async () => {
    const st = state();
    let runs = 0;
    for (const entries of operations().values()) {
      const collection = /\/(instances|firewalls|networks)\//.exec(resourceName(entries[0]))![1];
      for (const subset of subsets(entries))
        for (const order of permutations(subset)) {
          const { records } = await replay([st], [eventsFile(order)]);
          expect(records, `${resourceName(entries[0])}: ${order.map((e) => (op(e).first ? 'first' : 'last')).join(' → ')}`).toHaveLength(1);
          expect(records[0]).toMatchObject({ change_type: 'unmanaged', resource_type: TYPES[collection], resource_id: resourceName(entries[0]), account_id: 'fake-project' });
          runs++;
        }
    }
    expect(runs).toBe(12);
  });

  it('all entries of the three operations interleaved: three drifts, whatever the order', async () => {
    const all = [...operations().values()].flat();
    const st = state();
    for (const order of [all, [...all].reverse(), [all[1], all[3], all[5], all[0], all[2], all[4]]]) {
      const { records } = await replay([st], [eventsFile(order)]);
      expect(records.map((r) => r.resource_id).sort()).toEqual([...new Set(all.map(resourceName))].sort());
    }
  });

  it('a `last` entry whose operation failed stays silent', async () => {
    const [entries] = [...operations().values()];
    const last = entries.find((e) => op(e).last)!;
    const failed = { ...last, protoPayload: { ...(last.protoPayload as Rec), status: { code: 3, message: 'INVALID_ARGUMENT' } } };
    const { records } = await replay([state()], [eventsFile([failed])]);
    expect(records).toEqual([]);
  });
});

describe('GCP patches whose request names the field (kind 1): the drift names it', () => {
  const subnetPatches = (): Rec[] =>
    (JSON.parse(readFileSync(path.join(CORPUS, 'gcp/panther-analysis/panther_gcp_auditlog_rule_tests.json'), 'utf8')) as Rec[]).filter(
      (e) => (e.protoPayload as Rec | undefined)?.methodName === 'v1.compute.subnetworks.patch',
    );
  const subnet = (project: string, logConfig: unknown[]): string =>
    stateFile('google', [{ type: 'google_compute_subnetwork', name: 'default', attributes: { id: `projects/${project}/regions/us-central1/subnetworks/default`, name: 'default', project, log_config: logConfig } }]);

  it('subnetworks.patch turning flow logs on (real Panther records, logConfig.enable) → modified log_config false → true', async () => {
    const on = subnetPatches().filter((e) => JSON.stringify(e).includes('"logConfig"'));
    expect(on.length).toBeGreaterThan(0);
    const { records } = await replay([subnet('test-project', [])], [eventsFile(on.slice(0, 1))]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ change_type: 'modified', resource_type: 'google_compute_subnetwork', changes: [{ attribute: 'log_config', expected: false, actual: true, detail: null }] });
  });

  it('subnetworks.patch turning flow logs off (enableFlowLogs: false) → modified log_config true → false', async () => {
    const off = subnetPatches().filter((e) => JSON.stringify(e).includes('"enableFlowLogs"'));
    const { records } = await replay([subnet('gcp-project', [{ aggregation_interval: 'INTERVAL_5_SEC', flow_sampling: 0.5, metadata: 'INCLUDE_ALL_METADATA' }])], [eventsFile(off)]);
    expect(records.map((r) => r.changes)).toEqual([[{ attribute: 'log_config', expected: true, actual: false, detail: null }]]);
  });
});
