import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { JWTOptions } from 'google-auth-library';
import { InputError } from '../../../util/errors.js';

export const GCS_READ_SCOPE = 'https://www.googleapis.com/auth/devstorage.read_only';

export interface GoogleCredentialOptions {
  /** The HTTP client google-auth-library uses (tests point Google's token endpoint at a loopback peer). */
  transporter?: JWTOptions['transporter'];
}

/**
 * The credentials file Application Default Credentials would use, read from `env` (not the
 * process): `credentials_file` from config, else GOOGLE_APPLICATION_CREDENTIALS, else the file
 * `gcloud auth application-default login` writes. Null when none exists: the metadata server is next.
 */
export async function adcFile(configured: string | undefined, env: NodeJS.ProcessEnv): Promise<string | null> {
  if (configured) return configured;
  if (env.GOOGLE_APPLICATION_CREDENTIALS) return env.GOOGLE_APPLICATION_CREDENTIALS;
  const gcloudDir = env.CLOUDSDK_CONFIG ?? path.join(env.HOME ?? os.homedir(), '.config', 'gcloud');
  const wellKnown = path.join(gcloudDir, 'application_default_credentials.json');
  return (await readFile(wellKnown).then(() => true, () => false)) ? wellKnown : null;
}

/**
 * Access tokens from a credentials file through google-auth-library: a service-account key
 * (JWT-bearer grant), a gcloud user login (refresh token), or workload identity federation
 * (external_account). The client caches the token and refreshes it before it expires.
 */
export function googleFileTokenSource(file: string, where: string, opts: GoogleCredentialOptions = {}): () => Promise<string> {
  let client: Promise<{ getAccessToken(): Promise<{ token?: string | null }> }> | null = null;
  const load = async (): Promise<{ getAccessToken(): Promise<{ token?: string | null }> }> => {
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new InputError(`cannot read Google credentials file ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'state_fetch_failed', where);
    }
    const lib = await import('google-auth-library');
    const common = { transporter: opts.transporter };
    switch (json.type) {
      case 'service_account':
        return new lib.JWT({ ...common, email: String(json.client_email), key: String(json.private_key), keyId: json.private_key_id as string | undefined, scopes: [GCS_READ_SCOPE] });
      case 'authorized_user':
        return new lib.UserRefreshClient({ ...common, clientId: String(json.client_id), clientSecret: String(json.client_secret), refreshToken: String(json.refresh_token) });
      case 'external_account': {
        const ext = lib.ExternalAccountClient.fromJSON({ ...json, scopes: [GCS_READ_SCOPE], transporter: opts.transporter } as never);
        if (!ext) throw new InputError(`${file}: unsupported external_account credentials`, 'state_fetch_failed', where);
        return ext;
      }
      default:
        throw new InputError(`${file}: unsupported credentials type ${JSON.stringify(json.type)} (expected service_account, authorized_user or external_account)`, 'state_fetch_failed', where);
    }
  };
  return async () => {
    client ??= load().catch((err: unknown) => {
      client = null;
      throw err;
    });
    const c = await client;
    try {
      const { token } = await c.getAccessToken();
      if (!token) throw new Error('no access token returned');
      return token;
    } catch (err) {
      if (err instanceof InputError) throw err;
      // google-auth-library's errors carry the token endpoint's reason (invalid_grant, …), never the key.
      throw new InputError(`no access token from ${file}: ${(err as Error).message.replace(/\s+/g, ' ').slice(0, 300)}`, 'state_fetch_failed', where);
    }
  };
}
