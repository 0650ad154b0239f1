import type { Command } from 'commander';
import { CliError, EXIT } from '../cli/exit.js';
import { processIo, type CliIo } from '../cli/io.js';
import { coverage, mappingProviders } from './count.js';
import { renderCoverageMarkdown, renderCoverageTable } from './render.js';

const FORMATS = ['table', 'json', 'markdown'] as const;

/** `tfdrift coverage [--provider aws|gcp|azure] [--format table|json|markdown]` (DESIGN.md contract). */
export function registerCoverageCommand(program: Command, io: CliIo = processIo): void {
  program
    .command('coverage')
    .description('what the mapping tables cover: mapped write events and Terraform resource types, per provider and service')
    .option('--provider <provider>', 'one provider (aws, gcp, azure); default all')
    .option('--format <format>', `output format: ${FORMATS.join(', ')}`, 'table')
    .action((opts: { provider?: string; format: string }) => {
      const available = mappingProviders();
      if (opts.provider !== undefined && !available.includes(opts.provider))
        throw new CliError({ where: '--provider', what: `unknown provider "${opts.provider}"`, hint: `mapping tables exist for: ${available.join(', ')}` }, EXIT.badInput);
      if (!(FORMATS as readonly string[]).includes(opts.format)) throw new CliError({ where: '--format', what: `unknown format "${opts.format}"`, hint: `use ${FORMATS.join(', ')}` }, EXIT.badInput);
      const cov = coverage(opts.provider ? [opts.provider] : available);
      const text = opts.format === 'json' ? `${JSON.stringify(cov, null, 2)}\n` : opts.format === 'markdown' ? renderCoverageMarkdown(cov) : `${renderCoverageTable(cov)}\n`;
      io.stdout(text);
    });
}
