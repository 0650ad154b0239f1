import { z } from 'zod';

export const serverConfigSchema = z.strictObject({
  /** host:port; /metrics, /healthz, /readyz, /api/v1/*, POST /falco. */
  listen: z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[^:\s]+):\d{1,5}$/, 'expected "host:port"').default('127.0.0.1:9464'),
  /** This exporter's name in the `exporter` field of its records (a fleet shares one Loki); default the host name. */
  name: z.string().default(''),
  /** Bearer token; required when listen is not loopback (or mutual TLS). */
  token: z.string().default(''),
  tls: z
    .strictObject({
      enabled: z.boolean().default(false),
      cert: z.string().default(''),
      key: z.string().default(''),
      /** When set, clients must present a certificate signed by this CA (mutual TLS). */
      client_ca: z.string().default(''),
    })
    .prefault({}),
});
export type ServerConfig = z.infer<typeof serverConfigSchema>;
