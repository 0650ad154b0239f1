/**
 * Prometheus's own tool (promtool, from Debian's prometheus package that .ci/run installs)
 * on the stack's Prometheus files: the recording rules parse and compute what they should,
 * and prometheus.yml loads as the container sees it (container paths mapped to the repo).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import {
  commandArgs,
  flagValue,
  hostPathOf,
  listFiles,
  readText,
  readYaml,
  repoPath,
  type Doc,
} from './stack.js';

const COMPOSE = readYaml('docker-compose.yml');
const PROMETHEUS = COMPOSE.services.prometheus;
const CONFIG_REL = hostPathOf(PROMETHEUS, flagValue(commandArgs(PROMETHEUS), '--config.file')!)!;
const RULE_FILES = listFiles(hostPathOf(PROMETHEUS, '/etc/prometheus/rules')!).filter((f) =>
  /\.ya?ml$/.test(f),
);
const TMP = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-promtool-'));

function promtool(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync('promtool', args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error)
    throw new Error(
      `promtool is needed (Debian package prometheus; .ci/run installs it): ${r.error.message}`,
    );
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('Prometheus files, checked by promtool', () => {
  it('accepts every recording-rule file', () => {
    expect(RULE_FILES.length).toBeGreaterThan(0);
    const { status, out } = promtool('check', 'rules', ...RULE_FILES.map(repoPath));
    expect(status, out).toBe(0);
  });

  it('computes what the recording rules promise (promtool test rules)', () => {
    const test = readText('exporter/test/stack/promtool/recording-rules.test.yml').replace(
      'RULES_FILE',
      repoPath('provisioning/prometheus/rules/tfdrift.rules.yml'),
    );
    const file = path.join(TMP, 'recording-rules.test.yml');
    writeFileSync(file, test);
    const { status, out } = promtool('test', 'rules', file);
    expect(status, out).toBe(0);
  });

  it('loads prometheus.yml with its rule files and credential file as mounted in the container', () => {
    const config: Doc = YAML.parse(readText(CONFIG_REL));
    const toHost = (p: string): string => {
      const secret = /^\/run\/secrets\/(.+)$/.exec(p);
      if (secret) {
        const file = path.join(TMP, secret[1]);
        writeFileSync(file, 'promtool-test-token');
        return file;
      }
      const rel = hostPathOf(PROMETHEUS, p);
      expect(rel, `${p} is not mounted into the prometheus service`).not.toBeNull();
      return repoPath(rel!);
    };
    config.rule_files = (config.rule_files ?? []).map(toHost);
    for (const job of config.scrape_configs ?? []) {
      if (job.authorization?.credentials_file)
        job.authorization.credentials_file = toHost(job.authorization.credentials_file);
    }
    const file = path.join(TMP, 'prometheus.yml');
    writeFileSync(file, YAML.stringify(config));
    const { status, out } = promtool('check', 'config', file);
    expect(status, out).toBe(0);
  });
});
