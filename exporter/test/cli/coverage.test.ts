import { describe, expect, it } from 'vitest';
import { renderCoverageTable } from '../../src/coverage/render.js';
import type { Coverage } from '../../src/coverage/count.js';
import { runCliInProcess } from '../helpers/cli.js';

const service = (events: number, types: number) => ({
  events: Array.from({ length: events }, (_, i) => `E${i}`),
  resource_types: Array.from({ length: types }, (_, i) => `t_${i}`),
});

describe('tfdrift coverage table', () => {
  it('lines up every column across providers and counts in the singular when it is one', () => {
    const cov = {
      aws: { events: 1, resource_types: 1, services: { 'elasticloadbalancing': service(1, 1) } },
      gcp: { events: 12, resource_types: 3, services: { iam: service(10, 2), kms: service(2, 1) } },
    } as unknown as Coverage;
    expect(renderCoverageTable(cov)).toBe(
      [
        'aws: 1 event, 1 resource type, 1 service',
        '  service               events  types',
        '  elasticloadbalancing       1      1',
        '',
        'gcp: 12 events, 3 resource types, 2 services',
        '  service               events  types',
        '  iam                       10      2',
        '  kms                        2      1',
        '',
      ].join('\n'),
    );
  });

  it('the real tables: every row of every provider has its numbers in the same columns', async () => {
    const r = await runCliInProcess(['coverage']);
    expect(r.code).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => l.startsWith('  '));
    expect(new Set(rows.map((l) => l.length)).size).toBe(1);
    expect(r.stdout).not.toMatch(/\b1 (events|resource types|services)\b/);
  });

  it('a bad --provider or --format is one line in the error style, exit 2', async () => {
    expect(await runCliInProcess(['coverage', '--provider', 'oracle'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'tfdrift: --provider: unknown provider "oracle" (mapping tables exist for: aws, azure, gcp)\n',
    });
    expect((await runCliInProcess(['coverage', '--format', 'xml'])).stderr).toBe('tfdrift: --format: unknown format "xml" (use table, json, markdown)\n');
  });
});
