import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import type { RecordFormat } from '../ingest/records.js';
import type { DetectionConfig } from '../detect/config.js';
import type { StateSnapshot } from '../state/model.js';
import { StateIndex } from '../state/index.js';
import { assessRules } from '../assess.js';
import { type ObjectJob, TooLargeForThisThread, processObject } from './decode.js';
import { lazyProviders } from './providers.js';
import { type TimeWindow, type TriageContext, providerLookup, readerDetection } from './triage.js';

/**
 * Worker side of the replay pool: reads, gunzips, scans, resolves and assesses objects against
 * its own index of the states, one object at a time, in arrival order; the main thread keeps the
 * ledger. The states arrive as the first message, before any job.
 */
const { format, window, detection, exporterName } = workerData as { format: RecordFormat; window: TimeWindow | null; detection: DetectionConfig; exporterName: string };
const providers = lazyProviders();
const rules = assessRules(detection, exporterName);
let ctx: TriageContext | null = null;
let chain = Promise.resolve();
parentPort!.on('message', (m: ObjectJob | { states: StateSnapshot[] }) => {
  if ('states' in m) {
    // A string, and what is parsed from it, takes several times its bytes: a fifth of the heap.
    const textLimit = Math.floor(getHeapStatistics().heap_size_limit / 5);
    ctx = { format, window, providers: providerLookup(providers), detection: readerDetection(new StateIndex(m.states), rules), textLimit };
    return;
  }
  const job = m;
  chain = chain.then(() => {
    if (!ctx) return void parentPort!.postMessage({ seq: job.seq, fatal: 'a job arrived before the states' });
    return processObject(job, ctx, (batch, done) => parentPort!.postMessage({ seq: job.seq, batch, done })).catch((err: unknown) => {
      // Handed back whole (with the bytes it was given, if any) for the main thread to read.
      if (err instanceof TooLargeForThisThread) return parentPort!.postMessage({ seq: job.seq, handBack: true, data: job.data }, job.data ? [job.data.buffer as ArrayBuffer] : []);
      parentPort!.postMessage({ seq: job.seq, fatal: String((err as Error)?.stack ?? err) });
    });
  });
});
parentPort!.postMessage({ ready: true });
// Most archives are CloudTrail: load AWS's tables now, while the main thread loads the states.
setImmediate(() => providers[0].recognises({}));
