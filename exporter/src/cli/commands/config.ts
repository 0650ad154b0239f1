import type { Command } from 'commander';
import { statSync } from 'node:fs';
import type { CliIo } from '../io.js';
import { CliError, fsErrorParts } from '../exit.js';

/**
 * The configuration file as the user named it, checked before parsing so a missing file, a
 * directory or an empty file is one clear line (not Node's `EISDIR: illegal operation ...`).
 */
export function checkConfigPath(file: string): void {
  let size: number;
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) throw new CliError({ where: file, what: 'is a directory', hint: 'pass the YAML configuration file, e.g. config.example.yaml' });
    size = stat.size;
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(fsErrorParts(err, file));
  }
  if (size === 0) throw new CliError({ where: file, what: 'the file is empty: no states are configured', hint: 'add at least one entry under states:, see config.example.yaml' });
}

export function registerConfigCommand(program: Command, io: CliIo): void {
  const config = program.command('config').description('configuration tools');
  config
    .command('check')
    .description('validate a configuration file (and TFDRIFT_* overrides); prints problems with their key paths')
    .requiredOption('-c, --config <file>', 'YAML configuration file')
    .option('--print', 'print the effective configuration (secrets masked) as JSON on stdout')
    .action(async (opts: { config: string; print?: boolean }) => {
      checkConfigPath(opts.config);
      const [{ loadConfigFile }, { checkServerSecurity }] = await Promise.all([import('../../config/load.js'), import('../../server/http.js')]);
      const cfg = loadConfigFile(opts.config, io.env);
      checkServerSecurity(cfg.server);
      // A configuration without states parses (every key has a default) but detects nothing.
      if (cfg.states.length === 0)
        throw new CliError({ where: opts.config, what: 'no states are configured', hint: 'add at least one entry under states: (name, backend, provider, account_id), see config.example.yaml' });
      if (opts.print) {
        const masked = structuredClone(cfg);
        if (masked.server.token) masked.server.token = '***';
        io.stdout(`${JSON.stringify(masked, null, 2)}\n`);
      }
      io.stderr(`${opts.config}: configuration is valid (${cfg.states.length} state source${cfg.states.length === 1 ? '' : 's'})\n`);
    });
}
