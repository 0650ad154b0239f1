import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_EVENTS, DEMO_STATES } from '../helpers/cli.js';
import { cli } from './helpers.js';

const states = readdirSync(DEMO_STATES).map((f) => path.join(DEMO_STATES, f));
const sgOpen = path.join(DEMO_EVENTS, readdirSync(DEMO_EVENTS).find((f) => f.startsWith('01-'))!);
let dir: string;
const file = (name: string, body: string | Buffer): string => {
  const p = path.join(dir, name);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, body);
  return p;
};
const ct = (over: Record<string, unknown>) => ({
  eventVersion: '1.09', eventTime: '2026-03-29T10:15:08Z', awsRegion: 'us-east-1', recipientAccountId: '032092706103', eventID: over.eventName,
  userIdentity: { type: 'IAMUser', userName: 'alice', arn: 'arn:aws:iam::032092706103:user/alice', accountId: '032092706103' }, readOnly: false, ...over,
});
const summaryLine = (stderr: string) => stderr.split('\n').find((l) => l.startsWith('tfdrift replay:'));

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-replay-cli-'));
});

describe('tfdrift replay: exit codes', () => {
  it('0 when everything was read: unmapped events, read-only and failed calls and unresolvable records are only counted', async () => {
    const events = file('ok/mixed.json', JSON.stringify({ Records: [
      ct({ eventSource: 'widgets.amazonaws.com', eventName: 'CreateWidget' }),
      ct({ eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', readOnly: true }),
      ct({ eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', errorCode: 'UnauthorizedOperation' }),
      ct({ eventSource: 'ec2.amazonaws.com', eventName: 'AuthorizeSecurityGroupIngress', requestParameters: {} }),
      ct({ eventSource: 'ec2.amazonaws.com', eventName: 'TerminateInstances', recipientAccountId: '999999999999', requestParameters: { instancesSet: { items: [{ instanceId: 'i-1' }] } } }),
    ] }));
    const r = await cli(['replay', '--state', ...states, '--events', events]);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').filter((l) => l.startsWith('tfdrift:'))).toEqual([]);
    expect(summaryLine(r.stderr)).toMatch(/^tfdrift replay: 1 file\(s\), 5 records: 0 with drift \(0 drift record\(s\)\), 5 without drift, 0 bad \(/);
    expect(summaryLine(r.stderr)).toContain('unmapped=1');
    expect(summaryLine(r.stderr)).toContain('read_only=1');
    expect(summaryLine(r.stderr)).toContain('failed_call=1');
    expect(summaryLine(r.stderr)).toContain('resource_id_not_found=1');
    expect(r.code).toBe(0);
    expect((await cli(['replay', '--state', ...states, '--events', events, '--strict'])).code).toBe(4);
  });

  it('3 for drift with --fail-on-drift; 4 wins over 3 under --strict; 2 wins over both', async () => {
    expect((await cli(['replay', '--state', ...states, '--events', sgOpen, '--fail-on-drift'])).code).toBe(3);
    expect((await cli(['replay', '--state', ...states, '--events', sgOpen, '--fail-on-drift', '--strict'])).code).toBe(3);
    const unmapped = file('strict/unmapped.json', JSON.stringify(ct({ eventSource: 'widgets.amazonaws.com', eventName: 'CreateWidget' })));
    expect((await cli(['replay', '--state', ...states, '--events', sgOpen, unmapped, '--fail-on-drift', '--strict'])).code).toBe(4);
    const bad = file('strict/bad.jsonl', '{"eventName":\n');
    expect((await cli(['replay', '--state', ...states, '--events', sgOpen, unmapped, bad, '--fail-on-drift', '--strict'])).code).toBe(2);
  });
});

describe('tfdrift replay: each bad input is one line naming it, the rest still read, exit 2', () => {
  it('an empty events file: a warning and exit 2', async () => {
    const r = await cli(['replay', '--state', ...states, '--events', file('empty.json', '')]);
    expect(r.stderr).toContain('tfdrift: --events: no audit records in the input (an empty input exits 2: it usually means a wrong path, prefix or window)\n');
    expect(r.code).toBe(2);
  });

  it('a binary file: one line saying so, no raw bytes on the terminal', async () => {
    const bin = file('photo.json', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), Buffer.alloc(4000, 7)]));
    const r = await cli(['replay', '--state', ...states, '--events', bin, sgOpen]);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('tfdrift: '))).toEqual([`tfdrift: ${bin}: not a text or JSON file (binary content; expected JSON, JSON lines or .json.gz)`]);
    // eslint-disable-next-line no-control-regex
    expect(r.stderr).not.toMatch(/[\u0000-\u0008\u000e-\u001a]/);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.code).toBe(2);
  });

  it('a corrupt .gz and a truncated log file: named, and what could be read is read', async () => {
    const good = (JSON.parse(readFileSync(sgOpen, 'utf8')) as unknown[])[0];
    const gz = gzipSync(JSON.stringify({ Records: [good] }));
    const cut = file('cut/a.json.gz', gz.subarray(0, gz.length - 12));
    const text = JSON.stringify({ Records: [good, ct({ eventSource: 'iam.amazonaws.com', eventName: 'CreateUser' })] });
    const truncated = file('cut/b.json', text.slice(0, text.length - 40));
    const r = await cli(['replay', '--state', ...states, '--events', path.dirname(cut)]);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('tfdrift: '));
    expect(errors).toEqual([
      `tfdrift: ${cut}: corrupt gzip (unexpected end of file)`,
      `tfdrift: ${truncated}: after record 1: invalid JSON: the document ends inside the Records array after 1 record(s) (truncated?)`,
    ]);
    expect(r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { event: { name: string } }).event.name)).toEqual(['AuthorizeSecurityGroupIngress']);
    expect(r.code).toBe(2);
  });

  it('a missing path and a directory of nothing: named, the other inputs read', async () => {
    const r = await cli(['replay', '--state', ...states, '--events', path.join(dir, 'nope'), sgOpen]);
    expect(r.stderr).toContain(`tfdrift: ${path.join(dir, 'nope')}: no such file or directory\n`);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.code).toBe(2);
  });

  it('an unsupported state: the error once, and no warning before it', async () => {
    const v2 = file('v2.tfstate', JSON.stringify({ version: 2, serial: 1, modules: [] }));
    const r = await cli(['replay', '--state', v2, '--events', sgOpen]);
    expect(r.stderr).toBe(
      `tfdrift: --state ${v2}: unsupported state: format version 2; tfdrift reads state format version 4 (Terraform <0.12; run \`terraform apply\` or \`terraform state push\` with Terraform ≥0.12 to upgrade)\n`,
    );
    expect(r.code).toBe(2);
    const missing = await cli(['replay', '--state', path.join(dir, 'none.tfstate'), '--events', sgOpen]);
    expect(missing.stderr).toBe(`tfdrift: --state ${path.join(dir, 'none.tfstate')}: cannot read state file (no such file)\n`);
    expect(missing.code).toBe(2);
  });

  it('bad options: one line each, exit 2', async () => {
    const since = await cli(['replay', '--state', ...states, '--events', sgOpen, '--since', 'yesterday']);
    expect(since.stderr).toBe('tfdrift: --since: "yesterday" is not a time (ISO 8601 such as 2026-03-29T10:00:00Z, or a duration ago such as 24h or 7d)\n');
    expect(since.code).toBe(2);
    const workers = await cli(['replay', '--state', ...states, '--events', sgOpen, '--workers', 'many']);
    expect(workers.stderr).toBe('tfdrift: --workers: expected a whole number ≥ 0, got "many"\n');
    expect(workers.code).toBe(2);
    const window = await cli(['replay', '--state', ...states, '--events', sgOpen, '--since', '2026-03-02T00:00:00Z', '--until', '2026-03-01T00:00:00Z']);
    expect(window.stderr).toBe('tfdrift: --since: is after --until\n');
  });

  it('documents the exit codes in --help', async () => {
    const r = await cli(['replay', '--help']);
    expect(r.stdout).toMatch(/Exit codes:\n {2}0 {2}every input was read[\s\S]* 2 {2}input that could not be read[\s\S]* 3 {2}drift found and --fail-on-drift\n {2}4 {2}unmapped events and --strict/);
  });
});
