import type { Command } from 'commander';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { parseConfig } from '../../config/load.js';
import { startApp } from '../../app.js';
import { createLogger } from '../../util/logger.js';
import { falcoAlertFromCloudTrail } from '../../providers/aws/falco-fields.js';
import { isRecord } from '../../util/paths.js';
import { installSignalHandlers } from './run.js';
import { CliError } from '../exit.js';

export const DEMO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../demo');

/** The bundled real CloudTrail records, in replay order. */
export function demoRecords(dir = path.join(DEMO_DIR, 'events')): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const doc: unknown = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    const records = Array.isArray(doc) ? doc : isRecord(doc) && Array.isArray(doc.Records) ? doc.Records : [doc];
    out.push(...records.filter(isRecord));
  }
  return out;
}

/** The embedded default configuration: bundled states, loopback server, stdout (+ Loki if LOKI_URL). */
export function demoConfig(listen: string, output: 'jsonl' | 'pretty', env: NodeJS.ProcessEnv = process.env) {
  const raw = YAML.parse(readFileSync(path.join(DEMO_DIR, 'config.yaml'), 'utf8')) as Record<string, unknown>;
  const states = (raw.states as Record<string, unknown>[]).map((s) => ({ ...s, path: path.join(DEMO_DIR, String(s.path)) }));
  const lokiUrl = env.LOKI_URL;
  return parseConfig(
    {
      ...raw,
      states,
      server: { listen },
      outputs: { stdout: { enabled: true, format: output }, ...(lokiUrl ? { loki: { enabled: true, url: lokiUrl } } : {}) },
      storage: { dir: mkdtempSync(path.join(os.tmpdir(), 'tfdrift-demo-')) },
    },
    Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('TFDRIFT_'))),
  );
}

function post(url: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(data);
  });
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run the daemon on bundled states and real CloudTrail records (no cloud, Falco or Loki needed)')
    .option('-l, --listen <host:port>', 'where /metrics and /falco listen', '127.0.0.1:9464')
    .option('-o, --output <format>', 'pretty|jsonl (default: pretty on a terminal, else jsonl)')
    .option('--interval <ms>', 'pause between replayed alerts', '1500')
    .option('--passes <n>', 'stop after n passes over the records (0 = loop until Ctrl-C)', '0')
    .action(async (opts: { listen: string; output?: 'jsonl' | 'pretty'; interval: string; passes: string }) => {
      if (opts.output !== undefined && opts.output !== 'jsonl' && opts.output !== 'pretty')
        throw new CliError({ where: '--output', what: `expected jsonl or pretty, got "${String(opts.output)}"` });
      const output = opts.output ?? (process.stdout.isTTY ? 'pretty' : 'jsonl');
      const log = createLogger(process.env.TFDRIFT_LOGGING_LEVEL ?? 'info');
      const config = demoConfig(opts.listen, output);
      let running = true;
      const signals = installSignalHandlers(log, () => (running = false));
      const app = await startApp(config, { log });
      signals.attach(app);
      const records = demoRecords();
      // Post through loopback even when listening on all interfaces (a container), with the token.
      const ingest = new URL(`${app.url}${config.inputs.falco_http.path}`);
      if (ingest.hostname === '0.0.0.0') ingest.hostname = '127.0.0.1';
      if (ingest.hostname === '[::]') ingest.hostname = '[::1]';
      if (config.server.token) ingest.searchParams.set('token', config.server.token);
      process.stderr.write(
        `\ntfdrift demo: ${records.length} real CloudTrail records replayed as Falco alerts through ${app.url}${config.inputs.falco_http.path}\n` +
          `  metrics: curl ${app.url}/metrics   open drifts: curl ${app.url}/api/v1/drifts?status=open\n` +
          `  ${config.outputs.loki.enabled ? `Loki: ${config.outputs.loki.url}` : 'Loki: off (set LOKI_URL to send drift records to Loki)'}\n` +
          `  stop with Ctrl-C\n\n`,
      );
      const pause = Math.max(0, Number(opts.interval) || 0);
      const passes = Math.max(0, Number(opts.passes) || 0);
      for (let pass = 1; running && (passes === 0 || pass <= passes); pass++) {
        for (const record of records) {
          if (!running) break;
          const status = await post(ingest.href, falcoAlertFromCloudTrail(record, { hostname: 'tfdrift-demo' }));
          if (status >= 400) log.warn('demo alert refused', { status });
          await new Promise((r) => setTimeout(r, pause));
        }
        if (running && (passes === 0 || pass < passes)) {
          process.stderr.write(`tfdrift demo: pass ${pass} done; repeats within ${config.detection.dedup_window_seconds}s of an open drift are deduplicated\n`);
          await new Promise((r) => setTimeout(r, pause * 4));
        }
      }
      if (running && passes > 0) {
        await app.stop();
        process.exit(0);
      }
    });
}
