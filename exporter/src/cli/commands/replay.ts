import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Metrics } from '../../metrics/registry.js';
import { Pipeline } from '../../pipeline.js';
import { alertProcessor } from '../../ingest/intake.js';
import { allProviders } from '../../providers/registry.js';
import { StateStore } from '../../state/store.js';
import type { StateSourceConfig } from '../../state/config.js';
import { inferStateScope } from '../../state/infer.js';
import { stdoutOutput } from '../../outputs/stdout.js';
import type { Output } from '../../outputs/types.js';
import { RECORD_FORMATS, type RecordFormat, expandPaths, readInputFile } from '../../ingest/records.js';
import { DriftLedger } from '../../detect/ledger.js';
import { createLogger } from '../../util/logger.js';
import { CliError, EXIT } from '../exit.js';
import { loadConfigFile } from '../../config/load.js';

export interface ReplayOptions {
  state: string[];
  events: string[];
  format: RecordFormat;
  output: 'jsonl' | 'pretty';
  failOnDrift?: boolean;
  config?: string;
  accountId?: string;
  quiet?: boolean;
}

export interface ReplaySummary {
  records: number;
  /** Records that produced at least one drift record. */
  withDrift: number;
  /** Drift records emitted (an event can touch several resources). */
  drifts: number;
  badInput: number;
  failed: number;
  noDrift: number;
  byReason: Record<string, number>;
}

async function stateConfigs(srcs: string[], accountOverride?: string): Promise<StateSourceConfig[]> {
  const out: StateSourceConfig[] = [];
  const names = new Set<string>();
  for (const src of srcs) {
    let text: string;
    try {
      text = await readFile(src, 'utf8');
    } catch (err) {
      throw new CliError(`--state ${src}: cannot read (${(err as Error).message})`);
    }
    const scope = inferStateScope(text);
    if (!accountOverride && !scope.accountId)
      process.stderr.write(`tfdrift: warning: --state ${src}: no account evident in the state (no ARNs/project/subscription IDs); it will match events of every account — pass --account-id or use --config\n`);
    let name = path.basename(src).replace(/[^A-Za-z0-9_.-]/g, '_');
    for (let i = 2; names.has(name); i++) name = `${path.basename(src)}_${i}`;
    names.add(name);
    out.push({
      name, backend: 'local', path: src, provider: scope.provider ?? 'aws', reload_interval_seconds: 0,
      ...(accountOverride ?? scope.accountId ? { account_id: accountOverride ?? (scope.accountId as string) } : {}),
    });
  }
  return out;
}

/** Offline evaluation: audit records from files against states; drift records on the output. */
export async function runReplay(opts: ReplayOptions, output: Output = stdoutOutput(opts.output)): Promise<{ summary: ReplaySummary; exitCode: number }> {
  const log = createLogger(opts.quiet ? 'error' : 'warn');
  const metrics = new Metrics({ defaultMetrics: false });
  const configs = [...(opts.config ? loadConfigFile(opts.config).states : []), ...(await stateConfigs(opts.state, opts.accountId))];
  if (configs.length === 0) throw new CliError('replay needs at least one --state (or --config with states)');
  const states = new StateStore(configs, metrics, log);
  const loaded = await states.reload();
  if (loaded.errors.length > 0) throw new CliError(loaded.errors.map((e) => `state ${e.name}: ${e.error}`).join('\n'));
  const providers = allProviders();
  const pipeline = new Pipeline({ providers, states, outputs: [output], metrics, log, ledger: new DriftLedger(Number.MAX_SAFE_INTEGER) });
  const falco = alertProcessor(pipeline, metrics);
  const summary: ReplaySummary = { records: 0, withDrift: 0, drifts: 0, badInput: 0, failed: 0, noDrift: 0, byReason: {} };
  const count = (reason: string): void => void (summary.byReason[reason] = (summary.byReason[reason] ?? 0) + 1);
  const files = await expandPaths(opts.events).catch((err: Error) => {
    throw new CliError(`--events: ${err.message}`);
  });
  const progress = process.stderr.isTTY && !opts.quiet;
  const started = Date.now();
  let lastProgress = 0;
  for (const file of files) {
    for (const item of await readInputFile(file, opts.format)) {
      summary.records++;
      if (item.kind === 'error') {
        summary.badInput++;
        count(item.reason);
        process.stderr.write(`tfdrift: ${item.where}: ${item.message}\n`);
        continue;
      }
      let outcome;
      if (item.kind === 'falco') outcome = falco.processFalcoAlert(item.value, 'file');
      else {
        const provider = providers.find((p) => p.id === item.provider);
        if (!provider) {
          summary.failed++;
          count(`provider_not_available:${item.provider}`);
          continue;
        }
        outcome = pipeline.processRecord(provider, item.value, 'file');
      }
      if (outcome.status === 'drift') {
        summary.withDrift++;
        summary.drifts += outcome.records.length;
      }
      else if (outcome.status === 'no_drift') {
        summary.noDrift++;
        for (const r of outcome.reasons) count(r);
      } else if (outcome.status === 'held') {
        summary.noDrift++;
      } else {
        summary.badInput++;
        count(outcome.reason);
        process.stderr.write(`tfdrift: ${item.where}: ${outcome.message}\n`);
      }
      if (progress && Date.now() - lastProgress > 250) {
        lastProgress = Date.now();
        const rate = Math.round(summary.records / Math.max(0.001, (Date.now() - started) / 1000));
        process.stderr.write(`\r${summary.records} records, ${summary.drifts} drifts, ${rate} records/s   `);
      }
    }
  }
  await pipeline.flush();
  if (progress) process.stderr.write('\r');
  if (!opts.quiet) {
    const reasons = Object.entries(summary.byReason).sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r}=${n}`).join(' ');
    process.stderr.write(
      `tfdrift replay: ${files.length} file(s), ${summary.records} records: ${summary.withDrift} with drift (${summary.drifts} drift record(s)), ${summary.noDrift} without drift, ${summary.badInput} bad${reasons ? ` (${reasons})` : ''}\n`,
    );
  }
  const exitCode = summary.badInput > 0 ? EXIT.badInput : opts.failOnDrift && summary.drifts > 0 ? EXIT.drift : EXIT.ok;
  return { summary, exitCode };
}

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('evaluate audit records from files against Terraform states, offline')
    .option('-s, --state <src...>', 'Terraform state file(s)', [])
    .requiredOption('-e, --events <path...>', 'files or directories of audit records / Falco alerts')
    .option('-f, --format <format>', `input format: ${RECORD_FORMATS.join('|')}`, 'auto')
    .option('-o, --output <format>', 'jsonl|pretty', 'jsonl')
    .option('--fail-on-drift', 'exit 3 when any drift was found')
    .option('-c, --config <file>', 'also use the states of this configuration')
    .option('--account-id <id>', 'account/project/subscription the --state files speak for (default: inferred from the state)')
    .option('-q, --quiet', 'no summary on stderr')
    .action(async (opts: ReplayOptions) => {
      if (!RECORD_FORMATS.includes(opts.format)) throw new CliError(`--format: expected one of ${RECORD_FORMATS.join(', ')}, got "${opts.format}"`);
      if (opts.output !== 'jsonl' && opts.output !== 'pretty') throw new CliError(`--output: expected jsonl or pretty, got "${opts.output}"`);
      const { exitCode } = await runReplay(opts);
      process.exitCode = exitCode;
    });
}
