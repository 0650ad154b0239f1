import path from 'node:path';
import type { Output } from '../types.js';
import type { OutputContext } from '../registry.js';
import { transportOutput } from '../transport-output.js';
import type { Clock } from '../retry.js';
import { LokiTransport } from './transport.js';

/** The Loki output: our winston transport behind the Output interface. */
export function lokiOutput(ctx: OutputContext, opts: { clock?: Clock; env?: NodeJS.ProcessEnv } = {}): Output {
  const cfg = ctx.config.outputs.loki;
  const spoolDir = cfg.spool.dir || path.join(ctx.config.storage.dir, 'loki-spool');
  const transport = new LokiTransport({ config: cfg, spoolDir, log: ctx.log, metrics: ctx.metrics, clock: opts.clock, env: opts.env });
  return transportOutput('loki', transport);
}
