import { z } from 'zod';

export const STATE_BACKENDS = ['local', 's3', 'gcs', 'azurerm', 'http', 'remote'] as const;

/** Names an environment variable; secrets are read from the environment, never written in config or logs. */
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');

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
    /** local: file path or glob (`states/**\/*.tfstate`). */
    path: z.string().optional(),
    /** s3 / gcs: bucket name. */
    bucket: z.string().optional(),
    /** s3 / gcs / azurerm: object key or glob (`env:/*\/network.tfstate`, `prod/**`). */
    key: z.string().optional(),
    /** http: state URL. */
    url: z.string().optional(),
    /** remote (HCP Terraform / Terraform Enterprise). */
    organization: z.string().optional(),
    /** remote: workspace name or glob (`prod-*`). */
    workspace: z.string().optional(),
    /** remote: a workspace ID (`ws-…`) instead of organization/workspace. */
    workspace_id: z.string().optional(),
    /** remote: API address (default https://app.terraform.io). */
    hostname: z.string().optional(),
    /** s3 / gcs / azurerm / remote: API endpoint override (MinIO, Azurite, private endpoints). */
    endpoint: z.string().optional(),
    /** s3: path-style addressing (MinIO, s3rver). */
    force_path_style: z.boolean().optional(),
    /** s3: shared-config profile for the default credential chain. */
    profile: z.string().optional(),
    /** azurerm: storage account and container. */
    storage_account_name: z.string().optional(),
    container_name: z.string().optional(),
    /** azurerm: use an AAD bearer token (from `token_env`, else DefaultAzureCredential: managed identity, workload identity, service principal, az login) instead of a key/SAS. */
    use_azuread_auth: z.boolean().optional(),
    /** Environment variable names holding credentials (defaults follow each backend's Terraform conventions). */
    access_key_env: envName.optional(),
    sas_token_env: envName.optional(),
    token_env: envName.optional(),
    username_env: envName.optional(),
    password_env: envName.optional(),
    /** http: basic-auth user name (the password always comes from `password_env`). */
    username: z.string().optional(),
    /** gcs: a Google credentials file (service-account key, gcloud ADC, external_account); default GOOGLE_APPLICATION_CREDENTIALS. */
    credentials_file: z.string().optional(),
    /** Seconds between reload checks; 0 disables periodic reload. */
    reload_interval_seconds: z.number().int().min(0).default(300),
    /** local: react to file changes (fs.watch, debounced) in addition to the interval; default true. */
    watch: z.boolean().optional(),
    /** Per-request timeout for remote backends (every call is aborted at it); default 30. */
    timeout_seconds: z.number().positive().optional(),
    /** Further attempts after a failed load, with exponential backoff (1 s, 2 s, 4 s … capped at 30 s, jittered); default 2 (local: 0). */
    retries: z.number().int().min(0).max(10).optional(),
  })
  .superRefine((s, ctx) => {
    const need = (key: keyof typeof s, why = `required for backend "${s.backend}"`): void => {
      if (s[key] === undefined || s[key] === '') ctx.addIssue({ code: 'custom', path: [key], message: why });
    };
    switch (s.backend) {
      case 'local':
        need('path');
        break;
      case 's3':
      case 'gcs':
        need('bucket');
        need('key');
        break;
      case 'azurerm':
        need('storage_account_name');
        need('container_name');
        need('key');
        break;
      case 'http':
        need('url');
        break;
      case 'remote':
        if (!s.workspace_id) {
          need('organization', 'required for backend "remote" unless workspace_id is set');
          need('workspace', 'required for backend "remote" unless workspace_id is set');
        }
        break;
    }
  });
export type StateSourceConfig = z.infer<typeof stateSourceConfigSchema>;

export const statesConfigSchema = z.array(stateSourceConfigSchema).default([]).superRefine((list, ctx) => {
  const seen = new Set<string>();
  list.forEach((s, i) => {
    if (seen.has(s.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate state name "${s.name}"` });
    seen.add(s.name);
  });
});

/** The account the source speaks for, whatever the provider calls it. */
export function sourceAccount(s: StateSourceConfig): string | null {
  const raw = s.account_id ?? s.project_id ?? s.subscription_id ?? null;
  // Subscription IDs are GUIDs that Azure spells in either case.
  return raw !== null && s.provider === 'azure' ? raw.toLowerCase() : raw;
}

/** Retries after a failed load: local files fail for lasting reasons (and are watched), remote calls for passing ones. */
export function loadRetries(s: StateSourceConfig): number {
  return s.retries ?? (s.backend === 'local' ? 0 : 2);
}

/** A config with defaults filled in, for code that builds sources (CLI, tests) rather than parsing YAML. */
export function stateSource(partial: z.input<typeof stateSourceConfigSchema>): StateSourceConfig {
  return stateSourceConfigSchema.parse(partial);
}
