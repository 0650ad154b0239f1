import { parentPort, workerData } from 'node:worker_threads';
import { allProviders } from '../providers/registry.js';
import type { RecordFormat } from '../ingest/records.js';
import { type ObjectJob, processObject } from './decode.js';
import type { TimeWindow, TriageContext } from './triage.js';

/** Worker side of the replay pool: reads, gunzips, scans and triages objects, one at a time, in arrival order. */
const { format, window } = workerData as { format: RecordFormat; window: TimeWindow | null };
const ctx: TriageContext = { format, window, providers: allProviders(), keepValues: false };
let chain = Promise.resolve();
parentPort!.on('message', (job: ObjectJob) => {
  chain = chain.then(() =>
    processObject(job, ctx, (batch, done) => parentPort!.postMessage({ seq: job.seq, batch, done })).catch((err: unknown) =>
      parentPort!.postMessage({ seq: job.seq, fatal: String((err as Error)?.stack ?? err) }),
    ),
  );
});
parentPort!.postMessage({ ready: true });
