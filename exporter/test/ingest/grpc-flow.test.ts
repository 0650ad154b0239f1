import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FalcoGrpcInput } from '../../src/ingest/grpc.js';
import { inputsConfigSchema } from '../../src/ingest/config.js';
import { AlertIngest } from '../../src/ingest/service.js';
import { Metrics } from '../../src/metrics/registry.js';
import type { ProcessOutcome } from '../../src/pipeline.js';
import { silentLogger } from '../../src/util/logger.js';
import { corpusCloudTrail, responseFromCloudTrail } from './corpus.js';
import { FakeFalco, until } from './fake-falco.js';
import { counter, tempDir } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('gRPC flow control against the journal', () => {
  it('pauses the stream while the journal is half full and resumes as it drains: nothing refused, everything processed once', async () => {
    const records = (await corpusCloudTrail()).slice(0, 300);
    const metrics = new Metrics({ defaultMetrics: false });
    const processed = new Map<string, number>();
    let maxFill = 0;
    const ingest = new AlertIngest({
      dir: path.join(tempDir(), 'journal'),
      // ~300 alerts of ~1 KB journaled would need ~300 KB; the journal takes 64 KB.
      journal: { fsync: 'always', fsyncIntervalMs: 100, segmentBytes: 16 * 1024, maxBytes: 64 * 1024 },
      pipeline: {
        processFalcoAlert(body: unknown): ProcessOutcome {
          const id = String((body as { output_fields: Record<string, unknown> }).output_fields['ct.id']);
          processed.set(id, (processed.get(id) ?? 0) + 1);
          return { status: 'no_drift', reasons: [] };
        },
      },
      metrics,
      log: silentLogger(),
    });
    const falco = new FakeFalco();
    const address = await falco.start(`unix://${path.join(tempDir('tfdrift-sock-'), 'falco.sock')}`);
    falco.queue.push(...records.map(responseFromCloudTrail));
    const config = inputsConfigSchema.parse({ falco_grpc: { enabled: true, address, poll_interval_ms: 20 } }).falco_grpc;
    const input = new FalcoGrpcInput({ config, ingest, metrics, log: silentLogger() });
    input.start();
    cleanups.push(async () => {
      await input.stop();
      await falco.kill();
      await ingest.close();
    });
    // Processing has not started: the journal fills to the pause mark, and no further.
    const sample = setInterval(() => (maxFill = Math.max(maxFill, ingest.backlogFill())), 5);
    await until(() => ingest.backlogFill() >= 0.5, 10_000, 'journal half full');
    await new Promise((r) => setTimeout(r, 300));
    expect(ingest.backlogFill()).toBeLessThan(1);
    const acceptedWhilePaused = ingest.journal.endOffset;
    await new Promise((r) => setTimeout(r, 200));
    expect(ingest.journal.endOffset).toBe(acceptedWhilePaused); // the stream is paused
    ingest.start();
    await until(() => processed.size === records.length, 20_000, 'every alert processed');
    clearInterval(sample);
    expect(maxFill).toBeLessThan(1);
    expect([...processed.values()].every((n) => n === 1)).toBe(true);
    expect(await counter(metrics, 'tfdrift_events_failed_total', { reason: 'journal_full' })).toBe(0);
  });
});
