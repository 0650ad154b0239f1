import { z } from 'zod';

/** Cloud Audit Logs that a log sink publishes to Pub/Sub (deploy/gcp/pubsub), read by streaming pull. */
export const gcpPubSubConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    /** Full subscription paths: projects/PROJECT/subscriptions/NAME. */
    subscriptions: z.array(z.string().regex(/^projects\/[^/]+\/subscriptions\/[^/]+$/, 'expected projects/PROJECT/subscriptions/NAME')).default([]),
    /** Flow control: messages leased and not yet acknowledged, per subscription. */
    max_messages: z.number().int().positive().default(1000),
    /** Streaming pull streams per subscription. */
    max_streams: z.number().int().min(1).max(20).default(2),
  })
  .prefault({});
export type GcpPubSubConfig = z.infer<typeof gcpPubSubConfigSchema>;
