import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateDriftRecord, type DriftRecord } from '../../src/model/drift.js';
import { azureProvider } from '../../src/providers/azure/adapter.js';
import { auditEventFromActivityRecord } from '../../src/providers/azure/record.js';
import { CORPUS } from '../helpers/cli.js';
import { AZURE_FIXTURES, eventsFile, readJson, replay } from '../gcp/scenario.js';

const STATE = path.join(AZURE_FIXTURES, 'states/prod.tfstate');
const SUB = '12345678-1234-1234-1234-123456789abc';

type Rec = Record<string, unknown>;
const panther = (): Rec[] => readJson<{ records: Rec[] }>(path.join(CORPUS, 'azure/panther-analysis/panther_azure_monitoractivity_rule_tests.json')).records;
const find = (op: RegExp, resource: RegExp): Rec[] => panther().filter((r) => typeof r.operationName === 'string' && op.test(r.operationName) && resource.test(String(r.resourceId)));

function valid(records: DriftRecord[]): DriftRecord[] {
  for (const r of records) expect(validateDriftRecord(r)).toEqual([]);
  return records;
}

describe('Azure scenarios: real activity records against a state written to match them', () => {
  it('NSG rule added (diagnostic-settings export) → the managed NSG modified, matched case-insensitively', async () => {
    const recs = find(/^Microsoft\.Network\/networkSecurityGroups\/securityRules\/write$/, /\/mynsg\/securityRules\/AllowRDP$/);
    expect(recs).toHaveLength(1);
    const { records } = await replay([STATE], [eventsFile(recs)]);
    valid(records);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      change_type: 'modified', provider: 'azure', account_id: SUB, resource_type: 'azurerm_network_security_group',
      resource_address: 'azurerm_network_security_group.mynsg', source_ip: '4.4.4.4',
      event: { name: 'Microsoft.Network/networkSecurityGroups/securityRules/write', source: 'Microsoft.Network', time: '2024-12-17T14:00:00Z' },
    });
    expect(records[0].changes).toEqual([
      {
        detail: null,
        attribute: 'security_rule',
        expected: ['AllowHTTPS: Allow Inbound Tcp 443 from 10.0.0.0/8 to * (priority 100)'],
        actual: ['AllowHTTPS: Allow Inbound Tcp 443 from 10.0.0.0/8 to * (priority 100)', 'AllowRDP'],
      },
    ]);
  });

  it('NSG rule added (REST shape: Started, Accepted, Succeeded under one correlation ID) → one drift, reported at the Accepted EndRequest, with the rule as written', async () => {
    const { records, summary } = await replay([STATE], [path.join(AZURE_FIXTURES, 'rest-nsg-rule.json')]);
    valid(records);
    expect(summary.records).toBe(3);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      change_type: 'modified', resource_address: 'azurerm_network_security_group.mynsg', user: { name: 'alice@contoso.com', type: 'User' },
      source_ip: '203.0.113.42', event: { time: '2026-03-29T10:15:06.234Z' },
    });
    expect(records[0].changes[0].actual).toContain('AllowSSH-Internet: Allow Inbound Tcp 22 from * to * (priority 110)');
  });

  it('storage account deleted → missing; the duplicate record of the same correlation ID is folded', async () => {
    const recs = find(/^Microsoft\.Storage\/storageAccounts\/delete$/i, /\/myresourcegroup\/providers\/Microsoft\.Storage\/storageAccounts\/mystorageaccount$/);
    expect(recs.length).toBeGreaterThanOrEqual(3);
    const dupes = recs.filter((r) => r.correlationId === 'd4e5f6a7-b8c9-0123-def0-444444444444');
    expect(dupes).toHaveLength(2);
    const { records } = await replay([STATE], [eventsFile(dupes)]);
    valid(records);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      change_type: 'missing', resource_type: 'azurerm_storage_account', resource_address: 'azurerm_storage_account.main',
      resource_id: `/subscriptions/${SUB}/resourceGroups/myresourcegroup/providers/Microsoft.Storage/storageAccounts/mystorageaccount`,
    });
  });

  it('VM created outside Terraform → unmanaged', async () => {
    const recs = find(/^Microsoft\.Compute\/virtualMachines\/write$/, /\/myresourcegroup\/providers\/Microsoft\.Compute\/virtualMachines\/myvm$/);
    expect(recs).toHaveLength(1);
    const { records } = await replay([STATE], [eventsFile(recs)]);
    valid(records);
    expect(records).toMatchObject([
      { change_type: 'unmanaged', resource_type: 'azurerm_linux_virtual_machine', resource_address: null, state_source: null, account_id: SUB, region: 'westus', source_ip: '203.0.113.75' },
    ]);
  });

  it('role assignment written → the managed one modified (new principal), an unknown one unmanaged', async () => {
    const recs = find(/^Microsoft\.Authorization\/roleAssignments\/write$/, /roleAssignments\/(a1b2c3d4|c3d4e5f6)/);
    expect(recs).toHaveLength(2);
    const { records } = await replay([STATE], [eventsFile(recs)]);
    valid(records);
    const managed = records.find((r) => r.change_type === 'modified');
    expect(managed).toMatchObject({ resource_type: 'azurerm_role_assignment', resource_address: 'azurerm_role_assignment.owner' });
    expect(managed?.changes).toEqual([{ detail: null, attribute: 'principal_id', expected: '0b1e4d2c-5a6f-4e7d-8c9b-a0b1c2d3e4f5', actual: '770797c4-e05a-43f9-bda2-1f1f379987ae' }]);
    expect(records.find((r) => r.change_type === 'unmanaged')).toMatchObject({
      resource_type: 'azurerm_role_assignment', resource_id: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments/c3d4e5f6-a7b8-9012-cdef-111111111111`,
    });
    expect(records).toHaveLength(2);
  });

  it('failed, started and read records are never drift', async () => {
    const failed = panther().filter((r) => r.resultType === 'Failed');
    expect(failed.length).toBeGreaterThan(0);
    const plaso = readFileSync(path.join(CORPUS, 'azure/plaso/azure_activity_log.jsonl'), 'utf8');
    const { records } = await replay([STATE], [eventsFile(failed), path.join(CORPUS, 'azure/plaso/azure_activity_log.jsonl')]);
    expect(records).toEqual([]);
    expect(plaso).toContain('"Started"');
  });
});

describe('Azure record shapes', () => {
  it('reads the Python SDK snake_case shape', () => {
    const line = readFileSync(path.join(CORPUS, 'azure/plaso/azure_activity_log.jsonl'), 'utf8').split('\n')[0];
    const e = auditEventFromActivityRecord(JSON.parse(line));
    expect(e).toMatchObject({
      provider: 'azure', eventName: 'Microsoft.Compute/disks/delete', eventSource: 'Microsoft.Compute', sourceIp: '1.2.3.4',
      accountId: '12345678-9abc-defg-hijk-lmnopqrstuvw', eventId: '587eda65-125e-48c2-9b04-ab5e8d3a1d8e',
      principal: { name: '12345678-9abc-defg-hijk-lmnopqrstuvw', type: 'ServicePrincipal' },
    });
    expect(e.extra).toMatchObject({ status: 'started', correlation_id: 'c0c54eb6-3a17-42e2-b6f6-37484ac276c4', http_method: 'DELETE' });
    expect(azureProvider().resolve(e)).toEqual({ status: 'ignored', reason: 'not_mutating' });
  });

  it('matches operation names case-insensitively (MICROSOFT.STORAGE/STORAGEACCOUNTS/DELETE)', () => {
    const rec = panther().find((r) => r.operationName === 'MICROSOFT.STORAGE/STORAGEACCOUNTS/DELETE');
    const p = azureProvider();
    const e = p.fromRecord(rec);
    expect(e.eventSource).toBe('Microsoft.Storage');
    const res = p.resolve(e);
    expect(res.status).toBe('mapped');
  });
});
