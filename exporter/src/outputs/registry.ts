import type { Config } from '../config/schema.js';
import type { Logger } from '../util/logger.js';
import type { Metrics } from '../metrics/registry.js';
import type { Output } from './types.js';
import { stdoutOutput } from './stdout.js';
import { fileOutput } from './file.js';
import { lokiOutput } from './loki/output.js';
import { notifierOutput } from './notify/notifier.js';

export interface OutputContext {
  config: Config;
  metrics: Metrics;
  log: Logger;
  env?: NodeJS.ProcessEnv;
}

/** One factory per output kind; each returns null (disabled), one output, or several. Add an output by adding a line. */
type OutputFactory = (ctx: OutputContext) => Output | Output[] | null | Promise<Output | Output[] | null>;

const factories: { name: string; create: OutputFactory }[] = [
  { name: 'stdout', create: ({ config, metrics }) => (config.outputs.stdout.enabled ? stdoutOutput(config.outputs.stdout.format, process.stdout, metrics) : null) },
  { name: 'file', create: ({ config, metrics, log }) => (config.outputs.file.enabled ? fileOutput(config.outputs.file, metrics, log) : null) },
  { name: 'loki', create: (ctx) => (ctx.config.outputs.loki.enabled ? lokiOutput(ctx, { env: ctx.env }) : null) },
  {
    name: 'notifications',
    create: ({ config, metrics, log, env }) =>
      config.outputs.notifications.filter((n) => n.enabled).map((n) => notifierOutput(n, { metrics, log, env })),
  },
];

export function registerOutput(name: string, create: OutputFactory): void {
  factories.push({ name, create });
}

export async function createOutputs(ctx: OutputContext): Promise<Output[]> {
  const outputs: Output[] = [];
  for (const f of factories) {
    const o = await f.create(ctx);
    if (Array.isArray(o)) outputs.push(...o);
    else if (o) outputs.push(o);
  }
  const names = outputs.map((o) => o.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new Error(`two outputs are named "${dup}"; give notifications distinct names`);
  return outputs;
}
