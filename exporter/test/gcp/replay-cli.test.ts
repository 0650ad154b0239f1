import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateDriftRecord, type DriftRecord } from '../../src/model/drift.js';
import { CORPUS, runCli } from '../helpers/cli.js';
import { AZURE_FIXTURES, GCP_FIXTURES } from './scenario.js';

function lines(stdout: string): DriftRecord[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as DriftRecord);
}

describe('tfdrift replay (built CLI) with GCP and Azure records', () => {
  it('GCP: LogEntry files and a directory → drift records on stdout only, bad entries named on stderr (exit 2)', async () => {
    const res = await runCli([
      'replay', '--state', path.join(GCP_FIXTURES, 'states/firewall.tfstate'), '--state', path.join(GCP_FIXTURES, 'states/instances.tfstate'),
      '--events', path.join(GCP_FIXTURES, 'firewall-opened.json'), path.join(CORPUS, 'gcp/plaso'), '--fail-on-drift',
    ]);
    expect(res.stderr).toMatch(/tfdrift replay: /);
    const records = lines(res.stdout);
    for (const r of records) expect(validateDriftRecord(r)).toEqual([]);
    expect(records.map((r) => `${r.change_type} ${r.resource_type} ${r.resource_id}`)).toEqual(expect.arrayContaining([
      'modified google_compute_firewall projects/test-project-123456/global/firewalls/firewall-create',
      'unmanaged google_compute_instance projects/fake-project/zones/us-central1-a/instances/instance-1',
    ]));
    // Two non-audit LogEntries in the plaso file are named on stderr: exit 2 (bad input) wins over 3.
    expect(res.stderr).toMatch(/gcp_logging\.jsonl: line \d+: GCP LogEntry has no protoPayload/);
    expect(res.code).toBe(2);
  });

  it('Azure: a REST list file → one drift, exit 3 with --fail-on-drift; the router trap state stays silent for GCP', async () => {
    const azure = await runCli(['replay', '--state', path.join(AZURE_FIXTURES, 'states/prod.tfstate'), '--events', path.join(AZURE_FIXTURES, 'rest-nsg-rule.json'), '--fail-on-drift']);
    expect(azure.code).toBe(3);
    const records = lines(azure.stdout);
    expect(records).toHaveLength(1);
    expect(validateDriftRecord(records[0])).toEqual([]);
    expect(records[0]).toMatchObject({ provider: 'azure', change_type: 'modified', resource_address: 'azurerm_network_security_group.mynsg' });

    const trap = await runCli([
      'replay', '--state', path.join(CORPUS, 'tfstate/driftctl/google_compute_router.tfstate'), '--events', path.join(CORPUS, 'gcp/cloud-custodian/router-create.json'), '--fail-on-drift',
    ]);
    expect(trap.stdout).toBe('');
    expect(trap.code).toBe(0);
  });
});
