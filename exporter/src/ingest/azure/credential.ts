import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';

/**
 * A TokenCredential that loads @azure/identity's DefaultAzureCredential on its first token
 * request, so the SDK is only loaded when Azure AD is used.
 */
export function lazyAzureCredential(make: () => Promise<TokenCredential> = async () => new (await import('@azure/identity')).DefaultAzureCredential()): TokenCredential {
  let credential: Promise<TokenCredential> | null = null;
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      credential ??= make();
      return (await credential).getToken(scopes, options);
    },
  };
}
