import { describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';
import { runCli } from '../helpers/cli.js';

// The process boundary is the point here (the bin's own --version path, exit codes as a shell
// sees them), so these spawn the built CLI; the wait is the child's exit, generous under load.
const CHILD = 180_000;

describe('bin/tfdrift.js as a shell runs it', () => {
  it('--version prints the package version alone, exit 0', async () => {
    for (const flag of ['--version', '-V']) expect(await runCli([flag])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  }, CHILD);

  it('a parse error is one line on stderr and exit 2', async () => {
    const r = await runCli(['config', 'check']);
    expect(r).toEqual({ code: 2, stdout: '', stderr: "tfdrift: config check: required option '-c, --config <file>' not specified (see tfdrift config check --help)\n" });
  }, CHILD);
});
