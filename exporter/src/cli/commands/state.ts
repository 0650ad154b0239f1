import type { Command } from 'commander';
import { parseStateDocument } from '../../state/parse.js';
import { StateIndex } from '../../state/index.js';
import { inferStateScope } from '../../state/infer.js';
import { createStateBackend } from '../../state/backends/registry.js';
import { stateSourceFromUri } from '../../state/uri.js';
import { sourceAccount } from '../../state/config.js';
import type { StateSnapshot } from '../../state/model.js';
import type { ProviderId } from '../../model/event.js';
import { CliError } from '../exit.js';

interface InspectOptions {
  state: string;
  json?: boolean;
  provider?: ProviderId;
  accountId?: string;
  region?: string;
  endpoint?: string;
}

const round = (ms: number): number => Math.round(ms * 100) / 100;

/** Fetches, parses and indexes one source the way the daemon does, timing each step. */
export async function inspectState(opts: InspectOptions): Promise<Record<string, unknown>> {
  if (opts.provider && !['aws', 'gcp', 'azure'].includes(opts.provider)) throw new CliError(`--provider: expected aws, gcp or azure, got "${opts.provider}"`);
  let config;
  try {
    config = stateSourceFromUri(opts.state, { provider: opts.provider, accountId: opts.accountId, region: opts.region, endpoint: opts.endpoint });
  } catch (err) {
    throw new CliError(`--state ${(err as Error).message}`);
  }
  const backend = createStateBackend(config);
  let t = performance.now();
  const fetched = (await backend.fetch(null)) ?? [];
  const fetchMs = performance.now() - t;
  t = performance.now();
  const snapshots: StateSnapshot[] = fetched.map((f) => {
    // Without --provider/--account-id, say what the state itself says (as replay does).
    const scope = opts.provider && opts.accountId ? null : inferStateScope(f.text);
    return parseStateDocument(f.text, {
      name: config.name, location: f.location,
      provider: opts.provider ?? scope?.provider ?? 'aws',
      accountId: opts.accountId ?? (opts.provider ? sourceAccount(config) : null) ?? scope?.accountId ?? null,
      region: opts.region ?? null,
    });
  });
  const parseMs = performance.now() - t;
  const index = new StateIndex(snapshots);
  const byType = Object.fromEntries([...index.countsByType()].sort(([a], [b]) => (a < b ? -1 : 1)));
  const first = snapshots[0];
  return {
    location: backend.describe(),
    backend: backend.kind,
    terraform_version: first?.terraformVersion ?? null,
    flavour: first?.flavour ?? null,
    serial: first?.serial ?? null,
    lineage: first?.lineage ?? null,
    provider: first?.source.provider ?? null,
    account_id: first?.source.accountId ?? null,
    resources: index.resourceCount,
    data_sources_skipped: snapshots.reduce((n, s) => n + s.dataSourcesSkipped, 0),
    objects: snapshots.map((s) => ({ location: s.source.location, serial: s.serial, lineage: s.lineage, terraform_version: s.terraformVersion, resources: s.resources.length })),
    types: byType,
    index: { keys: index.stats().keys, ambiguous_keys: index.stats().ambiguousKeys },
    fetch_ms: round(fetchMs),
    parse_ms: round(parseMs),
    index_ms: round(index.buildMs),
    load_ms: round(fetchMs + parseMs + index.buildMs),
  };
}

export function registerStateCommand(program: Command): void {
  const state = program.command('state').description('Terraform state tools');
  state
    .command('inspect')
    .description('load a state from any backend and show resources by type, index stats and load time')
    .requiredOption('-s, --state <src>', 'file path or glob, s3://bucket/key, gs://bucket/key, azurerm://account/container/key, https://… (http backend), tfe://[host/]org/workspace (globs allowed in keys and workspace names)')
    .option('--provider <aws|gcp|azure>', 'cloud the state speaks for (default: inferred from the state)')
    .option('--account-id <id>', 'account/project/subscription (default: inferred from the state)')
    .option('--region <region>', 'region (S3 client region; resources without their own)')
    .option('--endpoint <url>', 'API endpoint override (S3-compatible store, Azurite, TFE address)')
    .option('--json', 'machine-readable output on stdout')
    .action(async (opts: InspectOptions) => {
      const summary = await inspectState(opts).catch((err: Error) => {
        throw err instanceof CliError ? err : new CliError(`--state ${opts.state}: ${err.message}`);
      });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        return;
      }
      const objects = summary.objects as { location: string; serial: number | null; resources: number }[];
      const idx = summary.index as { keys: number; ambiguous_keys: number };
      const lines = [
        `${String(summary.location)} (${String(summary.backend)})`,
        `  ${String(summary.flavour ?? '?')} ${String(summary.terraform_version ?? '?')}, serial ${String(summary.serial ?? '?')}, provider ${String(summary.provider ?? '?')}, account ${String(summary.account_id ?? '(any)')}`,
        ...(objects.length > 1 ? objects.map((o) => `  object ${o.location}: serial ${o.serial ?? '?'}, ${o.resources} resources`) : []),
        `  ${String(summary.resources)} managed resource instances, ${String(summary.data_sources_skipped)} data source instances skipped`,
        `  index: ${idx.keys} keys (${idx.ambiguous_keys} naming more than one resource)`,
        `  loaded in ${String(summary.load_ms)} ms (fetch ${String(summary.fetch_ms)}, parse ${String(summary.parse_ms)}, index ${String(summary.index_ms)})`,
        ...Object.entries(summary.types as Record<string, number>).map(([t, n]) => `  ${String(n).padStart(6)}  ${t}`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
