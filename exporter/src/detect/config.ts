import { z } from 'zod';

export const detectionConfigSchema = z.strictObject({
  /** A repeat of an open drift within this window updates it instead of alerting again. */
  dedup_window_seconds: z.number().int().min(0).default(3600),
});
export type DetectionConfig = z.infer<typeof detectionConfigSchema>;
