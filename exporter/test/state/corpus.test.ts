import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseStateDocument } from '../../src/state/parse.js';
import { StateIndex } from '../../src/state/index.js';
import { inferStateScope } from '../../src/state/infer.js';
import { CORPUS } from '../helpers/cli.js';
import { source } from './helpers.js';

const TFSTATE = path.join(CORPUS, 'tfstate');
const files = (dir: string): string[] => readdirSync(path.join(TFSTATE, dir)).sort().map((f) => path.join(TFSTATE, dir, f));
const v4 = [...files('driftctl'), ...files('tfstate-lookup')];
const pytest = files('cloud-custodian-pytest-terraform');
const FIXTURES = path.join(CORPUS, '..', 'state');

function load(file: string) {
  const text = readFileSync(file, 'utf8');
  const scope = inferStateScope(text);
  return parseStateDocument(text, source({ name: path.basename(file), location: file, provider: scope.provider ?? 'aws', accountId: scope.accountId }));
}

describe('the state corpus', () => {
  it('has the snapshots the test expects', () => {
    expect(v4.length).toBe(150);
    expect(pytest.length).toBeGreaterThan(70);
  });

  it('loads every v4 state and indexes its managed resources', () => {
    const snaps = v4.map(load);
    const index = new StateIndex(snaps);
    const byType = [...index.countsByType()].sort((a, b) => b[1] - a[1]);
    const stats = index.stats();
    const providers = new Map<string, number>();
    for (const s of snaps) for (const r of s.resources) providers.set(r.provider, (providers.get(r.provider) ?? 0) + 1);
    // The report the issue asks for: what the corpus holds once indexed.
    console.log(
      [
        `corpus: ${snaps.length} v4 states, ${index.resourceCount} managed resource instances of ${byType.length} types, ` +
          `${snaps.reduce((n, s) => n + s.dataSourcesSkipped, 0)} data source instances skipped; index ${stats.keys} keys (${stats.ambiguousKeys} ambiguous)`,
        `providers: ${[...providers].map(([p, n]) => `${p}=${n}`).join(' ')}`,
        ...byType.map(([t, n]) => `  ${String(n).padStart(5)}  ${t}`),
      ].join('\n'),
    );
    expect(snaps.every((s) => s.serial !== null && s.lineage !== null)).toBe(true);
    expect(index.resourceCount).toBeGreaterThan(300);
    expect(byType.length).toBeGreaterThan(80);
    // Every managed resource instance is there, data sources are not.
    for (const [i, file] of v4.entries()) {
      const doc = JSON.parse(readFileSync(file, 'utf8')) as { resources: { mode: string; instances: { deposed?: string }[] }[] };
      const managed = doc.resources.filter((r) => r.mode === 'managed').reduce((n, r) => n + r.instances.filter((x) => !x.deposed).length, 0);
      expect(snaps[i].resources.length, file).toBe(managed);
      expect(snaps[i].resources.every((r) => !r.address.startsWith('data.'))).toBe(true);
    }
  });

  it('the sliced parser the daemon uses gives the same snapshots as the one-shot parse on every corpus state', async () => {
    const { parseStateDocumentAsync, splitIndentedState } = await import('../../src/state/parse.js');
    let sliced = 0;
    for (const file of v4) {
      const text = readFileSync(file, 'utf8');
      if (splitIndentedState(text)) sliced++;
      const a = await parseStateDocumentAsync(text, source({ location: file }), { minChars: 0, sliceMs: 0 });
      const b = parseStateDocument(text, source({ location: file }));
      expect({ ...a, loadedAt: 0 }, file).toEqual({ ...b, loadedAt: 0 });
    }
    expect(sliced).toBeGreaterThan(130); // Terraform-written layout: all but the empty and hand-edited ones take the sliced path
  });

  it('finds corpus resources by the identifiers audit records use', () => {
    const snap = load(path.join(TFSTATE, 'driftctl', 'aws_vpc_security_group.tfstate'));
    const index = new StateIndex([snap]);
    const sg = snap.resources.find((r) => r.type === 'aws_security_group');
    expect(sg).toBeDefined();
    const id = sg!.attributes.id as string;
    expect(index.find('aws', snap.source.accountId, ['aws_security_group'], { field: 'id', value: id })).toEqual([sg]);
    expect(index.find('aws', snap.source.accountId, ['aws_security_group'], { field: 'arn', value: sg!.attributes.arn as string })).toEqual([sg]);
  });

  it('rejects every pytest-terraform snapshot with a message that says what it is', () => {
    const messages = new Set<string>();
    for (const file of pytest) {
      expect(() => load(file), file).toThrow(/pytest-terraform snapshot, not Terraform state|does not look like Terraform state\); tfdrift reads state format version 4/);
      try {
        load(file);
      } catch (err) {
        messages.add((err as Error).message.replace(file, '<file>'));
      }
    }
    console.log(`rejected ${pytest.length} pytest-terraform snapshots: ${[...messages].join(' | ')}`);
    expect(messages.size).toBe(2);
  });

  it('rejects Terraform 0.11 (v3) state and says how to upgrade', () => {
    expect(() => load(path.join(FIXTURES, 'v3-terraform-0.11.tfstate'))).toThrow(/format version 3; tfdrift reads state format version 4 \(Terraform <0\.12; .*upgrade/);
  });

  it('says plainly when state is OpenTofu-encrypted', () => {
    expect(() => load(path.join(FIXTURES, 'opentofu-encrypted.tfstate'))).toThrow(/OpenTofu state encrypted with client-side state encryption/);
  });
});
