/**
 * A receiver process for the crash test: the real app on the given storage dir, drift
 * records as JSON lines on stdout, processing slowed down so acknowledged alerts are still
 * in the journal when the parent kills it.
 */
import { startApp } from '../../src/app.js';
import { stdoutOutput } from '../../src/outputs/stdout.js';
import { silentLogger } from '../../src/util/logger.js';
import { ingestConfig } from './helpers.js';

const dir = process.env.STORAGE_DIR!;
const slowMs = Number(process.env.SLOW_MS ?? '0');
const config = ingestConfig(dir, { detection: { dedup_window_seconds: 0 }, inputs: { dedup_keys: 0 } });
const app = await startApp(config, { log: silentLogger(), outputs: [stdoutOutput('jsonl')] });
const processor = app.ingest.processor;
const process1 = processor.processFalcoAlert.bind(processor);
processor.processFalcoAlert = (body, input, receivedAt) => {
  const until = Date.now() + slowMs;
  while (Date.now() < until) {
    // busy: a slow detector
  }
  return process1(body, input, receivedAt);
};
process.stderr.write(`READY ${app.url}${config.inputs.falco_http.path}\n`);
