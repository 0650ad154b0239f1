/**
 * exporter/Dockerfile cannot be built here (no Docker engine), so it is linted with
 * dockerfile-utils (the linter behind the VS Code Docker extension), checked against the
 * hadolint-style rules that matter for this image, and its build context is checked against
 * .dockerignore. The HEALTHCHECK command itself is run against a real exporter.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { validate } from 'dockerfile-utils';
import { envKeyToPath } from '../../src/config/load.js';
import { startCli, waitFor } from '../helpers/cli.js';
import {
  ROOT,
  dockerIgnore,
  dockerfileInstructions,
  envPairs,
  exists,
  listenPort,
  readText,
  type Instruction,
} from './stack.js';

const TEXT = readText('exporter/Dockerfile');
const ALL = dockerfileInstructions(TEXT);
const FINAL_STAGE = Math.max(...ALL.map((i) => i.stage));
const finalStage = ALL.filter((i) => i.stage === FINAL_STAGE);
const of = (keyword: string, list: Instruction[] = ALL): Instruction[] =>
  list.filter((i) => i.keyword === keyword);
const ARGS = Object.fromEntries(
  of('ARG').map((i) => [i.args.split('=')[0], i.args.slice(i.args.indexOf('=') + 1)]),
);
const jsonForm = (args: string): string[] => JSON.parse(args) as string[];
const IGNORED = dockerIgnore(readText('.dockerignore'));
/** Files git tracks: what a clone of the repository gives Docker as context. */
const TRACKED = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter(Boolean);

describe('exporter/Dockerfile: lint', () => {
  it('has no problem dockerfile-utils reports, with every optional rule turned on', () => {
    const problems = validate(TEXT, {
      deprecatedMaintainer: 1,
      directiveCasing: 1,
      emptyContinuationLine: 1,
      instructionCasing: 1,
      instructionCmdMultiple: 1,
      instructionEntrypointMultiple: 1,
      instructionHealthcheckMultiple: 1,
      instructionJSONInSingleQuotes: 1,
      instructionWorkdirRelative: 1,
    });
    expect(problems.map((p) => `${p.range.start.line + 1}: ${p.message}`)).toEqual([]);
  });

  it('the linter does catch the mistakes it is trusted with (guard against a silent linter)', () => {
    const bad = validate("FROM node\nWORKDIR app\nCMD ['a']\nCMD x\nEXPOSE abc\n", {
      instructionWorkdirRelative: 1,
      instructionCmdMultiple: 1,
      instructionJSONInSingleQuotes: 1,
    });
    expect(bad.length).toBeGreaterThanOrEqual(4);
  });
});

describe('exporter/Dockerfile: structure', () => {
  it('pins the base image by exact Node 24 LTS version and sha256 digest, and every stage uses it', () => {
    expect(ARGS.NODE_IMAGE).toMatch(/^node:24\.\d+\.\d+-bookworm-slim@sha256:[0-9a-f]{64}$/);
    const stages = of('FROM').map((i) => i.args.split(/\s+AS\s+/i));
    expect(stages.length).toBeGreaterThanOrEqual(3);
    for (const [image] of stages) expect(image).toBe('${NODE_IMAGE}');
    expect(TEXT).not.toMatch(/:latest\b/);
  });

  it('installs from the lock with npm ci at the root (workspaces) and builds inside the image', () => {
    const build = ALL.filter((i) => i.stage === 0);
    const runs = of('RUN', build).map((i) => i.args);
    expect(runs.some((r) => /\bnpm ci\b.*-w exporter/.test(r))).toBe(true);
    expect(runs.some((r) => /npm run build -w exporter/.test(r))).toBe(true);
    // every workspace manifest is present before `npm ci`, or npm rejects the lock
    const workspaces: string[] = JSON.parse(readText('package.json')).workspaces;
    const copied = of('COPY', build).map((i) => i.args);
    for (const ws of workspaces)
      expect(
        copied.some((c) => c.includes(`${ws}/package.json`)),
        ws,
      ).toBe(true);
  });

  it('ships production dependencies only, checked with npm ls', () => {
    const deps = ALL.filter((i) => i.stage === 1);
    const run = of('RUN', deps)
      .map((i) => i.args)
      .join(' ');
    expect(run).toMatch(/npm install --omit=dev/);
    expect(run).toMatch(/npm ls --omit=dev --all/);
    expect(
      of('COPY', finalStage)
        .map((i) => i.args)
        .join('\n'),
    ).toMatch(/--from=deps \S+ \/app\/node_modules/);
    expect(
      of('COPY', finalStage)
        .map((i) => i.args)
        .join('\n'),
    ).not.toMatch(/--from=build \S+ \/app\/node_modules/);
  });

  it('runs as a numeric non-root user with code owned by root', () => {
    const users = of('USER', finalStage).map((i) => i.args);
    expect(users.length).toBeGreaterThan(0);
    const last = users[users.length - 1];
    expect(last).toMatch(/^\d+(:\d+)?$/);
    expect(Number(last.split(':')[0])).toBeGreaterThan(0);
    for (const copy of of('COPY', finalStage))
      expect(copy.args, `line ${copy.line}`).toMatch(/--chown=root:root/);
  });

  it('starts the CLI from the copied bin in exec form, with a config path the compose file mounts', () => {
    const entrypoint = jsonForm(of('ENTRYPOINT', finalStage)[0].args);
    expect(entrypoint).toEqual(['node', '/app/exporter/bin/tfdrift.js']);
    expect(of('COPY', finalStage).some((i) => /\/app\/exporter\/bin\s+\.\/exporter\/bin/.test(i.args))).toBe(
      true,
    );
    const cmd = jsonForm(of('CMD', finalStage)[0].args);
    expect(cmd).toEqual(['run', '--config', '/etc/tfdrift/config.yaml']);
  });

  it('sets only TFDRIFT_* variables that are configuration keys, listening beyond loopback on the exposed port', () => {
    const env = Object.assign({}, ...of('ENV', finalStage).map((i) => envPairs(i.args)));
    for (const name of Object.keys(env).filter((n) => n.startsWith('TFDRIFT_')))
      expect(envKeyToPath(name.slice(8).split('_')), name).not.toBeNull();
    expect(env.TFDRIFT_SERVER_LISTEN).toBe('0.0.0.0:9464');
    expect(of('EXPOSE', finalStage).map((i) => Number(i.args))).toEqual([
      listenPort(env.TFDRIFT_SERVER_LISTEN),
    ]);
    expect(env.NODE_ENV).toBe('production');
  });

  it('has a HEALTHCHECK on /healthz that sends the bearer token', () => {
    const hc = of('HEALTHCHECK', finalStage);
    expect(hc).toHaveLength(1);
    expect(hc[0].args).toMatch(/--interval=\d+s/);
    expect(hc[0].args).toMatch(/\/healthz/);
    expect(hc[0].args).toMatch(/TFDRIFT_SERVER_TOKEN/);
    expect(hc[0].args).toMatch(/Bearer /);
  });
});

describe('exporter/Dockerfile: build context', () => {
  const contextFiles = TRACKED.filter((f) => !IGNORED(f));

  it('every COPY source from the context is tracked by git and not excluded by .dockerignore', () => {
    const sources = of('COPY')
      .filter((i) => !/--from=/.test(i.args))
      .flatMap((i) =>
        i.args
          .replace(/--\S+\s+/g, '')
          .split(/\s+/)
          .slice(0, -1),
      );
    expect(sources.length).toBeGreaterThan(5);
    for (const src of sources) {
      const dir = src.replace(/\/$/, '');
      const present = contextFiles.some((f) => f === dir || f.startsWith(`${dir}/`));
      expect(present, `${src} is missing from the build context`).toBe(true);
    }
  });

  it('keeps what the exporter needs at run time: bin, mappings, bundled demo states and events', () => {
    for (const prefix of [
      'exporter/bin/',
      'exporter/mappings/',
      'exporter/demo/states/',
      'exporter/demo/events/',
      'exporter/src/',
      'proto/',
    ]) {
      const tracked = TRACKED.filter((f) => f.startsWith(prefix));
      expect(tracked.length, prefix).toBeGreaterThan(0);
      for (const f of tracked) expect(IGNORED(f), f).toBe(false);
    }
    expect(IGNORED('exporter/demo/config.yaml')).toBe(false);
    // the gRPC input resolves <repo>/proto from dist/ingest; the image keeps that layout
    expect(readText('exporter/src/ingest/proto.ts')).toContain("'../../../proto'");
    expect(of('COPY', finalStage).some((i) => /^--chown=\S+ proto\/ \.\/proto\/$/.test(i.args))).toBe(true);
    expect(of('WORKDIR', finalStage).map((i) => i.args)).toEqual(['/app']);
  });

  it('keeps secrets, state files, VCS data and build outputs out of the context', () => {
    for (const f of [
      '.env',
      '.git/config',
      'node_modules/x/index.js',
      'exporter/node_modules/a',
      'exporter/dist/index.js',
      'prod.tfstate',
      'infra/terraform.tfstate',
      'home/.aws/credentials',
      'grafana-plugin/src/module.tsx',
    ])
      expect(IGNORED(f), f).toBe(true);
    expect(IGNORED('grafana-plugin/package.json')).toBe(false);
    expect(exists('.dockerignore')).toBe(true);
  });
});

describe('exporter/Dockerfile: the HEALTHCHECK command against a running exporter', () => {
  const script = jsonForm(of('HEALTHCHECK', finalStage)[0].args.replace(/^.*?CMD\s+/, ''));
  const probe = (env: NodeJS.ProcessEnv): number | null =>
    spawnSync(process.execPath, script.slice(1), { env: { PATH: process.env.PATH, ...env }, timeout: 60_000 })
      .status;

  // Waits are on the child's events; the limits only guard against a hang on a busy machine.
  it('exits 0 with the right token and 1 with a wrong or missing one', async () => {
    expect(script[0]).toBe('node');
    const token = 'healthcheck-test-token';
    const child = startCli(['demo', '--listen', '127.0.0.1:0', '--interval', '1000'], {
      TFDRIFT_SERVER_TOKEN: token,
      TFDRIFT_SERVER_LISTEN: '127.0.0.1:0',
    });
    try {
      const [, port] = await waitFor(child.stderr!, /"url":"http:\/\/127\.0\.0\.1:(\d+)"/, 150_000);
      const listen = `0.0.0.0:${port}`;
      expect(probe({ TFDRIFT_SERVER_TOKEN: token, TFDRIFT_SERVER_LISTEN: listen })).toBe(0);
      expect(probe({ TFDRIFT_SERVER_TOKEN: 'wrong', TFDRIFT_SERVER_LISTEN: listen })).toBe(1);
      expect(probe({ TFDRIFT_SERVER_LISTEN: listen })).toBe(1);
    } finally {
      child.kill('SIGTERM');
    }
  }, 300_000);
});
