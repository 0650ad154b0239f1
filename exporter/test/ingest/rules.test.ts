import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { diffRules, registerRulesCommand } from '../../src/rules/command.js';
import { GCP_RULE_OUTPUT_FIELDS, gcpMethodSuffix, generateRules } from '../../src/rules/generate.js';
import { AWS_FALCO_OUTPUT_FIELDS } from '../../src/providers/aws/falco-fields.js';
import { loadMappingTables } from '../../src/providers/mapping/load.js';
import { demoRecords } from '../../src/cli/commands/demo.js';
import { EXPORTER_DIR } from '../helpers/cli.js';
import { tempDir } from './helpers.js';

const REPO_RULES = path.resolve(EXPORTER_DIR, '../rules');
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Falco rule YAML is free-form
type Item = Record<string, any>;
const load = (name: string): Item[] => YAML.parse(readFileSync(path.join(REPO_RULES, name), 'utf8'));

describe('generated Falco rules', () => {
  it('rules/ is in sync with the mapping tables (run `npx tfdrift rules generate` after changing them)', () => {
    expect(diffRules(REPO_RULES, generateRules())).toEqual([]);
  });

  it('every AWS rule names every field the exporter reads, excludes read-only and failed calls, and lists each mapped event once', () => {
    const doc = load('tfdrift_aws_cloudtrail_rules.yaml');
    const rules = doc.filter((d) => d.rule);
    const lists = new Map(doc.filter((d) => d.list).map((d) => [d.list, d.items as string[]]));
    const macro = doc.find((d) => d.macro === 'tfdrift_aws_successful_write');
    expect(macro?.condition).toBe('ct.readonly=false and not ct.error exists');
    const seen = new Map<string, number>();
    for (const r of rules) {
      expect(r.source).toBe('aws_cloudtrail');
      expect(['WARNING', 'NOTICE']).toContain(r.priority);
      expect(r.tags).toContain('terraform_drift');
      for (const f of AWS_FALCO_OUTPUT_FIELDS) expect(r.output).toContain(`${f}=%${f} `.trimEnd());
      const m = /^ct\.src="([^"]+)" and ct\.name in \((\w+)\) and tfdrift_aws_successful_write$/.exec(r.condition);
      expect(m, r.condition).not.toBeNull();
      for (const name of lists.get(m![2])!) seen.set(`${m![1]} ${name}`, (seen.get(`${m![1]} ${name}`) ?? 0) + 1);
    }
    const tables = loadMappingTables('aws');
    expect(seen.size).toBe(tables.byEvent.size);
    for (const t of tables.services) for (const e of Object.keys(t.events)) expect(seen.get(`${t.event_source} ${e}`)).toBe(1);
  });

  it('lets through every bundled real record that produces drift (what the demo shows, Falco would send)', () => {
    const doc = load('tfdrift_aws_cloudtrail_rules.yaml');
    const lists = new Map(doc.filter((d) => d.list).map((d) => [d.list, new Set(d.items as string[])]));
    const passes = (r: Record<string, unknown>) =>
      r.readOnly !== true && r.errorCode === undefined &&
      doc.filter((d) => d.rule).some((d) => {
        const [, src, list] = /^ct\.src="([^"]+)" and ct\.name in \((\w+)\)/.exec(d.condition)!;
        return src === r.eventSource && lists.get(list)!.has(String(r.eventName));
      });
    const driftNames = ['AuthorizeSecurityGroupIngress', 'UpdateAssumeRolePolicy', 'StopLogging', 'DeleteTrail', 'AttachUserPolicy', 'ModifyInstanceAttribute', 'StopInstances', 'PutBucketVersioning', 'AttachRolePolicy'];
    for (const r of demoRecords().filter((x) => driftNames.includes(String(x.eventName)))) expect(passes(r), String(r.eventName)).toBe(true);
  });

  it('GCP rules match every API version of each mapped method and name every gcpaudit field the exporter reads', async () => {
    if (!existsSync(path.join(EXPORTER_DIR, 'mappings/gcp'))) return;
    const doc = load('tfdrift_gcp_auditlog_rules.yaml');
    for (const r of doc.filter((d) => d.rule)) {
      expect(r.source).toBe('gcp_auditlog');
      for (const f of GCP_RULE_OUTPUT_FIELDS) expect(r.output).toContain(`${f}=%${f}`);
    }
    const adapter = '../../src/providers/gcp/record.js';
    const gcp = (await import(/* @vite-ignore */ adapter).catch(() => null)) as { GCP_FALCO_OUTPUT_FIELDS?: readonly string[] } | null;
    for (const f of gcp?.GCP_FALCO_OUTPUT_FIELDS ?? []) expect(GCP_RULE_OUTPUT_FIELDS).toContain(f);
    expect('v1.compute.firewalls.insert'.endsWith(gcpMethodSuffix('compute.firewalls.insert'))).toBe(true);
    expect('beta.compute.firewalls.insert'.endsWith(gcpMethodSuffix('compute.firewalls.insert'))).toBe(true);
    expect('google.container.v1.ClusterManager.CreateCluster'.endsWith(gcpMethodSuffix('google.container.ClusterManager.CreateCluster'))).toBe(true);
    expect('google.iam.admin.v1.CreateServiceAccount'.endsWith(gcpMethodSuffix('google.iam.admin.CreateServiceAccount'))).toBe(true);
  });

  it('`tfdrift rules generate --out DIR` writes the files; --check fails when they are edited', async () => {
    const dir = tempDir('tfdrift-rules-');
    const stderr: string[] = [];
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (stderr.push(String(chunk)), true));
    const run = async (...args: string[]) => {
      const program = new Command().exitOverride();
      registerRulesCommand(program);
      process.exitCode = undefined;
      await program.parseAsync(['node', 'tfdrift', 'rules', 'generate', '--out', dir, ...args]);
      const code = process.exitCode ?? 0;
      process.exitCode = undefined;
      return code;
    };
    try {
      expect(await run()).toBe(0);
      expect(diffRules(dir, generateRules())).toEqual([]);
      expect(await run('--check')).toBe(0);
      const f = path.join(dir, 'tfdrift_aws_cloudtrail_rules.yaml');
      writeFileSync(f, readFileSync(f, 'utf8').replace('StopLogging', 'StopLoggingX'));
      expect(await run('--check')).toBe(1);
    } finally {
      write.mockRestore();
    }
    expect(stderr.join('')).toMatch(/tfdrift_aws_cloudtrail_rules\.yaml: differs[^]*npx tfdrift rules generate/);
  }, 90_000);

  it('is a registered CLI command', async () => {
    const { COMMANDS } = await import('../../src/cli/main.js');
    expect(await COMMANDS.find((c) => c.name === 'rules')?.load()).toBe(registerRulesCommand);
  });
});
