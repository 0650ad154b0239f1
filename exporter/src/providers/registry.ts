import type { ProviderId } from '../model/event.js';
import type { ProviderAdapter } from './types.js';
import { awsProvider } from './aws/adapter.js';
import { gcpProvider } from './gcp/adapter.js';
import { azureProvider } from './azure/adapter.js';
import { loadMappingTables, type MappingTables } from './mapping/load.js';

/** Mapping tables are read once per process; adapters built from them are cheap. */
const tables = new Map<string, MappingTables>();
function tablesFor(provider: string): MappingTables {
  let t = tables.get(provider);
  if (!t) tables.set(provider, (t = loadMappingTables(provider)));
  return t;
}

/**
 * One factory per cloud; a provider is added by adding it here. Each call of `allProviders()`
 * builds fresh adapters, so what one pipeline remembers of multi-part operations (GCP operation
 * IDs, Azure correlation IDs) is its own.
 */
const factories = new Map<ProviderId, () => ProviderAdapter>([
  ['aws', () => awsProvider(tablesFor('aws'))],
  ['gcp', () => gcpProvider(tablesFor('gcp'))],
  ['azure', () => azureProvider({ tables: tablesFor('azure') })],
]);
const registered = new Map<ProviderId, ProviderAdapter>();

export function registerProvider(adapter: ProviderAdapter): void {
  registered.set(adapter.id, adapter);
}

function build(id: ProviderId): ProviderAdapter | undefined {
  return registered.get(id) ?? factories.get(id)?.();
}

export function getProvider(id: ProviderId): ProviderAdapter | undefined {
  return build(id);
}

export function allProviders(): ProviderAdapter[] {
  const ids = new Set<ProviderId>([...factories.keys(), ...registered.keys()]);
  return [...ids].map((id) => build(id)).filter((p): p is ProviderAdapter => p !== undefined);
}

export function providerForFalcoSource(source: string): ProviderAdapter | undefined {
  return allProviders().find((p) => p.falcoSources.includes(source));
}
