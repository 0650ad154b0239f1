import type { Command } from 'commander';
import type { Output } from '../../outputs/types.js';
import { RECORD_FORMATS } from '../../ingest/records.js';
import { CliError } from '../exit.js';
import type { ReplayOptions, ReplaySummary } from '../../replay/run.js';

export type { ReplayOptions, ReplaySummary };

/** In-process replay (tests, embedding); loads the replay room on first use. */
export async function runReplay(opts: ReplayOptions, output?: Output): Promise<{ summary: ReplaySummary; exitCode: number }> {
  const m = await import('../../replay/run.js');
  return output ? m.runReplay(opts, output) : m.runReplay(opts);
}

const EXIT_HELP = `
Exit codes:
  0  every input was read (drift or not, without --fail-on-drift)
  2  input that could not be read: a missing or unreadable file/object, invalid JSON,
     a corrupt .gz, a file that is not text, an unsupported state, a bad option — or
     no records at all (empty input or window); each is named on stderr, the rest is
     still processed
  3  drift found and --fail-on-drift
  4  unmapped events and --strict
  Precedence: 2, then 4, then 3. Unmapped events, read-only and failed calls and
  accounts without a state are counted in the summary on stderr, never errors.

Inputs: files, folders (recursively) and s3://bucket/prefix (the CloudTrail archive
layout AWSLogs/[o-org/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/; credentials from the AWS
default chain, AWS_ENDPOINT_URL_S3 for S3-compatible stores). --since/--until/--account/
--region prune archive folders and objects by key; records outside the window are skipped.
`;

const list = (v: string, prev: string[] = []): string[] => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

function nonNegativeInt(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new CliError(`${flag}: expected a whole number ≥ 0, got "${v}"`);
    return n;
  };
}

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('evaluate audit records from files, folders or an S3 CloudTrail archive against Terraform states, offline')
    .option('-s, --state <src...>', 'Terraform state: file path or glob, s3://, gs://, azurerm://, http(s)://, tfe:// or remote:// (as `state inspect`)', [])
    .requiredOption('-e, --events <path...>', 'files, folders or s3://bucket/prefix of audit records / Falco alerts')
    .option('-f, --format <format>', `input format: ${RECORD_FORMATS.join('|')}`, 'auto')
    .option('-o, --output <format>', 'jsonl|pretty', 'jsonl')
    .option('--fail-on-drift', 'exit 3 when any drift was found')
    .option('--strict', 'exit 4 when events had no mapping (unmapped write calls)')
    .option('--since <time>', 'only records at or after this time (ISO 8601, or a duration ago: 90m, 24h, 7d)')
    .option('--until <time>', 'only records at or before this time (ISO 8601, or a duration ago)')
    .option('--account <id>', 'archive accounts to read (repeatable or comma-separated)', list)
    .option('--region <region>', 'archive regions to read (repeatable or comma-separated)', list)
    .option('--workers <n>', 'worker threads that read, parse and evaluate beside the main thread (0 = main thread only; default: one per core but one, for inputs over 16 MiB)', nonNegativeInt('--workers'))
    .option('--concurrency <n>', 'parallel S3 requests (default 16)', nonNegativeInt('--concurrency'))
    .option('-c, --config <file>', 'also use the states of this configuration')
    .option('--account-id <id>', 'account/project/subscription the --state sources speak for (default: inferred from the state)')
    .option('-q, --quiet', 'no progress and no summary on stderr (errors still)')
    .addHelpText('after', EXIT_HELP)
    .action(async (opts: ReplayOptions) => {
      if (!RECORD_FORMATS.includes(opts.format)) throw new CliError(`--format: expected one of ${RECORD_FORMATS.join(', ')}, got "${opts.format}"`);
      if (opts.output !== 'jsonl' && opts.output !== 'pretty') throw new CliError(`--output: expected jsonl or pretty, got "${opts.output}"`);
      if (opts.concurrency === 0) throw new CliError('--concurrency: expected at least 1, got "0"');
      const { exitCode } = await runReplay(opts);
      process.exitCode = exitCode;
    });
}
