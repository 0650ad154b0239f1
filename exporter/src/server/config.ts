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
  /**
   * Slow or stuck clients must not hold the daemon: a request (headers and body) must arrive
   * within request_seconds, its headers within headers_seconds; idle keep-alive connections close
   * after keep_alive_seconds (above the client's own idle limit: libcurl in Falco keeps
   * connections 118 s, Go's net/http in Falcosidekick 90 s, so the client closes first and
   * never reuses a connection the server is closing); at most max_connections at once.
   */
  limits: z
    .strictObject({
      request_seconds: z.number().positive().default(30),
      headers_seconds: z.number().positive().default(10),
      keep_alive_seconds: z.number().positive().default(125),
      max_connections: z.number().int().positive().default(1024),
    })
    .prefault({})
    .refine((l) => l.headers_seconds <= l.request_seconds, { message: 'headers_seconds must not exceed request_seconds', path: ['headers_seconds'] }),
});
export type ServerConfig = z.infer<typeof serverConfigSchema>;
