import type { Command } from 'commander';
import { parseStateDocument } from '../../state/parse.js';
import { StateIndex } from '../../state/index.js';
import { inferStateScope } from '../../state/infer.js';
import { createStateBackend } from '../../state/backends/registry.js';
import { stateSourceFromUri } from '../../state/uri.js';
import { sourceAccount } from '../../state/config.js';
import type { StateSnapshot } from '../../state/model.js';
import type { ProviderId } from '../../model/event.js';
import { statSync } from 'node:fs';
import { CliError, fsErrorParts } from '../exit.js';
import { InputError, errorMessage } from '../../util/errors.js';
import { processIo, type CliIo } from '../io.js';
import { plural } from '../../util/plural.js';

interface InspectOptions {
  state: string;
  json?: boolean;
  provider?: ProviderId;
  accountId?: string;
  region?: string;
  endpoint?: string;
}

const round = (ms: number): number => Math.round(ms * 100) / 100;

/** A local path (not a URI, not a glob) that is missing, a directory or empty: one clear line before any parsing. */
function checkLocalState(src: string): void {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(src) || /[*?[]/.test(src)) return;
  let size: number;
  try {
    const stat = statSync(src);
    if (stat.isDirectory()) throw new CliError({ where: src, what: 'is a directory', hint: 'pass a .tfstate file, or a glob such as dir/*.tfstate' });
    size = stat.size;
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(fsErrorParts(err, src));
  }
  if (size === 0) throw new CliError({ where: src, what: 'the file is empty', hint: 'expected Terraform state JSON, e.g. from terraform state pull' });
}

/** A backend's error in the one style: InputError already names its location. */
function stateError(err: unknown, src: string): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof InputError && err.where) return new CliError({ where: err.where, what: err.message.slice(err.where.length + 2) });
  return new CliError({ where: src, what: errorMessage(err) });
}

/** Fetches, parses and indexes one source the way the daemon does, timing each step. */
export async function inspectState(opts: InspectOptions): Promise<Record<string, unknown>> {
  if (opts.provider && !['aws', 'gcp', 'azure'].includes(opts.provider))
    throw new CliError({ where: '--provider', what: `expected aws, gcp or azure, got "${opts.provider}"` });
  let config;
  try {
    config = stateSourceFromUri(opts.state, { provider: opts.provider, accountId: opts.accountId, region: opts.region, endpoint: opts.endpoint });
  } catch (err) {
    throw new CliError({ where: '--state', what: errorMessage(err) });
  }
  checkLocalState(opts.state);
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

export function registerStateCommand(program: Command, io: CliIo = processIo): void {
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
      const summary = await inspectState(opts).catch((err: unknown) => {
        throw stateError(err, opts.state);
      });
      if (opts.json) {
        io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
        return;
      }
      const objects = summary.objects as { location: string; serial: number | null; resources: number }[];
      const idx = summary.index as { keys: number; ambiguous_keys: number };
      const lines = [
        `${String(summary.location)} (${String(summary.backend)})`,
        `  ${String(summary.flavour ?? '?')} ${String(summary.terraform_version ?? '?')}, serial ${String(summary.serial ?? '?')}, provider ${String(summary.provider ?? '?')}, account ${String(summary.account_id ?? '(any)')}`,
        ...(objects.length > 1 ? objects.map((o) => `  object ${o.location}: serial ${o.serial ?? '?'}, ${plural(o.resources, 'resource')}`) : []),
        `  ${plural(Number(summary.resources), 'managed resource instance')}, ${plural(Number(summary.data_sources_skipped), 'data source instance')} skipped`,
        `  index: ${plural(idx.keys, 'key')} (${idx.ambiguous_keys} naming more than one resource)`,
        `  loaded in ${String(summary.load_ms)} ms (fetch ${String(summary.fetch_ms)}, parse ${String(summary.parse_ms)}, index ${String(summary.index_ms)})`,
        ...Object.entries(summary.types as Record<string, number>).map(([t, n]) => `  ${String(n).padStart(6)}  ${t}`),
      ];
      io.stdout(`${lines.join('\n')}\n`);
    });
}
