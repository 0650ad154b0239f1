import { z } from 'zod';
import { SEVERITIES } from '../model/drift.js';

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/);

/** Loki push client. Secrets are named by environment variable (`*_env`) so config files carry none. */
export const lokiConfigSchema = z.strictObject({
  enabled: z.boolean().default(false),
  url: z.string().default('http://127.0.0.1:3100'),
  /** Static labels; `job` defaults to tfdrift. The per-record labels are fixed by DESIGN.md. */
  labels: z.record(labelName, z.string()).default({ job: 'tfdrift' }),
  batch_size: z.number().int().min(1).max(10_000).default(100),
  batch_interval_ms: z.number().int().min(1).default(1000),
  format: z.enum(['protobuf', 'json']).default('protobuf'),
  /** gzip request bodies in JSON format (protobuf bodies are always snappy-compressed). */
  gzip: z.boolean().default(true),
  tenant: z.string().default(''),
  basic_auth: z
    .strictObject({ username: z.string().default(''), password_env: z.string().default('') })
    .prefault({}),
  bearer_token_env: z.string().default(''),
  request_timeout_ms: z.number().int().min(1).default(10_000),
  /** How long stop() keeps trying to deliver; what is left stays spooled and is replayed on restart. */
  shutdown_timeout_ms: z.number().int().min(0).default(5000),
  spool: z
    .strictObject({
      /** Default: `<storage.dir>/loki-spool`. */
      dir: z.string().default(''),
      max_bytes: z.number().int().min(4096).default(256 * 1024 * 1024),
      /** fsync every append (survives power loss, not just process death); costs a disk flush per record. */
      fsync: z.boolean().default(false),
    })
    .prefault({}),
  retry: z
    .strictObject({
      initial_backoff_ms: z.number().int().min(1).default(500),
      max_backoff_ms: z.number().int().min(1).default(60_000),
    })
    .prefault({}),
});
export type LokiConfig = z.infer<typeof lokiConfigSchema>;

export const fileConfigSchema = z.strictObject({
  enabled: z.boolean().default(false),
  path: z.string().default('./tfdrift-drifts.jsonl'),
  /** Rotate when the file would exceed this; keep `max_files` rotated files (path.1 … path.N). */
  max_bytes: z.number().int().min(1024).default(100 * 1024 * 1024),
  max_files: z.number().int().min(0).default(5),
});
export type FileConfig = z.infer<typeof fileConfigSchema>;

export const NOTIFIER_TYPES = ['slack', 'discord', 'teams', 'pagerduty', 'webhook'] as const;
export type NotifierType = (typeof NOTIFIER_TYPES)[number];

export const notifierConfigSchema = z.strictObject({
  type: z.enum(NOTIFIER_TYPES),
  /** The `output` metric label; defaults to the type. Must be unique. */
  name: z.string().regex(/^[a-z0-9_-]{1,40}$/).optional(),
  enabled: z.boolean().default(true),
  /** Webhook URL, or the name of an environment variable holding it (preferred: URLs are secrets). */
  url: z.string().default(''),
  url_env: z.string().default(''),
  /** PagerDuty integration key (routing key), or the variable holding it. */
  routing_key_env: z.string().default(''),
  /** Generic webhook: HMAC-SHA256 key for the X-TFDrift-Signature-256 header. */
  secret_env: z.string().default(''),
  min_severity: z.enum(SEVERITIES).default('high'),
  send_resolved: z.boolean().default(true),
  /** Link to Grafana in messages, e.g. https://grafana.example.com/a/tfdrift-drift-app */
  link_url: z.string().default(''),
  rate_limit: z
    .strictObject({ per_minute: z.number().int().min(1).default(20), burst: z.number().int().min(1).default(10) })
    .prefault({}),
  dedup_window_seconds: z.number().int().min(0).default(3600),
  retry: z
    .strictObject({
      max_attempts: z.number().int().min(1).default(6),
      initial_backoff_ms: z.number().int().min(1).default(1000),
      max_backoff_ms: z.number().int().min(1).default(60_000),
    })
    .prefault({}),
  queue_max: z.number().int().min(1).default(1000),
  timeout_ms: z.number().int().min(1).default(10_000),
});
export type NotifierConfig = z.infer<typeof notifierConfigSchema>;

export const outputsConfigSchema = z.strictObject({
  stdout: z
    .strictObject({
      enabled: z.boolean().default(true),
      format: z.enum(['jsonl', 'pretty']).default('jsonl'),
    })
    .prefault({}),
  file: fileConfigSchema.prefault({}),
  loki: lokiConfigSchema.prefault({}),
  notifications: z.array(notifierConfigSchema).default([]),
});
export type OutputsConfig = z.infer<typeof outputsConfigSchema>;
