import type { ProviderId } from '../model/event.js';
import type { ProviderAdapter } from './types.js';
import { awsProvider } from './aws/adapter.js';
import { gcpProvider } from './gcp/adapter.js';
import { azureProvider } from './azure/adapter.js';

/** One entry per cloud; a provider is added by adding it here. */
const adapters = new Map<ProviderId, ProviderAdapter>([
  ['aws', awsProvider()],
  ['gcp', gcpProvider()],
  ['azure', azureProvider()],
]);

export function registerProvider(adapter: ProviderAdapter): void {
  adapters.set(adapter.id, adapter);
}

export function getProvider(id: ProviderId): ProviderAdapter | undefined {
  return adapters.get(id);
}

export function allProviders(): ProviderAdapter[] {
  return [...adapters.values()];
}

export function providerForFalcoSource(source: string): ProviderAdapter | undefined {
  return allProviders().find((p) => p.falcoSources.includes(source));
}
