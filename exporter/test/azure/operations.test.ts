import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AZURE_FIXTURES, eventsFile, replay, readJson } from '../gcp/scenario.js';
import { stateFile, permutations, subsets } from '../detect/multipart.js';

const SEQUENCE = path.join(AZURE_FIXTURES, 'multipart/vm-write-sequence.jsonl');
const SUB = '12345678-9abc-defg-hijk-lmnopqrstuvw';
const VM_ID = '/subscriptions/12345678-9abc-defg-hijk-lmnopqrstuvw/resourceGroups/test-resource-group/providers/Microsoft.Compute/virtualMachines/test-vm';

type Rec = Record<string, unknown>;
const vmEntries = (): Rec[] => readFileSync(SEQUENCE, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec);
const status = (r: Rec): string => ((r.status as { value?: string } | undefined)?.value ?? '') as string;

/** A state that manages the VM of the plaso records (subscription covered). */
const managed = (): string =>
  stateFile('azurerm', [
    { type: 'azurerm_linux_virtual_machine', name: 'vm', attributes: { id: VM_ID, name: 'test-vm', resource_group_name: 'test-resource-group', size: 'Standard_B1s' } },
  ]);
/** A state of the same subscription that does not hold the VM. */
const other = (): string =>
  stateFile('azurerm', [{ type: 'azurerm_resource_group', name: 'rg', attributes: { id: `/subscriptions/${SUB}/resourceGroups/other`, name: 'other' } }]);

describe('Azure multi-part operations (Started → Accepted → Succeeded): one drift per operation', () => {
  it('every order of every subset: one drift when Accepted or Succeeded arrived, none for Started alone', async () => {
    const entries = vmEntries();
    expect(entries.map(status)).toEqual(['Started', 'Accepted', 'Succeeded']);
    const state = managed();
    let runs = 0;
    for (const subset of subsets(entries)) {
      for (const order of permutations(subset)) {
        const { records } = await replay([state], [eventsFile(order)]);
        const completed = order.some((r) => status(r) !== 'Started');
        expect(records.length, order.map(status).join(' → ')).toBe(completed ? 1 : 0);
        if (completed) {
          expect(records[0]).toMatchObject({ change_type: 'modified', resource_type: 'azurerm_linux_virtual_machine', account_id: SUB });
          expect(records[0].changes.length).toBeGreaterThan(0);
          expect(records[0].changes[0].detail).toMatch(/Microsoft\.Compute\/virtualMachines\/write/);
        }
        runs++;
      }
    }
    expect(runs).toBe(15);
  });

  it('an EndRequest with status Accepted and no later Succeeded is enough (unmanaged VM)', async () => {
    const accepted = vmEntries().filter((r) => status(r) === 'Accepted');
    const { records } = await replay([other()], [eventsFile(accepted)]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ change_type: 'unmanaged', resource_type: 'azurerm_linux_virtual_machine', resource_id: VM_ID.replace('resourceGroups', 'resourcegroups') });
  });

  it('the REST-shape NSG rule write (Started, Accepted, Succeeded) reports once in every order', async () => {
    const rest = readJson<{ value: Rec[] }>(path.join(AZURE_FIXTURES, 'rest-nsg-rule.json')).value;
    for (const order of permutations(rest)) {
      const { records } = await replay([path.join(AZURE_FIXTURES, 'states/prod.tfstate')], [eventsFile(order)]);
      expect(records, order.map(status).join(' → ')).toHaveLength(1);
    }
  });
});
