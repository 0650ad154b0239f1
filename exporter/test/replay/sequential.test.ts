import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplaySummary } from '../../src/replay/run.js';
import { DEMO_EVENTS } from '../helpers/cli.js';
import { AZURE_FIXTURES, plasoGcp, readJson } from '../gcp/scenario.js';
import { stateFile } from '../detect/multipart.js';
import { comparable, replayCaptured } from './helpers.js';

// GCP and Azure log one operation as several records (GCP: operation.first / operation.last under
// one operation.id; Azure: Started / Accepted / Succeeded under one correlation ID). Their
// providers fold those records into one drift, which only works when one resolver sees them all:
// replay never resolves them on a worker thread. Here each operation's parts lie in different
// files of one folder, so a parallel run reads them on different threads.

type Rec = Record<string, unknown>;
const op = (r: Rec): { id?: string; first?: boolean; last?: boolean } => (r.operation ?? {}) as { id?: string; first?: boolean; last?: boolean };
const resourceName = (r: Rec): string => String((r.protoPayload as Rec).resourceName);
const status = (r: Rec): string => String((r.status as { value?: string } | undefined)?.value ?? '');

const AZ_SUB = '12345678-9abc-defg-hijk-lmnopqrstuvw';
const VM_ID = `/subscriptions/${AZ_SUB}/resourceGroups/test-resource-group/providers/Microsoft.Compute/virtualMachines/test-vm`;

/** plaso's real long-running operations: [first, last] each (test/gcp/operations.test.ts). */
function gcpOperations(): Rec[][] {
  const byId = new Map<string, Rec[]>();
  for (const r of plasoGcp((e) => typeof op(e).id === 'string')) byId.set(op(r).id!, [...(byId.get(op(r).id!) ?? []), r]);
  return [...byId.values()].filter((e) => e.length === 2).map((e) => [e.find((x) => op(x).first)!, e.find((x) => op(x).last)!]);
}

let root: string;
let events: string;
let states: string[];
let ops: Rec[][];

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-sequential-'));
  ops = gcpOperations();
  expect(ops).toHaveLength(3);
  const vm = readFileSync(path.join(AZURE_FIXTURES, 'multipart/vm-write-sequence.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec);
  expect(vm.map(status)).toEqual(['Started', 'Accepted', 'Succeeded']);
  const nsg = readJson<{ value: Rec[] }>(path.join(AZURE_FIXTURES, 'rest-nsg-rule.json')).value;
  expect(nsg.map(status)).toEqual(['Started', 'Accepted', 'Succeeded']);
  const aws = readJson<Rec[]>(path.join(DEMO_EVENTS, '01-sg-open-port-22.json'));

  // Every operation's parts at least three files apart; CloudTrail (read and resolved anywhere) between them.
  const files: Rec[][] = [
    [ops[0][0]],
    [vm[0]],
    [ops[1][0], nsg[0]],
    aws,
    [ops[2][0]],
    [vm[1]],
    [nsg[1]],
    [ops[0][1]],
    [ops[1][1], vm[2]],
    [nsg[2]],
    [ops[2][1]],
    aws,
  ];
  events = path.join(root, 'events');
  mkdirSync(events);
  files.forEach((records, i) => writeFileSync(path.join(events, `part-${String(i).padStart(2, '0')}.jsonl`), records.map((r) => JSON.stringify(r)).join('\n') + '\n'));

  states = [
    // fake-project is covered (Terraform manages a network there) but holds none of the created resources.
    stateFile('google', [{ type: 'google_compute_network', name: 'other', attributes: { id: 'projects/fake-project/global/networks/other', name: 'other', project: 'fake-project' } }]),
    // The VM the Azure sequence writes, managed.
    stateFile('azurerm', [{ type: 'azurerm_linux_virtual_machine', name: 'vm', attributes: { id: VM_ID, name: 'test-vm', resource_group_name: 'test-resource-group', size: 'Standard_B1s' } }]),
    path.join(AZURE_FIXTURES, 'states/prod.tfstate'),
    path.join(DEMO_EVENTS, '../states/network-prod.tfstate'),
  ];
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  for (const s of states.slice(0, 2)) rmSync(path.dirname(s), { recursive: true, force: true });
});

/** A summary without who read what (the only fields a parallel run may differ in). */
const withoutReaders = ({ workers: _w, readOnMainThread: _r, ...rest }: ReplaySummary) => rest;

describe('multi-part GCP and Azure operations spread over files read on several threads', () => {
  it('workers: 2 gives the records and summary of workers: 0, one drift per operation', async () => {
    const single = await replayCaptured({ state: states, events: [events], workers: 0, quiet: true });
    const parallel = await replayCaptured({ state: states, events: [events], workers: 2, quiet: true });
    expect(single.stderr).toBe('');
    expect(parallel.stderr).toBe('');
    expect(comparable(parallel.records)).toEqual(comparable(single.records));
    expect(withoutReaders(parallel.summary)).toEqual(withoutReaders(single.summary));
    expect(parallel.exitCode).toBe(single.exitCode);

    // Both kinds of reader took part: the first objects always go to the workers, the main thread read at least one.
    expect(parallel.summary.workers).toBe(2);
    expect(parallel.summary.objects).toBe(12);
    expect(parallel.summary.readOnMainThread).toBeLessThan(parallel.summary.objects);
    expect(single.summary.readOnMainThread).toBe(12);

    // One drift per operation: each GCP operation once (unmanaged), the VM write and the NSG rule write once each.
    const byProvider = (p: string) => single.records.filter((r) => r.provider === p);
    const gcp = byProvider('gcp');
    expect(gcp.map((r) => r.resource_id).sort()).toEqual(ops.map((o) => resourceName(o[0])).sort());
    for (const r of gcp) expect(r).toMatchObject({ change_type: 'unmanaged', account_id: 'fake-project' });
    const azure = byProvider('azure');
    expect(azure).toHaveLength(2);
    expect(azure.find((r) => r.resource_type === 'azurerm_linux_virtual_machine')).toMatchObject({ change_type: 'modified', account_id: AZ_SUB });
    expect(azure.find((r) => r.resource_address === 'azurerm_network_security_group.mynsg')).toMatchObject({ change_type: 'modified' });
    expect(byProvider('aws')).toHaveLength(1);
    expect(single.summary.drifts).toBe(6);
    expect(new Set(single.records.map((r) => r.drift_id)).size).toBe(6);

    // The later parts folded into the operation in the provider (not_mutating), not dropped as repeats by the ledger:
    // 3 GCP `last` entries, the Azure Started entries (never reported alone) and one of each Accepted/Succeeded pair.
    expect(single.summary.byReason.not_mutating).toBe(3 + 2 + 2);
    // The second copy of the CloudTrail call is the only repeat the ledger drops.
    expect(single.summary.byReason.duplicate_open_drift).toBe(1);
  });
});
