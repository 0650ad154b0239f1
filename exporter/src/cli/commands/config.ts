import type { Command } from 'commander';
import { loadConfigFile } from '../../config/load.js';
import { checkServerSecurity } from '../../server/http.js';

export function registerConfigCommand(program: Command): void {
  const config = program.command('config').description('configuration tools');
  config
    .command('check')
    .description('validate a configuration file (and TFDRIFT_* overrides); prints problems with their key paths')
    .requiredOption('-c, --config <file>', 'YAML configuration file')
    .option('--print', 'print the effective configuration (secrets masked) as JSON on stdout')
    .action((opts: { config: string; print?: boolean }) => {
      const cfg = loadConfigFile(opts.config);
      checkServerSecurity(cfg.server);
      if (opts.print) {
        const masked = structuredClone(cfg);
        if (masked.server.token) masked.server.token = '***';
        process.stdout.write(`${JSON.stringify(masked, null, 2)}\n`);
      }
      process.stderr.write(`${opts.config}: configuration is valid (${cfg.states.length} state source(s))\n`);
    });
}
