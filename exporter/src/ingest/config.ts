import { z } from 'zod';

export const inputsConfigSchema = z.strictObject({
  falco_http: z
    .strictObject({
      enabled: z.boolean().default(true),
      path: z.string().startsWith('/').default('/falco'),
      max_body_bytes: z.number().int().positive().default(4 * 1024 * 1024),
    })
    .prefault({}),
  falco_grpc: z
    .strictObject({
      enabled: z.boolean().default(false),
      address: z.string().default('unix:///run/falco/falco.sock'),
      tls: z
        .strictObject({
          enabled: z.boolean().default(false),
          ca: z.string().default(''),
          cert: z.string().default(''),
          key: z.string().default(''),
        })
        .prefault({}),
    })
    .prefault({}),
});
export type InputsConfig = z.infer<typeof inputsConfigSchema>;
