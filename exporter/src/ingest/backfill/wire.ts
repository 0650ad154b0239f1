import path from 'node:path';
import type { Config } from '../../config/schema.js';
import type { Metrics } from '../../metrics/registry.js';
import type { AlertProcessor } from '../intake.js';
import type { Logger } from '../../util/logger.js';
import type { AlertIngest } from '../service.js';
import { ArchiveBackfill, type BackfillReport } from './backfill.js';
import { ReceivedLog } from './received.js';

export interface ArchiveBackfillWiring {
  /** The pipeline as the journal drain sees it: every processed alert is noted in the received log. */
  observing(processor: AlertProcessor): AlertProcessor;
  /** Begins reading the archive in the background (after the journal and the server are up). */
  start(alerts: Pick<AlertIngest, 'accept' | 'idle'>): void;
  /** Resolves when the backfill of this start has finished. */
  done(): Promise<BackfillReport>;
  /** Stops reading the archive (before the journal drains at shutdown). */
  stop(): Promise<void>;
  /** Writes the received log (after the journal has drained, so it holds everything processed). */
  close(): void;
}

/** The backfill input, when `inputs.aws_archive_backfill.enabled`; null otherwise. */
export function wireArchiveBackfill(config: Config, deps: { metrics: Metrics; log: Logger }): ArchiveBackfillWiring | null {
  const cfg = config.inputs.aws_archive_backfill;
  deps.metrics.backfillPending.set(0);
  for (const result of ['read', 'failed']) deps.metrics.backfillObjects.inc({ result }, 0);
  for (const result of ['queued', 'duplicate']) deps.metrics.backfillEvents.inc({ result }, 0);
  if (!cfg.enabled) return null;
  const received = new ReceivedLog(path.join(config.storage.dir, 'backfill'), { overlapMs: cfg.overlap_minutes * 60_000, maxIds: cfg.remembered_ids, log: deps.log });
  let backfill: ArchiveBackfill | null = null;
  // start() runs once the states have settled; done() asked before that waits for it (or for stop()).
  let markStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  return {
    observing: (processor) => ({
      processFalcoAlert(body, input, receivedAt) {
        received.observe(body);
        return processor.processFalcoAlert(body, input, receivedAt);
      },
      ...(processor.processRecord ? { processRecord: processor.processRecord.bind(processor) } : {}),
    }),
    start(alerts) {
      backfill ??= new ArchiveBackfill({ config: cfg, received, alerts, metrics: deps.metrics, log: deps.log });
      backfill.start();
      markStarted();
    },
    done: () => started.then(() => (backfill ? backfill.done() : { objects: 0, queued: 0, duplicates: 0, error: null })),
    async stop() {
      markStarted();
      await backfill?.stop();
    },
    close: () => received.close(),
  };
}
