import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseStateDocument } from '../../state/parse.js';
import { StateIndex } from '../../state/index.js';
import { inferStateScope } from '../../state/infer.js';

export function registerStateCommand(program: Command): void {
  const state = program.command('state').description('Terraform state tools');
  state
    .command('inspect')
    .description('load a state and show resources by type, index stats and load time')
    .requiredOption('-s, --state <src>', 'state file path')
    .option('--json', 'machine-readable output on stdout')
    .action(async (opts: { state: string; json?: boolean }) => {
      const started = process.hrtime.bigint();
      const text = await readFile(opts.state, 'utf8');
      const scope = inferStateScope(text);
      const snap = parseStateDocument(text, {
        name: path.basename(opts.state), location: path.resolve(opts.state),
        provider: scope.provider ?? 'aws', accountId: scope.accountId, region: null,
      });
      const index = new StateIndex([snap]);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const byType = Object.fromEntries([...index.countsByType()].sort(([a], [b]) => (a < b ? -1 : 1)));
      const summary = {
        location: snap.source.location, terraform_version: snap.terraformVersion, serial: snap.serial, lineage: snap.lineage,
        provider: scope.provider, account_id: scope.accountId, resources: snap.resources.length,
        data_sources_skipped: snap.dataSourcesSkipped, types: byType, load_ms: Math.round(ms * 100) / 100,
      };
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        return;
      }
      const lines = [
        `${summary.location}`,
        `  terraform ${summary.terraform_version ?? '?'}, serial ${summary.serial ?? '?'}, provider ${summary.provider ?? '?'}, account ${summary.account_id ?? '(any)'}`,
        `  ${summary.resources} managed resource instances, ${summary.data_sources_skipped} data source instances skipped, loaded+indexed in ${summary.load_ms} ms`,
        ...Object.entries(byType).map(([t, n]) => `  ${String(n).padStart(6)}  ${t}`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
