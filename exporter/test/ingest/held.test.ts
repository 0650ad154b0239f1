import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AlertIngest } from '../../src/ingest/service.js';
import { Metrics } from '../../src/metrics/registry.js';
import type { ProcessOutcome } from '../../src/pipeline.js';
import { silentLogger } from '../../src/util/logger.js';
import { demoAlerts, tempDir } from './helpers.js';

/** An ingest whose pipeline holds the alerts named in `hold` until the test releases them. */
function ingestOn(dir: string, hold: Set<string>) {
  const seen: string[] = [];
  const release: (() => void)[] = [];
  const ingest = new AlertIngest({
    dir,
    journal: { fsync: 'always', fsyncIntervalMs: 100, segmentBytes: 1 << 20, maxBytes: 1 << 30 },
    pipeline: {
      processFalcoAlert(body: unknown): ProcessOutcome {
        const id = String((body as { output_fields: Record<string, unknown> }).output_fields['ct.id']);
        seen.push(id);
        if (!hold.has(id)) return { status: 'no_drift', reasons: [] };
        return { status: 'held', settled: new Promise<void>((resolve) => release.push(resolve)) };
      },
    },
    metrics: new Metrics({ defaultMetrics: false }),
    log: silentLogger(),
    dedupKeys: 0,
  });
  return { ingest, seen, release };
}

async function runHolding(dir: string, held: string, alerts: Record<string, unknown>[]) {
  const first = ingestOn(dir, new Set([held]));
  first.ingest.start();
  await first.ingest.accept(alerts.map((a) => Buffer.from(JSON.stringify(a))), 'falco_http');
  await first.ingest.idle();
  first.ingest.journal.syncCheckpoint();
  return first;
}

const idOf = (a: Record<string, unknown>) => String((a.output_fields as Record<string, unknown>)['ct.id']);

describe('alerts held for settle_seconds are not lost to a crash', () => {
  it('the checkpoint stays at a held alert; a crash meanwhile replays it and what followed', async () => {
    const dir = path.join(tempDir(), 'journal');
    const alerts = demoAlerts().slice(0, 4);
    const ids = alerts.map(idOf);
    const first = await runHolding(dir, ids[1], alerts);
    expect(first.seen).toEqual(ids);
    expect(first.ingest.journal.committed).toBe(first.ingest.journal.endOffset); // processing moved on
    expect(first.ingest.journal.durableOffset).toBeLessThan(first.ingest.journal.endOffset);
    // Crash while ids[1] is held: a new process replays from the held alert on.
    const afterCrash = ingestOn(dir, new Set());
    expect(afterCrash.ingest.replayBacklog).toBeGreaterThan(0);
    afterCrash.ingest.start();
    await afterCrash.ingest.idle();
    expect(afterCrash.seen).toEqual(ids.slice(1));
    await afterCrash.ingest.close();
  });

  it('once the hold ends (emitted or dropped) the checkpoint moves past everything processed', async () => {
    const dir = path.join(tempDir(), 'journal');
    const alerts = demoAlerts().slice(0, 4);
    const first = await runHolding(dir, idOf(alerts[2]), alerts);
    first.release.forEach((r) => r());
    await new Promise((r) => setImmediate(r));
    expect(first.ingest.journal.durableOffset).toBe(first.ingest.journal.endOffset);
    first.ingest.journal.syncCheckpoint();
    const later = ingestOn(dir, new Set());
    expect(later.ingest.replayBacklog).toBe(0);
    await later.ingest.close();
  });
});
