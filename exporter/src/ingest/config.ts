import { z } from 'zod';
import { azureEventHubsConfigSchema, azureHttpConfigSchema } from './azure/config.js';
import { awsEventBridgeConfigSchema } from './eventbridge/config.js';
import { gcpPubSubConfigSchema } from './pubsub/config.js';
import { awsArchiveBackfillConfigSchema } from './backfill/config.js';

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
      /** unix:///run/falco/falco.sock, or host:port (Falco requires mutual TLS on TCP). */
      address: z.string().default('unix:///run/falco/falco.sock'),
      tls: z
        .strictObject({
          enabled: z.boolean().default(false),
          ca: z.string().default(''),
          cert: z.string().default(''),
          key: z.string().default(''),
          /** Overrides the name checked against the server certificate (default: the address host). */
          server_name: z.string().default(''),
        })
        .prefault({}),
      /** sub: bidirectional stream (Falco 0.37–0.43 default); get: poll the server stream. */
      method: z.enum(['sub', 'get']).default('sub'),
      /** How often a `request` is sent on the sub stream (Falco answers each with what is queued). */
      poll_interval_ms: z.number().int().positive().default(100),
      reconnect: z
        .strictObject({
          initial_ms: z.number().int().positive().default(250),
          max_ms: z.number().int().positive().default(30_000),
        })
        .prefault({}),
    })
    .prefault({}),
  /** The on-disk journal every accepted alert is written to before it is acknowledged. */
  journal: z
    .strictObject({
      /** always: an HTTP 200 means fdatasync'ed (group commit); interval: synced every fsync_interval_ms; never: the OS decides. */
      fsync: z.enum(['always', 'interval', 'never']).default('always'),
      fsync_interval_ms: z.number().int().positive().default(100),
      segment_bytes: z.number().int().positive().default(64 * 1024 * 1024),
      /** Unprocessed bytes beyond this are refused (HTTP 503, counted) so the disk stays bounded. */
      max_bytes: z.number().int().positive().default(1024 * 1024 * 1024),
    })
    .prefault({}),
  /** Falco `source` name of Azure activity-log alerts (there is no official plugin; a custom one may use another name). */
  azure_falco_source: z.string().min(1).default('azure_activitylog'),
  /** POST endpoint for Event Hubs forwarders (Azure activity records as NDJSON / {"records":[...]}). */
  azure_http: azureHttpConfigSchema,
  /** Direct Event Hubs consumer for the Activity Log diagnostic-settings export. */
  azure_event_hubs: azureEventHubsConfigSchema,
  /** CloudTrail via an EventBridge rule → SQS (seconds instead of Falco's S3 minutes). */
  aws_eventbridge: awsEventBridgeConfigSchema,
  /** Cloud Audit Logs via a log sink → Pub/Sub (full entries: request, policyDelta, status). */
  gcp_pubsub: gcpPubSubConfigSchema,
  /** Recently seen alerts remembered to drop redeliveries (same CloudTrail event ID or identical fields); 0 disables. */
  dedup_keys: z.number().int().nonnegative().default(100_000),
  /** On start, read the CloudTrail archive in S3 for what Falco sent while the exporter was down. */
  aws_archive_backfill: awsArchiveBackfillConfigSchema,
});
export type InputsConfig = z.infer<typeof inputsConfigSchema>;
