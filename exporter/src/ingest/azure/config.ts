import { z } from 'zod';

/** POST endpoint for Event Hubs forwarders (Azure Functions, Logstash, Vector) posting activity records. */
export const azureHttpConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    path: z.string().startsWith('/').default('/azure'),
    max_body_bytes: z.number().int().positive().default(16 * 1024 * 1024),
  })
  .prefault({});

/** Direct reading of the Event Hub that diagnostic settings export the Activity Log to. */
export const azureEventHubsConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    /** Endpoint=sb://NS.servicebus.windows.net/;SharedAccessKeyName=...;SharedAccessKey=...[;EntityPath=hub] (listen rights). */
    connection_string: z.string().default(''),
    /** NS.servicebus.windows.net: used with Azure AD (DefaultAzureCredential) when connection_string is empty. */
    fully_qualified_namespace: z.string().default(''),
    /** The hub (insights-activity-logs by default for diagnostic settings); empty when the connection string names it. */
    event_hub_name: z.string().default('insights-activity-logs'),
    consumer_group: z.string().default('$Default'),
    /** Where checkpoints are kept; default `<storage.dir>/eventhubs`. */
    checkpoint_dir: z.string().default(''),
    /** Where to begin on a partition without checkpoint. */
    start_position: z.enum(['latest', 'earliest']).default('latest'),
    max_batch_size: z.number().int().positive().default(100),
    max_wait_seconds: z.number().positive().default(5),
    /** Wait before re-attaching a dropped link or reconnecting (the SDK's retryDelayInMs; its default is 30 s). */
    retry_delay_seconds: z.number().positive().default(30),
  })
  .prefault({});

export type AzureHttpConfig = z.infer<typeof azureHttpConfigSchema>;
export type AzureEventHubsConfig = z.infer<typeof azureEventHubsConfigSchema>;
