import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { coverage } from '../../src/coverage/count.js';
import { renderCoverageMarkdown } from '../../src/coverage/render.js';
import { EXPORTER_DIR, runCliInProcess as runCli } from '../helpers/cli.js';

describe('tfdrift coverage', () => {
  it('prints the DESIGN.md JSON shape for every provider directory under mappings/', async () => {
    const res = await runCli(['coverage', '--format', 'json']);
    expect(res.code).toBe(0);
    const json = JSON.parse(res.stdout) as Record<string, { events: number; resource_types: number; services: Record<string, { events: string[]; resource_types: string[] }> }>;
    expect(Object.keys(json)).toEqual(expect.arrayContaining(['aws', 'gcp', 'azure']));
    for (const p of Object.values(json)) {
      const events = Object.values(p.services).reduce((n, s) => n + s.events.length, 0);
      expect(events).toBe(p.events);
      const types = new Set(Object.values(p.services).flatMap((s) => s.resource_types));
      expect(types.size).toBe(p.resource_types);
    }
    expect(json.aws.services.ec2.events).toContain('AuthorizeSecurityGroupIngress');
    expect(json.aws.services.ec2.resource_types).toContain('aws_security_group');
  }, 90_000);

  it('filters by provider, prints a table by default, and rejects unknown providers and formats', async () => {
    const [json, table, badProvider, badFormat] = await Promise.all([
      runCli(['coverage', '--provider', 'aws', '--format', 'json']),
      runCli(['coverage', '--provider', 'aws']),
      runCli(['coverage', '--provider', 'oracle']),
      runCli(['coverage', '--format', 'xml']),
    ]);
    expect(Object.keys(JSON.parse(json.stdout) as Record<string, unknown>)).toEqual(['aws']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^aws: \d+ events, \d+ resource types, \d+ services/);
    expect(badProvider.code).toBe(2);
    expect(badFormat.code).toBe(2);
  });

  it('docs/coverage.md is the current output of `tfdrift coverage --format markdown` (regenerate it when tables change)', () => {
    const doc = readFileSync(path.join(EXPORTER_DIR, '../docs/coverage.md'), 'utf8');
    expect(doc, 'docs/coverage.md is stale: run `node exporter/bin/tfdrift.js coverage --format markdown > docs/coverage.md`').toBe(renderCoverageMarkdown(coverage()));
  }, 90_000);
});
