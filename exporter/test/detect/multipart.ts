import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Every non-empty subset, in the input's order. */
export function subsets<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let mask = 1; mask < 1 << items.length; mask++) out.push(items.filter((_, i) => mask & (1 << i)));
  return out;
}

export function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [items.slice()];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));
}

/** A v4 state file with these resources, under the named provider (`aws`, `google`, `azurerm`). */
export function stateFile(provider: string, resources: { type: string; name: string; attributes: Record<string, unknown> }[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tfdrift-state-'));
  const file = path.join(dir, 'terraform.tfstate');
  writeFileSync(
    file,
    JSON.stringify({
      version: 4, terraform_version: '1.9.8', serial: 1, lineage: 'multipart',
      resources: resources.map((r) => ({
        mode: 'managed', type: r.type, name: r.name, provider: `provider["registry.terraform.io/hashicorp/${provider}"]`,
        instances: [{ schema_version: 0, attributes: r.attributes, sensitive_attributes: [] }],
      })),
    }),
  );
  return file;
}
