import { parentPort, workerData } from 'node:worker_threads';
import type { ProviderId } from '../model/event.js';
import type { ProviderAdapter } from '../providers/types.js';
import { awsProvider } from '../providers/aws/adapter.js';
import { gcpProvider } from '../providers/gcp/adapter.js';
import { azureProvider } from '../providers/azure/adapter.js';
import type { RecordFormat } from '../ingest/records.js';
import { type ObjectJob, processObject } from './decode.js';
import type { ProviderLookup, TimeWindow, TriageContext } from './triage.js';

/** Worker side of the replay pool: reads, gunzips, scans and triages objects, one at a time, in arrival order. */
const { format, window } = workerData as { format: RecordFormat; window: TimeWindow | null };
// Each provider's mapping tables are loaded on first use: an AWS archive never loads GCP's or Azure's.
const factories: Record<ProviderId, () => ProviderAdapter> = { aws: awsProvider, gcp: gcpProvider, azure: azureProvider };
const SOURCES: Record<string, ProviderId> = { aws_cloudtrail: 'aws', gcp_auditlog: 'gcp', azure_activitylog: 'azure' };
const built = new Map<ProviderId, ProviderAdapter>();
const byId = (id: ProviderId): ProviderAdapter | undefined => {
  if (!built.has(id) && factories[id]) built.set(id, factories[id]());
  return built.get(id);
};
const providers: ProviderLookup = { byId, bySource: (source) => (SOURCES[source] ? byId(SOURCES[source]) : undefined) };
const ctx: TriageContext = { format, window, providers };
let chain = Promise.resolve();
parentPort!.on('message', (job: ObjectJob) => {
  chain = chain.then(() =>
    processObject(job, ctx, (batch, done) => parentPort!.postMessage({ seq: job.seq, batch, done })).catch((err: unknown) =>
      parentPort!.postMessage({ seq: job.seq, fatal: String((err as Error)?.stack ?? err) }),
    ),
  );
});
parentPort!.postMessage({ ready: true });
// Most archives are CloudTrail: load AWS's tables now, while the main thread loads the states.
setImmediate(() => byId('aws'));
