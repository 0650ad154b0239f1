import { z } from 'zod';
import { serverConfigSchema } from '../server/config.js';
import { inputsConfigSchema } from '../ingest/config.js';
import { statesConfigSchema } from '../state/config.js';
import { outputsConfigSchema } from '../outputs/config.js';
import { detectionConfigSchema } from '../detect/config.js';
import { fleetConfigSchema } from '../fleet/config.js';

/** Top-level keys are a contract (DESIGN.md); rooms own what is below them. */
export const configSchema = z.strictObject({
  server: serverConfigSchema.prefault({}),
  inputs: inputsConfigSchema.prefault({}),
  states: statesConfigSchema,
  outputs: outputsConfigSchema.prefault({}),
  detection: detectionConfigSchema.prefault({}),
  /** This exporter as one shard of a fleet sharded by account. */
  fleet: fleetConfigSchema,
  storage: z
    .strictObject({
      /** Journals, spools and open drifts live here. */
      dir: z.string().default('./.tfdrift-data'),
    })
    .prefault({}),
  logging: z
    .strictObject({
      level: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
    })
    .prefault({}),
});
export type Config = z.infer<typeof configSchema>;
