import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { InputError } from '../../../util/errors.js';

/**
 * Azure AD credentials the way Azure's own tools find them: `DefaultAzureCredential` from
 * @azure/identity — environment (AZURE_TENANT_ID + AZURE_CLIENT_ID + AZURE_CLIENT_SECRET or
 * certificate), workload identity (AKS: AZURE_FEDERATED_TOKEN_FILE), managed identity (IMDS,
 * App Service / Functions / Container Apps endpoints; AZURE_CLIENT_ID picks a user-assigned
 * one), then the Azure CLI's login. Loaded on first use, one instance per process so tokens
 * are cached and refreshed by the library.
 */
let shared: Promise<TokenCredential> | null = null;

export function defaultAzureCredential(): Promise<TokenCredential> {
  shared ??= import('@azure/identity').then(({ DefaultAzureCredential }) => new DefaultAzureCredential());
  return shared;
}

/** A bearer-token source for one scope (`https://storage.azure.com/.default`), refreshed before expiry. */
export function azureTokenSource(scope: string, where: string, credential: () => Promise<TokenCredential> = defaultAzureCredential): () => Promise<string> {
  let cached: AccessToken | null = null;
  return async () => {
    if (cached && cached.expiresOnTimestamp - 60_000 > Date.now()) return cached.token;
    let token: AccessToken | null;
    try {
      token = await (await credential()).getToken(scope);
    } catch (err) {
      // The library's message lists every credential it tried and why each was unavailable; no secrets.
      const why = (err as Error).message.replace(/\s+/g, ' ').slice(0, 600);
      throw new InputError(`no Azure AD token (DefaultAzureCredential: managed identity, workload identity, AZURE_CLIENT_ID/AZURE_CLIENT_SECRET, az login): ${why}`, 'state_fetch_failed', where);
    }
    if (!token) throw new InputError('no Azure AD token: DefaultAzureCredential returned none', 'state_fetch_failed', where);
    cached = token;
    return token.token;
  };
}
