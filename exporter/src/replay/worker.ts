import { parentPort, workerData } from 'node:worker_threads';
import type { RecordFormat } from '../ingest/records.js';
import { type ObjectJob, processObject } from './decode.js';
import { lazyProviders } from './providers.js';
import { type TimeWindow, type TriageContext, providerLookup } from './triage.js';

/** Worker side of the replay pool: reads, gunzips, scans and triages objects, one at a time, in arrival order. */
const { format, window } = workerData as { format: RecordFormat; window: TimeWindow | null };
const providers = lazyProviders();
const ctx: TriageContext = { format, window, providers: providerLookup(providers), resolveEarly: true };
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
setImmediate(() => providers[0].recognises({}));
