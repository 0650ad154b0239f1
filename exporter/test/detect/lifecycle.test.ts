import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateDriftRecord } from '../../src/model/drift.js';
import { Harness, SG_ACCOUNT, corpusRecords, openPort22, webSecurityGroup } from './harness.js';

const newRule = { protocol: 'tcp', from_port: 22, to_port: 22, cidr_blocks: ['208.236.235.254/0'], ipv6_cidr_blocks: [], security_groups: [], prefix_list_ids: [], self: false };

const addRule = (doc: { resources: { instances: { attributes: Record<string, unknown> }[] }[] }): void => {
  (doc.resources[0].instances[0].attributes.ingress as unknown[]).push(newRule);
};

describe('drift lifecycle', () => {
  it('the same change twice gives one open drift', async () => {
    const h = await new Harness([{ name: 'net', accountId: SG_ACCOUNT, resources: [webSecurityGroup()] }]).load();
    const [first] = h.replay(openPort22());
    const [second] = h.replay(openPort22());
    expect(first.status).toBe('drift');
    expect(second).toEqual({ status: 'no_drift', reasons: ['duplicate_open_drift'] });
    expect(h.records).toHaveLength(1);
    expect(h.pipeline.ledger.list().map((r) => r.drift_id)).toEqual([h.records[0].drift_id]);
    expect(await h.counter('tfdrift_events_suppressed_total', { reason: 'duplicate_open_drift' })).toBe(1);
    const open = (await h.metrics.registry.getSingleMetric('tfdrift_drifts_open')!.get()).values;
    expect(open).toEqual([{ labels: { provider: 'aws', account_id: SG_ACCOUNT, change_type: 'modified', severity: 'critical' }, value: 1 }]);
  });

  it('a state reload that records the change resolves the drift with the same drift_id', async () => {
    const h = await new Harness([{ name: 'net', accountId: SG_ACCOUNT, resources: [webSecurityGroup()] }]).load();
    h.replay(openPort22());
    const detected = h.records[0];
    // Unrelated reload: still open.
    h.mutate('net', () => {});
    await h.states.reload();
    expect(h.records).toHaveLength(1);
    // The team accepts the rule into code and runs `terraform apply -refresh-only`.
    h.mutate('net', addRule);
    await h.states.reload();
    expect(h.records).toHaveLength(2);
    const resolved = h.records[1];
    expect(resolved).toMatchObject({ event_type: 'terraform_drift_resolved', drift_id: detected.drift_id, change_type: 'modified' });
    expect(resolved.suggested_fix).toMatch(/^Resolved: state now records the changed values/);
    expect(validateDriftRecord(resolved)).toEqual([]);
    expect(h.pipeline.ledger.size).toBe(0);
  });

  it('a Terraform call on the drifted resource (apply reverting it) resolves the drift', async () => {
    const h = await new Harness([{ name: 'net', accountId: SG_ACCOUNT, resources: [webSecurityGroup()] }]).load();
    const [record] = openPort22();
    h.replay([record]);
    const revert = {
      ...record, eventID: 'revert-1', eventName: 'RevokeSecurityGroupIngress',
      userAgent: 'APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.80.0',
    };
    expect(h.replay([revert])).toEqual([{ status: 'no_drift', reasons: ['terraform'] }]);
    expect(h.records.map((r) => r.event_type)).toEqual(['terraform_drift_detected', 'terraform_drift_resolved']);
    expect(h.records[1].suggested_fix).toContain('converged by a Terraform call (RevokeSecurityGroupIngress)');
  });

  it('resolves "unmanaged" when the resource is imported, and "missing" when removed from state', async () => {
    const createUser = corpusRecords('stratus-red-team/aws.persistence.iam-create-admin-user.json', (r) => r.eventName === 'CreateUser');
    const acct = String(createUser[0].recipientAccountId);
    const h = await new Harness([{ name: 'iam', accountId: acct, resources: [{ type: 'aws_iam_user', name: 'ci', attributes: { id: 'ci', arn: `arn:aws:iam::${acct}:user/ci`, name: 'ci' } }] }]).load();
    h.replay(createUser);
    expect(h.records[0]).toMatchObject({ change_type: 'unmanaged', resource_id: 'malicious-iam-user' });
    h.mutate('iam', (doc) =>
      void doc.resources.push({ mode: 'managed', type: 'aws_iam_user', name: 'imported', provider: 'provider["registry.terraform.io/hashicorp/aws"]', instances: [{ attributes: { id: 'malicious-iam-user', name: 'malicious-iam-user' } }] } as never),
    );
    await h.states.reload();
    expect(h.records[1]).toMatchObject({ event_type: 'terraform_drift_resolved', drift_id: h.records[0].drift_id });
    expect(h.records[1].suggested_fix).toContain('now managed by aws_iam_user.imported');

    const del = corpusRecords('stratus-red-team/aws.defense-evasion.cloudtrail-delete.json', (r) => r.eventName === 'DeleteTrail');
    const trailAcct = String(del[0].recipientAccountId);
    const name = (del[0].requestParameters as { name: string }).name;
    const h2 = await new Harness([{ name: 'audit', accountId: trailAcct, resources: [{ type: 'aws_cloudtrail', name: 'main', attributes: { id: name, name, enable_logging: true } }] }]).load();
    h2.replay(del);
    expect(h2.records[0]).toMatchObject({ change_type: 'missing', resource_address: 'aws_cloudtrail.main' });
    h2.mutate('audit', (doc) => void (doc.resources = []));
    await h2.states.reload();
    expect(h2.records[1]).toMatchObject({ event_type: 'terraform_drift_resolved', change_type: 'missing' });
  });

  it('open drifts survive a restart (persisted atomically), so a repeat after restart is not re-alerted', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-ledger-'));
    const file = path.join(dir, 'open-drifts.json');
    const a = await new Harness([{ name: 'net', accountId: SG_ACCOUNT, resources: [webSecurityGroup()] }], {}, file).load();
    a.replay(openPort22());
    await a.pipeline.flush();
    const b = await new Harness([{ name: 'net', accountId: SG_ACCOUNT, resources: [webSecurityGroup()] }], {}, file).load();
    expect(b.pipeline.ledger.list().map((r) => r.drift_id)).toEqual([a.records[0].drift_id]);
    expect(b.replay(openPort22())).toEqual([{ status: 'no_drift', reasons: ['duplicate_open_drift'] }]);
    expect(b.records).toHaveLength(0);
    // and resolution still works after the restart
    b.mutate('net', addRule);
    await b.states.reload();
    expect(b.records.map((r) => r.event_type)).toEqual(['terraform_drift_resolved']);
  });

  it('holds a would-be drift for settle_seconds and drops it when the state upload lands meanwhile', async () => {
    const h = await new Harness([{ name: 'net', accountId: SG_ACCOUNT, resources: [webSecurityGroup()] }], { settle_seconds: 0.05 }).load();
    expect(h.replay(openPort22()).map((o) => o.status)).toEqual(['held']);
    expect(h.records).toHaveLength(0);
    // The apply's state (with the new rule) is uploaded before the hold expires.
    h.mutate('net', addRule);
    await new Promise((r) => setTimeout(r, 80));
    await h.pipeline.settle(true);
    expect(h.records).toHaveLength(0);
    expect(await h.counter('tfdrift_events_suppressed_total', { reason: 'matches_state' })).toBe(1);
    // Without a state change, the held drift is emitted when it is due.
    const h2 = await new Harness([{ name: 'net', accountId: SG_ACCOUNT, resources: [webSecurityGroup()] }], { settle_seconds: 0.01 }).load();
    h2.replay(openPort22());
    await new Promise((r) => setTimeout(r, 50));
    await h2.pipeline.settle(false);
    expect(h2.records.map((r) => r.change_type)).toEqual(['modified']);
  });
});

describe('open-drift persistence', () => {
  it('a drift opened just before a hard kill (no snapshot yet) is still open after restart', async () => {
    const { DriftLedger } = await import('../../src/detect/ledger.js');
    const { readFileSync, existsSync } = await import('node:fs');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-ledger-'));
    const file = path.join(dir, 'open-drifts.json');
    const a = await new Harness([{ name: 'net', accountId: SG_ACCOUNT, resources: [webSecurityGroup()] }], {}, file).load();
    a.replay(openPort22());
    // No flush/save: the journal alone must carry the open drift (as after kill -9).
    expect(readFileSync(`${file}.journal`, 'utf8').trim().split('\n')).toHaveLength(1);
    const b = new DriftLedger(3_600_000, file);
    expect(b.list().map((r) => r.drift_id)).toEqual([a.records[0].drift_id]);
    // Loading folded the journal into the snapshot.
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(`${file}.journal`, 'utf8')).toBe('');
    // A torn last line (crash mid-append) is ignored, the rest kept.
    const { appendFileSync } = await import('node:fs');
    appendFileSync(`${file}.journal`, '{"close":"');
    expect(new DriftLedger(3_600_000, file).size).toBe(1);
  });
});
