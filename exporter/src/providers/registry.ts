import type { ProviderId } from '../model/event.js';
import type { ProviderAdapter } from './types.js';
import { awsProvider } from './aws/adapter.js';
import { gcpProvider } from './gcp/adapter.js';
import { azureProvider } from './azure/adapter.js';

/**
 * One entry per cloud; a provider is added by adding it here. Built on first use (the mapping
 * tables are parsed then), so a command that fails on its configuration fails before that cost.
 */
let adapters: Map<ProviderId, ProviderAdapter> | null = null;
const registry = (): Map<ProviderId, ProviderAdapter> =>
  (adapters ??= new Map<ProviderId, ProviderAdapter>([
    ['aws', awsProvider()],
    ['gcp', gcpProvider()],
    ['azure', azureProvider()],
  ]));

export function registerProvider(adapter: ProviderAdapter): void {
  registry().set(adapter.id, adapter);
}

export function getProvider(id: ProviderId): ProviderAdapter | undefined {
  return registry().get(id);
}

export function allProviders(): ProviderAdapter[] {
  return [...registry().values()];
}

export function providerForFalcoSource(source: string): ProviderAdapter | undefined {
  return allProviders().find((p) => p.falcoSources.includes(source));
}
