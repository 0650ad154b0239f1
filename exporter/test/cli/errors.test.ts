import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError, EXIT, formatError, fsErrorParts, reportError } from '../../src/cli/exit.js';
import { runCliInProcess } from '../helpers/cli.js';

const tmp = (): string => mkdtempSync(path.join(os.tmpdir(), 'tfdrift-errors-'));

describe('the one error style: tfdrift: <where>: <what> (<hint>)', () => {
  it('formats every part, and leaves out the ones not given', () => {
    expect(formatError({ where: 'a.json:3', what: 'invalid JSON', hint: 'one JSON object per line' })).toBe('tfdrift: a.json:3: invalid JSON (one JSON object per line)');
    expect(formatError({ what: 'no states' })).toBe('tfdrift: no states');
    expect(new CliError({ where: '--state', what: 'missing' }).message).toBe('--state: missing');
  });

  it('names Node file-system errors in words, by the path the user gave', () => {
    let err: unknown;
    try {
      // A directory read as a file: Node says "EISDIR: illegal operation on a directory, read".
      readFileSync(os.tmpdir());
    } catch (e) {
      err = e;
    }
    expect(fsErrorParts(err, 'events/')).toEqual({ where: 'events/', what: 'is a directory', hint: 'expected a file' });
    const missing = path.join(tmp(), 'gone.json');
    const lines: string[] = [];
    try {
      readFileSync(missing);
    } catch (e) {
      expect(reportError(e, (t) => lines.push(t))).toBe(EXIT.badInput);
    }
    expect(lines).toEqual([`tfdrift: ${missing}: no such file or directory (check the path)\n`]);
  });

  it('prints each configuration problem once, on its own line, exit 2', () => {
    const lines: string[] = [];
    const err = Object.assign(new Error('invalid configuration:\n  a\n  b'), { name: 'ConfigError', problems: ['c.yaml: states.0.path: required', 'c.yaml: outputs.lokki: unknown key'] });
    expect(reportError(err, (t) => lines.push(t))).toBe(EXIT.badInput);
    expect(lines.join('')).toBe('tfdrift: c.yaml: states.0.path: required\ntfdrift: c.yaml: outputs.lokki: unknown key\n');
  });

  it('an unexpected error is exit 1', () => {
    expect(reportError(new TypeError('x is undefined'), () => undefined)).toBe(EXIT.error);
  });
});

describe('argument-parser errors in the one style, exit 2', () => {
  it.each([
    [['config', 'check'], "tfdrift: config check: required option '-c, --config <file>' not specified (see tfdrift config check --help)\n"],
    [['config', 'check', '--config'], "tfdrift: config check: option '-c, --config <file>' argument missing (see tfdrift config check --help)\n"],
    [['config', 'check', '-c', 'x.yaml', '--prnt'], "tfdrift: config check: unknown option '--prnt' (did you mean --print? see tfdrift config check --help)\n"],
    [['confg'], "tfdrift: unknown command 'confg' (did you mean config? see tfdrift --help)\n"],
    [['state', 'inspect'], "tfdrift: state inspect: required option '-s, --state <src>' not specified (see tfdrift state inspect --help)\n"],
    [['coverage', 'extra'], "tfdrift: coverage: too many arguments for 'coverage'. Expected 0 arguments but got 1 (see tfdrift coverage --help)\n"],
  ])('tfdrift %j', async (args, message) => {
    const r = await runCliInProcess(args);
    expect(r.stderr).toBe(message);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
  });

  it('a command group without its subcommand shows its help, then one error line', async () => {
    const r = await runCliInProcess(['config']);
    expect(r.stderr).toContain('Usage: tfdrift config');
    expect(r.stderr.endsWith('tfdrift: config: a command is required (see tfdrift config --help)\n')).toBe(true);
    expect(r.code).toBe(2);
  });

  it('--help and --version go to stdout, exit 0; --help documents the exit codes', async () => {
    const help = await runCliInProcess(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes \(all commands\):\n {2}0 {2}everything was read/);
    expect(help.stdout).toContain('3  drift found and --fail-on-drift');
    const version = await runCliInProcess(['--version']);
    expect(version).toEqual({ code: 0, stdout: `${(await import('../../src/version.js')).VERSION}\n`, stderr: '' });
  });
});

describe('tfdrift config check: missing, directory, empty', () => {
  it('a missing file', async () => {
    const file = path.join(tmp(), 'nope.yaml');
    const r = await runCliInProcess(['config', 'check', '--config', file]);
    expect(r).toEqual({ code: 2, stdout: '', stderr: `tfdrift: ${file}: no such file or directory (check the path)\n` });
  });

  it('a directory', async () => {
    const dir = tmp();
    const r = await runCliInProcess(['config', 'check', '--config', dir]);
    expect(r).toEqual({ code: 2, stdout: '', stderr: `tfdrift: ${dir}: is a directory (pass the YAML configuration file, e.g. config.example.yaml)\n` });
  });

  it('an empty file names what is missing', async () => {
    const file = path.join(tmp(), 'empty.yaml');
    writeFileSync(file, '');
    const r = await runCliInProcess(['config', 'check', '--config', file]);
    expect(r).toEqual({ code: 2, stdout: '', stderr: `tfdrift: ${file}: the file is empty: no states are configured (add at least one entry under states:, see config.example.yaml)\n` });
  });

  it('a file of comments only, or without states, names states', async () => {
    const file = path.join(tmp(), 'comments.yaml');
    writeFileSync(file, '# nothing yet\nserver:\n  listen: "127.0.0.1:9464"\n');
    const r = await runCliInProcess(['config', 'check', '--config', file]);
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: `tfdrift: ${file}: no states are configured (add at least one entry under states: (name, backend, provider, account_id), see config.example.yaml)\n`,
    });
  });

  it('a valid file: one line, plural right', async () => {
    const dir = tmp();
    const file = path.join(dir, 'one.yaml');
    writeFileSync(file, 'states:\n  - name: prod\n    backend: local\n    path: ./terraform.tfstate\n    provider: aws\n    account_id: "123456789012"\n');
    const r = await runCliInProcess(['config', 'check', '--config', file]);
    expect(r).toEqual({ code: 0, stdout: '', stderr: `${file}: configuration is valid (1 state source)\n` });
  });
});

describe('tfdrift run and demo: bad arguments before anything starts', () => {
  it('run with a missing, directory or empty configuration', async () => {
    const dir = tmp();
    const empty = path.join(dir, 'empty.yaml');
    writeFileSync(empty, '');
    expect(await runCliInProcess(['run', '--config', path.join(dir, 'nope.yaml')])).toEqual({
      code: 2,
      stdout: '',
      stderr: `tfdrift: ${path.join(dir, 'nope.yaml')}: no such file or directory (check the path)\n`,
    });
    expect((await runCliInProcess(['run', '--config', dir])).stderr).toBe(`tfdrift: ${dir}: is a directory (pass the YAML configuration file, e.g. config.example.yaml)\n`);
    expect((await runCliInProcess(['run', '--config', empty])).stderr).toBe(
      `tfdrift: ${empty}: the file is empty: no states are configured (add at least one entry under states:, see config.example.yaml)\n`,
    );
  });

  it('demo with an unknown --output', async () => {
    expect(await runCliInProcess(['demo', '--output', 'xml'])).toEqual({ code: 2, stdout: '', stderr: 'tfdrift: --output: expected jsonl or pretty, got "xml"\n' });
  });
});
