import { z } from 'zod';

export const STATE_BACKENDS = ['local', 's3', 'gcs', 'azurerm', 'http', 'remote'] as const;

export const stateSourceConfigSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, "_", "." or "-"'),
    backend: z.enum(STATE_BACKENDS),
    provider: z.enum(['aws', 'gcp', 'azure']),
    account_id: z.string().optional(),
    project_id: z.string().optional(),
    subscription_id: z.string().optional(),
    region: z.string().optional(),
    // backend-specific keys
    path: z.string().optional(),
    bucket: z.string().optional(),
    key: z.string().optional(),
    url: z.string().optional(),
    organization: z.string().optional(),
    workspace: z.string().optional(),
    /** Seconds between reload checks; 0 disables periodic reload. */
    reload_interval_seconds: z.number().int().min(0).default(300),
  })
  .superRefine((s, ctx) => {
    if (s.backend === 'local' && !s.path) ctx.addIssue({ code: 'custom', path: ['path'], message: 'required for backend "local"' });
  });
export type StateSourceConfig = z.infer<typeof stateSourceConfigSchema>;

export const statesConfigSchema = z.array(stateSourceConfigSchema).default([]);

/** The account the source speaks for, whatever the provider calls it. */
export function sourceAccount(s: StateSourceConfig): string | null {
  return s.account_id ?? s.project_id ?? s.subscription_id ?? null;
}
