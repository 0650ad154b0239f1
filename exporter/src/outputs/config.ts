import { z } from 'zod';

export const outputsConfigSchema = z.strictObject({
  stdout: z
    .strictObject({
      enabled: z.boolean().default(true),
      format: z.enum(['jsonl', 'pretty']).default('jsonl'),
    })
    .prefault({}),
  loki: z
    .strictObject({
      enabled: z.boolean().default(false),
      url: z.string().default('http://127.0.0.1:3100'),
      labels: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), z.string()).default({ job: 'tfdrift' }),
    })
    .prefault({}),
});
export type OutputsConfig = z.infer<typeof outputsConfigSchema>;
