import { z } from 'zod';

/**
 * `inputs.aws_archive_backfill`: on start, read the CloudTrail archive in S3 for what Falco sent
 * while the exporter was down (Falco's http_output drops what it cannot deliver).
 */
export const awsArchiveBackfillConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    /** s3://bucket/prefix of the trail's archive (the AWSLogs/[o-org/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ layout). */
    archives: z.array(z.string().regex(/^s3:\/\/[^/]+/, 'expected s3://bucket/prefix')).default([]),
    /** Never read further back than this, however long the exporter was down. */
    max_window_hours: z.number().positive().default(24),
    /** Also re-read this much before the last alert received per account/region (CloudTrail delivers late and out of order). */
    overlap_minutes: z.number().nonnegative().default(20),
    /** Only these accounts / regions (default: every one in the archive). */
    accounts: z.array(z.string().regex(/^\d{12}$/)).default([]),
    regions: z.array(z.string()).default([]),
    /** Parallel S3 requests while listing and reading. */
    concurrency: z.number().int().positive().default(8),
    /** S3-compatible endpoint (else AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL / AWS). Credentials: the AWS default chain. */
    endpoint: z.string().default(''),
    /** Event IDs of recent alerts remembered (on disk) so nothing received before a stop is processed twice. */
    remembered_ids: z.number().int().positive().default(200_000),
  })
  .superRefine((c, ctx) => {
    if (c.enabled && c.archives.length === 0) ctx.addIssue({ code: 'custom', path: ['archives'], message: 'name at least one s3://bucket/prefix when the backfill is enabled' });
  })
  .prefault({});
export type AwsArchiveBackfillConfig = z.infer<typeof awsArchiveBackfillConfigSchema>;
