import type { Command } from 'commander';
import { loadConfigFile } from '../../config/load.js';
import { startApp, type App } from '../../app.js';
import { createLogger } from '../../util/logger.js';

/** Stops cleanly on SIGINT/SIGTERM: flush outputs, close the server; a second signal forces exit. */
export function handleSignals(app: App, log: { info(m: string): void }, onStop?: () => void): void {
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) process.exit(130);
    stopping = true;
    log.info(`${signal} received; flushing outputs and stopping`);
    onStop?.();
    app.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run the daemon: inputs, state sources, detection, outputs')
    .requiredOption('-c, --config <file>', 'YAML configuration file (keys overridable by TFDRIFT_* variables)')
    .action(async (opts: { config: string }) => {
      const config = loadConfigFile(opts.config);
      const log = createLogger(config.logging.level);
      const app = await startApp(config, { log });
      handleSignals(app, log);
    });
}
