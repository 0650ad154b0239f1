import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { validateDriftRecord, type DriftRecord } from '../../src/model/drift.js';
import { CORPUS, DEMO_EVENTS, DEMO_STATES, runCli } from '../helpers/cli.js';

const demoStates = readdirSync(DEMO_STATES).map((f) => path.join(DEMO_STATES, f));

function records(stdout: string): DriftRecord[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as DriftRecord);
}

describe('tfdrift replay', () => {
  it('prints one contract-conformant record per drift, and nothing else, on stdout', async () => {
    const r = await runCli(['replay', '--state', ...demoStates, '--events', DEMO_EVENTS, '--output', 'jsonl']);
    expect(r.code).toBe(0);
    const out = records(r.stdout);
    expect(out.length).toBeGreaterThanOrEqual(8);
    for (const rec of out) expect(validateDriftRecord(rec)).toEqual([]);
    const byKind = (t: string) => out.filter((x) => x.change_type === t).map((x) => `${x.resource_type} ${x.resource_id}`);
    expect(byKind('missing')).toEqual(['aws_cloudtrail stratus-red-team-cloudtraild-trail-kvrwohmiai']);
    // The mapping tables grow; these two must be among the unmanaged whatever else is mapped.
    expect(byKind('unmanaged')).toEqual(expect.arrayContaining(['aws_iam_role stratus-red-team-malicious-iam-role', 'aws_iam_user malicious-iam-user']));
    const sg = out.find((x) => x.resource_type === 'aws_security_group')!;
    expect(sg).toMatchObject({
      change_type: 'modified', severity: 'critical', account_id: '032092706103', region: 'us-northeast-1r',
      resource_address: 'module.network.aws_security_group.web', user: { name: 'christophe', type: 'IAMUser' },
      event: { name: 'AuthorizeSecurityGroupIngress', source: 'ec2.amazonaws.com', time: '2024-08-01T12:23:55Z' },
    });
    expect(sg.changes).toEqual([
      { detail: null, attribute: 'ingress', expected: ['tcp 443 from 10.0.0.0/8'], actual: ['tcp 22 from 208.236.235.254/0', 'tcp 443 from 10.0.0.0/8'] },
    ]);
    expect(r.stderr).toMatch(/tfdrift replay: 8 file\(s\), 13 records: \d+ with drift \(\d+ drift record\(s\)\)/);
  });

  it('never prints a sensitive state value', async () => {
    const r = await runCli(['replay', '--state', ...demoStates, '--events', DEMO_EVENTS]);
    expect(r.stdout + r.stderr).not.toContain('demo-secret-never-logged');
  });

  it('exits 3 with --fail-on-drift when drift was found, 0 when none', async () => {
    const r = await runCli(['replay', '--state', ...demoStates, '--events', DEMO_EVENTS, '--fail-on-drift']);
    expect(r.code).toBe(3);
    const none = await runCli(['replay', '--state', ...demoStates, '--events', path.join(CORPUS, 'cloudtrail/plaso'), '--fail-on-drift']);
    expect(none.stdout).toBe('');
    expect(none.code).toBe(0);
  });

  it('names the file and record of bad input, processes the rest, and exits 2 at the end', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-replay-'));
    const good = readdirSync(DEMO_EVENTS).find((f) => f.startsWith('03-'))!;
    writeFileSync(path.join(dir, 'a-bad.jsonl'), '{"eventName": "StopLogging"\n{"foo": 1}\n');
    writeFileSync(path.join(dir, 'b-good.json.gz'), gzipSync(readFileSync(path.join(DEMO_EVENTS, good))));
    const r = await runCli(['replay', '--state', ...demoStates, '--events', dir]);
    expect(r.stderr).toContain(`${path.join(dir, 'a-bad.jsonl')}: line 1: invalid JSON`);
    expect(r.stderr).toContain(`${path.join(dir, 'a-bad.jsonl')}: line 2: not a recognised audit record`);
    expect(records(r.stdout).map((x) => x.event.name)).toEqual(['StopLogging']);
    expect(r.code).toBe(2);
  });

  it('rejects an unknown --format with the allowed values', async () => {
    const r = await runCli(['replay', '--state', demoStates[0], '--events', DEMO_EVENTS, '--format', 'xml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--format: expected one of auto, cloudtrail, falco, gcp, azure');
  });

  it('reads every CloudTrail file of the shared corpus without crashing', async () => {
    const r = await runCli(['replay', '--state', ...demoStates, '--events', path.join(CORPUS, 'cloudtrail')]);
    expect(r.code === 0 || r.code === 2).toBe(true);
    expect(r.stderr).not.toMatch(/TypeError|ReferenceError|at .*\.js:\d+/);
    const summary = /(\d+) file\(s\), (\d+) records: (\d+) with drift \((\d+) drift record\(s\)\), (\d+) without drift, (\d+) bad/.exec(r.stderr);
    expect(summary).not.toBeNull();
    const [, files, recs, drifts, , none, bad] = summary!.map(Number);
    expect(files).toBe(64);
    expect(recs).toBeGreaterThanOrEqual(800);
    expect(drifts + none + bad).toBe(recs);
    for (const rec of records(r.stdout)) expect(validateDriftRecord(rec)).toEqual([]);
  });
});

import { readFileSync } from 'node:fs';
