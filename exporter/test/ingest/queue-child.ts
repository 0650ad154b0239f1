/**
 * An exporter process for the queue-input crash tests: the real app on STORAGE_DIR with the
 * config overrides in CONFIG_JSON (queue inputs pointing at the test's loopback peer), drift
 * records as JSON lines on stdout, `READY` on stderr once it runs.
 */
import { startApp } from '../../src/app.js';
import { stdoutOutput } from '../../src/outputs/stdout.js';
import { silentLogger } from '../../src/util/logger.js';
import { ingestConfig } from './helpers.js';

const config = ingestConfig(process.env.STORAGE_DIR!, JSON.parse(process.env.CONFIG_JSON ?? '{}') as Record<string, unknown>);
const app = await startApp(config, { log: silentLogger(), outputs: [stdoutOutput('jsonl')] });
process.stderr.write(`READY ${app.url}\n`);
