import { createRequire } from 'node:module';
import type winston from 'winston';

export type Logger = Pick<winston.Logger, 'error' | 'warn' | 'info' | 'debug'>;

// winston's npm levels; a message above the logger's level is dropped before winston is loaded.
const LEVELS: Record<string, number> = { error: 0, warn: 1, info: 2, http: 3, verbose: 4, debug: 5, silly: 6 };
const require = createRequire(import.meta.url);

function winstonLogger(level: string, format: 'json' | 'text'): winston.Logger {
  const w = require('winston') as typeof winston;
  return w.createLogger({
    level,
    format:
      format === 'json'
        ? w.format.combine(w.format.timestamp(), w.format.json())
        : w.format.combine(
            w.format.timestamp({ format: 'HH:mm:ss' }),
            w.format.printf(({ level: lvl, message, timestamp, ...meta }) => {
              const extra = Object.keys(meta).length ? ` ${JSON.stringify(meta)}` : '';
              return `${String(timestamp)} ${lvl} ${String(message)}${extra}`;
            }),
          ),
    transports: [new w.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug', 'verbose', 'silly'] })],
  });
}

/**
 * Logs go to stderr only: stdout carries drift records and nothing else. winston (~50 ms to load)
 * is loaded by the first message the level lets through, so a CLI command that logs nothing never pays for it.
 */
export function createLogger(level = 'info', format: 'json' | 'text' = process.stderr.isTTY ? 'text' : 'json'): Logger {
  const max = LEVELS[level];
  if (max === undefined) return winstonLogger(level, format); // winston names what is wrong with the level
  let real: winston.Logger | null = null;
  const method =
    (name: keyof Logger) =>
    (...args: unknown[]): winston.Logger => {
      if (LEVELS[name] > max) return logger as unknown as winston.Logger;
      real ??= winstonLogger(level, format);
      return (real[name] as (...a: unknown[]) => winston.Logger)(...args);
    };
  const logger = { error: method('error'), warn: method('warn'), info: method('info'), debug: method('debug') } as Logger;
  return logger;
}

const noop = (): Logger => silent;
const silent = { error: noop, warn: noop, info: noop, debug: noop } as unknown as Logger;

export function silentLogger(): Logger {
  return silent;
}
