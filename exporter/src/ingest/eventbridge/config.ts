import { z } from 'zod';

const reconnectSchema = z
  .strictObject({
    initial_ms: z.number().int().positive().default(250),
    max_ms: z.number().int().positive().default(30_000),
  })
  .prefault({});

/** CloudTrail management events that an EventBridge rule delivers to SQS (deploy/aws/eventbridge). */
export const awsEventBridgeConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    /** Queue URLs (one per region or per shard); each is long-polled on its own. */
    queues: z.array(z.string().url()).default([]),
    /** Region of the queues; default the one in each queue URL (sqs.REGION.amazonaws.com). */
    region: z.string().default(''),
    /** Another SQS endpoint (a VPC endpoint, a test peer); default the queue URL's host. */
    endpoint: z.string().default(''),
    /** Assumed on top of the default credential chain (env, profile, web identity, instance role). */
    role_arn: z.string().default(''),
    external_id: z.string().default(''),
    /** ReceiveMessage batch size (SQS allows 1–10). */
    max_messages: z.number().int().min(1).max(10).default(10),
    /** Concurrent long-poll loops per queue: one receive → journal → delete cycle each, side by side. */
    pollers_per_queue: z.number().int().min(1).max(32).default(2),
    /** Long polling (SQS allows 0–20 s). */
    wait_time_seconds: z.number().int().min(0).max(20).default(20),
    /** Visibility timeout asked for on receive; 0 keeps the queue's own. */
    visibility_timeout_seconds: z.number().int().min(0).max(43_200).default(0),
    /** A message that is not a CloudTrail event stays hidden this long, until the queue's redrive policy moves it to the dead-letter queue. */
    poison_visibility_seconds: z.number().int().min(0).max(43_200).default(300),
    reconnect: reconnectSchema,
  })
  .prefault({});
export type AwsEventBridgeConfig = z.infer<typeof awsEventBridgeConfigSchema>;
