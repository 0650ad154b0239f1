import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPORTER_DIR, runCliInProcess } from '../helpers/cli.js';

const tmp = (): string => mkdtempSync(path.join(os.tmpdir(), 'tfdrift-inspect-'));
const inspect = (state: string) => runCliInProcess(['state', 'inspect', '--state', state]);

describe('tfdrift state inspect: bad inputs are one line in the error style, exit 2', () => {
  it('a missing file', async () => {
    const file = path.join(tmp(), 'gone.tfstate');
    expect(await inspect(file)).toEqual({ code: 2, stdout: '', stderr: `tfdrift: ${file}: no such file or directory (check the path)\n` });
  });

  it('a directory (not Node\'s raw EISDIR)', async () => {
    const dir = tmp();
    expect(await inspect(dir)).toEqual({ code: 2, stdout: '', stderr: `tfdrift: ${dir}: is a directory (pass a .tfstate file, or a glob such as dir/*.tfstate)\n` });
  });

  it('an empty file', async () => {
    const file = path.join(tmp(), 'empty.tfstate');
    writeFileSync(file, '');
    expect(await inspect(file)).toEqual({ code: 2, stdout: '', stderr: `tfdrift: ${file}: the file is empty (expected Terraform state JSON, e.g. from terraform state pull)\n` });
  });

  it('an unsupported state version, printed once', async () => {
    const file = path.join(tmp(), 'v9.tfstate');
    writeFileSync(file, '{"version": 9, "resources": []}');
    expect(await inspect(file)).toEqual({ code: 2, stdout: '', stderr: `tfdrift: ${file}: unsupported state: format version 9; tfdrift reads state format version 4\n` });
  });

  it('binary data', async () => {
    const file = path.join(tmp(), 'binary.tfstate');
    writeFileSync(file, Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 0]));
    const r = await inspect(file);
    expect(r).toEqual({ code: 2, stdout: '', stderr: `tfdrift: ${file}: not JSON (syntax error at line 1, column 1 (offset 0))\n` });
  });

  it('a bad URI names the option', async () => {
    expect((await inspect('s3://')).stderr).toBe('tfdrift: --state: "s3://": expected s3://bucket/key\n');
  });
});

describe('tfdrift state inspect: counts read right', () => {
  it('one resource is "1 managed resource instance"', async () => {
    const file = path.join(tmp(), 'one.tfstate');
    writeFileSync(
      file,
      JSON.stringify({
        version: 4, terraform_version: '1.9.0', serial: 3, lineage: 'l-1', outputs: {},
        resources: [{ mode: 'managed', type: 'aws_s3_bucket', name: 'logs', provider: 'provider["registry.terraform.io/hashicorp/aws"]', instances: [{ attributes: { id: 'logs-bucket', arn: 'arn:aws:s3:::logs-bucket' } }] }],
      }),
    );
    const r = await inspect(file);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  1 managed resource instance, 0 data source instances skipped\n');
    expect(r.stdout).toMatch(/\n {7}1 {2}aws_s3_bucket\n/);
    expect(r.stderr).toBe('');
  });

  it('--json on stdout', async () => {
    const r = await runCliInProcess(['state', 'inspect', '--state', path.join(EXPORTER_DIR, 'demo/states/network-prod.tfstate'), '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ backend: 'local', flavour: expect.any(String) });
  });
});
