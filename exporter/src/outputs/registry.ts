import type { Config } from '../config/schema.js';
import type { Logger } from '../util/logger.js';
import type { Metrics } from '../metrics/registry.js';
import type { Output } from './types.js';
import { stdoutOutput } from './stdout.js';

export interface OutputContext {
  config: Config;
  metrics: Metrics;
  log: Logger;
}

/** One factory per output kind; each returns null when disabled. Add an output by adding a line. */
type OutputFactory = (ctx: OutputContext) => Output | null | Promise<Output | null>;

const factories: { name: string; create: OutputFactory }[] = [
  { name: 'stdout', create: ({ config }) => (config.outputs.stdout.enabled ? stdoutOutput(config.outputs.stdout.format) : null) },
];

export function registerOutput(name: string, create: OutputFactory): void {
  factories.push({ name, create });
}

export async function createOutputs(ctx: OutputContext): Promise<Output[]> {
  const outputs: Output[] = [];
  for (const f of factories) {
    const o = await f.create(ctx);
    if (o) outputs.push(o);
  }
  return outputs;
}
