import type { Metrics } from '../../metrics/registry.js';
import type { Logger } from '../../util/logger.js';
import { errorMessage } from '../../util/errors.js';
import { isRecord } from '../../util/paths.js';
import { falcoAlertFromCloudTrail } from '../../providers/aws/falco-fields.js';
import { CloudTrailScanner, recordText } from '../../archive/scan.js';
import { gunzipWhole, isGzip } from '../../archive/gzip.js';
import { deliveryTime } from '../../archive/layout.js';
import type { AlertIngest } from '../service.js';
import type { AwsArchiveBackfillConfig } from './config.js';
import type { ReceivedLog } from './received.js';

export const BACKFILL_RULE = 'Terraform drift: AWS write (archive backfill)';

export interface BackfillReport {
  objects: number;
  queued: number;
  duplicates: number;
  error: string | null;
}

export interface BackfillDeps {
  config: AwsArchiveBackfillConfig;
  received: ReceivedLog;
  alerts: Pick<AlertIngest, 'accept' | 'idle'>;
  metrics: Metrics;
  log: Logger;
  now?: () => number;
}

/** `AWSLogs/[o-org/]ACCOUNT/CloudTrail/REGION/` of a key, or null outside the layout. */
function keyScope(key: string): { account: string; region: string } | null {
  const m = /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]+\/)?(\d{12})\/CloudTrail\/([a-z0-9-]+)\//.exec(key);
  return m ? { account: m[1], region: m[2] } : null;
}

/**
 * After downtime: reads the CloudTrail archive from where each account/region stopped (the last
 * alert received, minus an overlap for late deliveries; never beyond max_window_hours) up to the
 * start, and feeds what Falco would have sent through the same journal as live alerts. Event IDs
 * received before the stop are skipped; the journal's dedup drops live repeats. It waits for the
 * journal to drain before each object, so live alerts never queue behind more than one object.
 */
export class ArchiveBackfill {
  private stopping = false;
  private running: Promise<BackfillReport> | null = null;
  private readonly now: () => number;
  private duplicates = 0;

  constructor(private readonly d: BackfillDeps) {
    this.now = d.now ?? Date.now;
  }

  /** Starts in the background; `done()` resolves with what was read. */
  start(): void {
    this.running ??= this.run().catch((err: unknown) => {
      this.d.log.error('archive backfill failed', { error: errorMessage(err) });
      return { objects: 0, queued: 0, duplicates: 0, error: errorMessage(err) };
    });
  }

  done(): Promise<BackfillReport> {
    this.start();
    return this.running!;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  private async run(): Promise<BackfillReport> {
    const { config, received, metrics, log } = this.d;
    const report: BackfillReport = { objects: 0, queued: 0, duplicates: 0, error: null };
    const started = this.now();
    const floor = started - config.max_window_hours * 3_600_000;
    const overlap = config.overlap_minutes * 60_000;
    const lastAlive = received.previousRunSeenAt;
    if (lastAlive === null) {
      log.info('archive backfill: no earlier run recorded; nothing to backfill');
      metrics.backfillPending.set(0);
      return report;
    }
    /** Where an account/region starts: its last received alert, else when the previous run was last seen. */
    const from = (account: string, region: string): number => Math.max(floor, (received.latest(account, region) ?? lastAlive) - overlap);
    const since = Math.max(floor, Math.min(lastAlive, ...received.scopeLatest()) - overlap);
    const { archiveClient, listArchive, parseS3Uri, withRetries } = await import('../../archive/s3.js');
    const client = archiveClient(config.endpoint ? { ...process.env, AWS_ENDPOINT_URL_S3: config.endpoint } : process.env);
    try {
      const filters = { accounts: config.accounts.length ? config.accounts : null, regions: config.regions.length ? config.regions : null, since, until: started };
      const objects: { bucket: string; key: string }[] = [];
      for (const uri of config.archives) {
        const { bucket, prefix } = parseS3Uri(uri);
        const listed = await listArchive(client, bucket, prefix, filters, config.concurrency);
        for (const o of listed.objects) {
          const scope = keyScope(o.key);
          const delivered = deliveryTime(o.key);
          // A file delivered before its account/region's start holds nothing newer.
          if (scope && delivered !== null && delivered < from(scope.account, scope.region)) continue;
          objects.push({ bucket, key: o.key });
        }
      }
      log.info('archive backfill: reading the archive for the downtime', { objects: objects.length, since: new Date(since).toISOString(), until: new Date(started).toISOString() });
      metrics.backfillPending.set(objects.length);
      const fetchBody = (o: { bucket: string; key: string }): Promise<Uint8Array | Error> =>
        withRetries(async () => {
          const { GetObjectCommand } = await import('@aws-sdk/client-s3');
          const res = await client.send(new GetObjectCommand({ Bucket: o.bucket, Key: o.key }));
          return (await res.Body?.transformToByteArray()) ?? new Uint8Array(0);
        }).catch((err: unknown) => new Error(errorMessage(err)));
      const ahead: Promise<Uint8Array | Error>[] = [];
      let next = 0;
      for (let i = 0; i < objects.length && !this.stopping; i++) {
        while (next < objects.length && ahead.length < config.concurrency) ahead.push(fetchBody(objects[next++]));
        const body = await ahead.shift()!;
        const where = `s3://${objects[i].bucket}/${objects[i].key}`;
        metrics.backfillPending.set(objects.length - i - 1);
        if (body instanceof Error) {
          metrics.backfillObjects.inc({ result: 'failed' });
          log.error('archive backfill: cannot read an object; its events are not backfilled', { object: where, error: body.message });
          continue;
        }
        const alerts = this.alertsOf(body, where, from, started);
        report.objects++;
        metrics.backfillObjects.inc({ result: 'read' });
        if (alerts.length === 0) continue;
        // Live alerts first: this object's alerts join the journal only once it has drained.
        await this.d.alerts.idle();
        await this.d.alerts.accept(alerts.map((a) => Buffer.from(JSON.stringify(a))), 'falco_http', process.hrtime.bigint(), alerts);
        for (const a of alerts) received.observe(a);
        report.queued += alerts.length;
        metrics.backfillEvents.inc({ result: 'queued' }, alerts.length);
      }
      report.duplicates = this.duplicates;
      log.info('archive backfill: done', { ...report });
      return report;
    } finally {
      client.destroy();
    }
  }

  /** The Falco alerts the cloudtrail plugin would have sent for one object's write calls in the window. */
  private alertsOf(body: Uint8Array, where: string, from: (account: string, region: string) => number, until: number): Record<string, unknown>[] {
    const { metrics, received } = this.d;
    const count = (result: string): void => metrics.backfillEvents.inc({ result });
    const out: Record<string, unknown>[] = [];
    let bytes: Uint8Array;
    try {
      bytes = isGzip(body) ? gunzipWhole(body) : body;
    } catch (err) {
      metrics.backfillObjects.inc({ result: 'failed' });
      this.d.log.error('archive backfill: corrupt object skipped', { object: where, error: errorMessage(err) });
      return out;
    }
    const scanner = new CloudTrailScanner((r) => {
      if (r.facts?.named && !r.facts.unsafe && (r.facts.failed || r.facts.readOnlyTrue)) return count(r.facts.failed ? 'failed_call' : 'read_only');
      let rec: unknown;
      try {
        rec = JSON.parse(recordText(r));
      } catch {
        return count('bad_record');
      }
      if (!isRecord(rec) || typeof rec.eventID !== 'string' || typeof rec.eventTime !== 'string') return count('bad_record');
      const account = String(rec.recipientAccountId ?? (isRecord(rec.userIdentity) ? rec.userIdentity.accountId : '') ?? '');
      const region = String(rec.awsRegion ?? '');
      const t = Date.parse(rec.eventTime);
      if (Number.isNaN(t) || t < from(account, region) || t > until) return count('outside_window');
      if (received.has(account, region, rec.eventID)) {
        this.duplicates++;
        return count('duplicate');
      }
      out.push(falcoAlertFromCloudTrail(rec, { rule: BACKFILL_RULE, hostname: 'tfdrift-archive-backfill', time: new Date(t).toISOString() }));
    });
    try {
      if (scanner.feed(bytes)) scanner.end();
      if (scanner.state === 'other') throw new SyntaxError('not a CloudTrail log file');
    } catch (err) {
      metrics.backfillObjects.inc({ result: 'failed' });
      this.d.log.error('archive backfill: unreadable object', { object: where, error: errorMessage(err), records_read: scanner.records });
    }
    return out;
  }
}
