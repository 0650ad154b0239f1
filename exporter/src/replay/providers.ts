import type { ProviderId } from '../model/event.js';
import type { ProviderAdapter } from '../providers/types.js';
import { awsProvider } from '../providers/aws/adapter.js';
import { gcpProvider } from '../providers/gcp/adapter.js';
import { AZURE_FALCO_SOURCE, azureProvider } from '../providers/azure/adapter.js';

const FACTORIES: { id: ProviderId; falcoSources: string[]; sequential: boolean; build: () => ProviderAdapter }[] = [
  { id: 'aws', falcoSources: ['aws_cloudtrail'], sequential: false, build: () => awsProvider() },
  { id: 'gcp', falcoSources: ['gcp_auditlog'], sequential: true, build: () => gcpProvider() },
  { id: 'azure', falcoSources: [AZURE_FALCO_SOURCE], sequential: true, build: () => azureProvider() },
];

/**
 * The three providers, each building itself (loading its mapping tables) on first use: a
 * CloudTrail replay never pays for GCP's and Azure's tables. One instance per thread, so stateful
 * resolvers (Azure's correlation folding) see every record of that thread.
 */
export function lazyProviders(): ProviderAdapter[] {
  return FACTORIES.map(({ id, falcoSources, sequential, build }) => {
    let real: ProviderAdapter | null = null;
    const get = (): ProviderAdapter => (real ??= build());
    return {
      id,
      falcoSources,
      sequential,
      fromFalco: (fields, falco) => get().fromFalco(fields, falco),
      recognises: (r) => get().recognises(r),
      fromRecord: (r) => get().fromRecord(r),
      resolve: (e) => get().resolve(e),
    };
  });
}
