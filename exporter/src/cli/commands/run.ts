import type { Command } from 'commander';
import { loadConfigFile } from '../../config/load.js';
import { startApp, type App } from '../../app.js';
import { createLogger } from '../../util/logger.js';
import { checkConfigPath } from './config.js';

/**
 * Stops cleanly on SIGINT/SIGTERM: flush outputs, close the server; a second signal forces exit.
 * Installed before startup, so a signal while states load still ends in a clean stop.
 */
export function installSignalHandlers(log: { info(m: string): void }, onStop?: () => void): { attach(app: App): void } {
  let app: App | null = null;
  let requested: string | null = null;
  let stopping = false;
  const stop = (): void => {
    if (!app || stopping) return;
    stopping = true;
    log.info(`${requested} received; flushing outputs and stopping`);
    onStop?.();
    app.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  const onSignal = (signal: string): void => {
    if (requested !== null && (stopping || !app)) process.exit(130);
    requested = signal;
    stop();
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  return {
    attach(started: App) {
      app = started;
      if (requested !== null) stop();
    },
  };
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run the daemon: inputs, state sources, detection, outputs')
    .requiredOption('-c, --config <file>', 'YAML configuration file (keys overridable by TFDRIFT_* variables)')
    .action(async (opts: { config: string }) => {
      checkConfigPath(opts.config);
      const config = loadConfigFile(opts.config);
      const log = createLogger(config.logging.level);
      const signals = installSignalHandlers(log);
      signals.attach(await startApp(config, { log }));
    });
}
