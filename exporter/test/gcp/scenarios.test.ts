import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateDriftRecord, type DriftRecord } from '../../src/model/drift.js';
import { gcpProvider } from '../../src/providers/gcp/adapter.js';
import { auditEventFromLogEntry, gcpFalcoAlertFromLogEntry } from '../../src/providers/gcp/record.js';
import { CORPUS } from '../helpers/cli.js';
import { GCP_FIXTURES, eventsFile, pantherGcp, plasoGcp, readJson, replay } from './scenario.js';

const STATES = path.join(GCP_FIXTURES, 'states');

function valid(records: DriftRecord[]): DriftRecord[] {
  for (const r of records) expect(validateDriftRecord(r)).toEqual([]);
  return records;
}

describe('GCP scenarios: real audit records against states written to match them', () => {
  it('firewall opened to the world from the console → modified, with allow and source_ranges', async () => {
    const { records } = await replay([path.join(STATES, 'firewall.tfstate')], [path.join(GCP_FIXTURES, 'firewall-opened.json')]);
    valid(records);
    expect(records).toHaveLength(1);
    const [r] = records;
    expect(r).toMatchObject({
      change_type: 'modified', provider: 'gcp', account_id: 'test-project-123456', resource_type: 'google_compute_firewall',
      resource_id: 'projects/test-project-123456/global/firewalls/firewall-create', resource_address: 'google_compute_firewall.web',
      user: { name: 'user@domain.com' }, source_ip: '12.12.12.12', event: { name: 'v1.compute.firewalls.patch', source: 'compute.googleapis.com' },
    });
    const byAttr = Object.fromEntries(r.changes.map((c) => [c.attribute, c]));
    expect(byAttr.allow).toEqual({ detail: null, attribute: 'allow', expected: ['tcp:443'], actual: ['tcp:22'] });
    expect(byAttr.source_ranges).toEqual({ detail: null, attribute: 'source_ranges', expected: ['10.0.0.0/8'], actual: ['0.0.0.0/0'] });
  });

  it('the real firewalls.patch record (deny all) is a modified deny', async () => {
    const { records } = await replay([path.join(STATES, 'firewall.tfstate')], [eventsFile([pantherGcp(46)])]);
    valid(records);
    expect(records.map((r) => r.changes)).toEqual([[{ detail: null, attribute: 'deny', expected: [], actual: ['all:all'] }]]);
  });

  it('instance created outside Terraform → unmanaged, one record, named by its full path', async () => {
    const inserts = plasoGcp((r) => {
      const p = r.protoPayload as { methodName?: string; resourceName?: string } | undefined;
      return p?.methodName === 'beta.compute.instances.insert' && (r.operation as { first?: boolean } | undefined)?.first === true && String(p.resourceName).includes('instance-1');
    });
    expect(inserts).toHaveLength(1);
    const { records } = await replay([path.join(STATES, 'instances.tfstate')], [eventsFile(inserts)]);
    valid(records);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      change_type: 'unmanaged', resource_type: 'google_compute_instance', resource_address: null, state_source: null,
      resource_id: 'projects/fake-project/zones/us-central1-a/instances/instance-1', account_id: 'fake-project', region: 'us-central1',
      user: { name: 'fakeemailxyz@gmail.com' },
    });
  });

  it('instance deleted → missing (the completion entry of the delete operation)', async () => {
    const { records } = await replay([path.join(STATES, 'instances.tfstate')], [eventsFile([pantherGcp(126)])]);
    valid(records);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      change_type: 'missing', resource_type: 'google_compute_instance', resource_address: 'google_compute_instance.instance3',
      resource_id: 'projects/western-verve-225918/zones/europe-north1-a/instances/instance-3', event: { time: '2020-05-15T17:55:19.303Z' },
    });
  });

  it('instance metadata: ssh-keys added from the console → modified, naming the key (GCE logs key names, not values)', async () => {
    const { records } = await replay([path.join(STATES, 'instances.tfstate')], [eventsFile([pantherGcp(24)])]);
    valid(records);
    expect(records).toMatchObject([
      {
        change_type: 'modified', resource_address: 'google_compute_instance.example',
        resource_id: 'projects/example-project/zones/us-central1-f/instances/example-instance',
        changes: [{ detail: null, attribute: 'metadata.ssh-keys', expected: null, actual: '(changed; value not in the audit log)' }],
      },
    ]);
  });

  it('instance labels replaced (setLabels with the labels in the request) → modified labels', async () => {
    const rec = pantherGcp(24) as { protoPayload: Record<string, unknown>; metadata?: unknown };
    const setLabels = {
      ...rec,
      protoPayload: { ...rec.protoPayload, methodName: 'v1.compute.instances.setLabels', metadata: undefined,
        request: { '@type': 'type.googleapis.com/compute.instances.setLabels', labels: { env: 'dev', owner: 'mallory' }, labelFingerprint: 'e6W3GgxHNO0=' } },
    };
    const { records } = await replay([path.join(STATES, 'instances.tfstate')], [eventsFile([setLabels])]);
    valid(records);
    expect(records.map((r) => r.changes)).toEqual([[{ detail: null, attribute: 'labels', expected: { env: 'prod', team: 'web' }, actual: { env: 'dev', owner: 'mallory' } }]]);
  });

  it('bucket IAM member added (policyDelta ADD allUsers) → modified binding members', async () => {
    const { records } = await replay([path.join(STATES, 'bucket-iam.tfstate')], [eventsFile([pantherGcp(53)])]);
    valid(records);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      change_type: 'modified', resource_type: 'google_storage_bucket_iam_binding', resource_address: 'google_storage_bucket_iam_binding.viewers',
      changes: [{ detail: null, attribute: 'members', expected: ['group:readers@example.com'], actual: ['allUsers', 'group:readers@example.com'] }],
    });
  });

  it('bucket IAM member added where no binding is managed → unmanaged google_storage_bucket_iam_member', async () => {
    const { records } = await replay([path.join(STATES, 'bucket-iam.tfstate')], [eventsFile([{ ...pantherGcp(53), protoPayload: { ...(pantherGcp(53).protoPayload as object), serviceData: { policyDelta: { bindingDeltas: [{ action: 'ADD', role: 'roles/storage.admin', member: 'user:mallory@example.com' }] } } } }])]);
    valid(records);
    expect(records).toMatchObject([{ change_type: 'unmanaged', resource_type: 'google_storage_bucket_iam_member', resource_id: 'b/jacks-test-bucket/roles/storage.admin/user:mallory@example.com' }]);
  });

  it('the same records as gcpaudit 0.8.1 alerts (request/policyDelta arrive empty) name the resource and the actor, never the attribute values', async () => {
    const entries = [readJson<Record<string, unknown>>(path.join(GCP_FIXTURES, 'firewall-opened.json')), pantherGcp(53)];
    const alerts = entries.map((r) => gcpFalcoAlertFromLogEntry(r));
    // What the plugin's GetStringBytes makes of the JSON object / array fields.
    expect(alerts.map((a) => (a.output_fields as Record<string, string>)['gcp.request'])).toEqual(['', '<NA>']);
    expect((alerts[1].output_fields as Record<string, string>)['gcp.policyDelta']).toBe('');
    const states = [path.join(STATES, 'firewall.tfstate'), path.join(STATES, 'bucket-iam.tfstate')];
    const direct = await replay(states, [path.join(GCP_FIXTURES, 'firewall-opened.json'), eventsFile([pantherGcp(53)])]);
    const viaFalco = await replay(states, [eventsFile(alerts)]);
    const firewall = viaFalco.records.find((r) => r.resource_type === 'google_compute_firewall')!;
    expect(firewall).toMatchObject({ change_type: 'modified', resource_address: 'google_compute_firewall.web', user: { name: 'user@domain.com' }, falco: { rule: 'Terraform drift: GCP write' } });
    expect(firewall.changes.filter((c) => c.actual !== null && c.actual !== undefined)).toEqual([]);
    // The full entry gives the members change; through Falco the binding's members are never seen.
    expect(direct.records.flatMap((r) => r.changes.map((c) => c.attribute))).toContain('members');
    expect(viaFalco.records.flatMap((r) => r.changes.map((c) => c.attribute))).not.toContain('members');
    expect(viaFalco.records.map((r) => r.user.name).sort()).toEqual(direct.records.map((r) => r.user.name).sort());
  });

  describe('the router trap: same name and region, another project', () => {
    const trapState = path.join(CORPUS, 'tfstate/driftctl/google_compute_router.tfstate');
    const trapEvent = path.join(CORPUS, 'gcp/cloud-custodian/router-create.json');

    it('router-create in mitrop-custodian produces no drift against cloudskiff-dev-raphael state', async () => {
      const { records, summary } = await replay([trapState], [trapEvent]);
      expect(records).toEqual([]);
      expect(summary.byReason).toMatchObject({ no_state_for_account: 1 });
    });

    it('lookups use the full path, never the bare name', () => {
      const provider = gcpProvider();
      const res = provider.resolve(auditEventFromLogEntry(readJson(trapEvent)));
      expect(res.status).toBe('mapped');
      if (res.status !== 'mapped') return;
      const lookups = res.changes.flatMap((c) => c.candidates.map((k) => k.lookup));
      expect(lookups.length).toBeGreaterThan(0);
      for (const l of lookups) {
        expect(l.field === 'id' || l.field === 'self_link').toBe(true);
        expect(l.value).toContain('projects/mitrop-custodian/regions/us-central1/routers/test-router-2');
      }
    });

    it('a delete of the other project’s router is not reported as router-2 missing, even with the project filter off', async () => {
      const del = readJson<{ protoPayload: { methodName: string } }>(trapEvent);
      del.protoPayload.methodName = 'v1.compute.routers.delete';
      const { records } = await replay([trapState], [eventsFile([del])], 'gcp');
      expect(records).toEqual([]);
    });
  });
});
