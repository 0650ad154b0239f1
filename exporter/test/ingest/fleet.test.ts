import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app.js';
import { demoRecords } from '../../src/cli/commands/demo.js';
import type { DriftRecord } from '../../src/model/drift.js';
import { silentLogger } from '../../src/util/logger.js';
import { counter, DEMO_DIR, demoAlerts, ingestConfig, nativeDriftIds, post, tempDir } from './helpers.js';
import { until } from './queue-helpers.js';
import { LokiPeer } from '../outputs/loki-peer.js';
import { evaluateMetricQuery, total } from './logql-eval.js';

/**
 * A fleet sharded by account: three exporters, each owning some of the demo's accounts (its
 * states), all receiving the same alerts (one Falco / one central bus), pushing to one Loki
 * peer and scraped by one real Prometheus (Debian /usr/bin/prometheus). Fails, never skips,
 * when Prometheus is missing.
 */
const PROMETHEUS = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function promQuery(url: string, q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = (await res.json()) as { data?: { result?: { metric: Record<string, string>; value: [number, string] }[] } };
  return body.data?.result ?? [];
}

/** The plugin's LogQL builders (grafana-plugin/src/queries/logql.ts), loaded by path: another workspace's source. */
type PluginQueries = {
  driftCountBy(o: { job: string; by: string[]; range: string }): string;
  overviewLogQueries(job: string, filters: Record<string, never>, range: string): Record<string, string>;
};
const PLUGIN_QUERIES = path.join(DEMO_DIR, '../../grafana-plugin/src/queries/logql.ts');

const ALL_STATES = (YAML.parse(readFileSync(path.join(DEMO_DIR, 'config.yaml'), 'utf8')) as { states: Record<string, unknown>[] }).states.map((s) => ({
  ...s, path: path.join(DEMO_DIR, String(s.path)),
})) as unknown as ({ account_id: string } & Record<string, unknown>)[];

describe('a fleet of three exporters sharded by account, one Prometheus', () => {
  const shards: { app: App; out: { records: DriftRecord[] }; accounts: string[]; name: string }[] = [];
  const loki = new LokiPeer();
  let prom: ChildProcess | null = null;
  let promUrl = '';
  let expected: string[] = [];

  beforeAll(async () => {
    expected = await nativeDriftIds(demoRecords());
    await loki.start();
    for (let i = 0; i < 3; i++) {
      const states = ALL_STATES.filter((_, k) => k % 3 === i);
      const name = `tfdrift-shard-${i}`;
      const config = ingestConfig(tempDir(), {
        states, fleet: { shard: true }, server: { listen: '127.0.0.1:0', name },
        outputs: { stdout: { enabled: false }, loki: { enabled: true, url: loki.url, batch_interval_ms: 50 } },
      });
      const app = await startApp(config, { log: silentLogger() });
      // Each shard's records as they reached the shared Loki, told apart by the record's `exporter` field.
      const out = { get records(): DriftRecord[] { return loki.entries().map((e) => JSON.parse(e.line) as DriftRecord).filter((r) => r.exporter === name); } };
      shards.push({ app, out, name, accounts: states.map((s) => String(s.account_id)) });
    }
    // The same alerts to every shard, as when one Falco or one central bus feeds them all.
    const body = demoAlerts().map((a) => JSON.stringify(a)).join('\n');
    for (const s of shards) expect((await post(`${s.app.url}/falco`, body, { 'content-type': 'application/x-ndjson' })).status).toBe(200);
    for (const s of shards) await s.app.ingest.alerts.idle();
    await until(() => loki.entries().length >= expected.length, 60_000, 'every record in Loki');

    const dir = tempDir('tfdrift-fleet-prom-');
    const targets = shards.map((s) => `"${new URL(s.app.url).host}"`).join(', ');
    writeFileSync(path.join(dir, 'prometheus.yml'), `global: { scrape_interval: 1s }\nscrape_configs:\n  - job_name: tfdrift\n    static_configs: [ { targets: [${targets}] } ]\n`);
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prom = spawn(PROMETHEUS, [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
    prom.on('error', (err) => {
      throw new Error(`cannot start ${PROMETHEUS} (apt-get install prometheus): ${err.message}`);
    });
  }, 180_000);

  afterAll(async () => {
    prom?.kill('SIGTERM');
    for (const s of shards) await s.app.stop();
    await loki.stop();
  }, 60_000);

  it('reports each drift exactly once across the fleet, from the shard that owns its account, naming that shard', async () => {
    const all: DriftRecord[] = shards.flatMap((s) => s.out.records);
    expect(expected.length).toBeGreaterThan(5);
    expect(all.map((r) => r.drift_id).sort()).toEqual(expected);
    for (const s of shards) {
      expect(s.out.records.length).toBeGreaterThan(0);
      for (const r of s.out.records) {
        expect(r.exporter).toBe(s.name);
        expect(s.accounts).toContain(r.account_id);
      }
      // What belongs to the other shards is skipped, not reported as unmanaged noise.
      expect(await counter(s.app.metrics, 'tfdrift_events_skipped_total', { reason: 'not_owned' })).toBeGreaterThan(0);
      expect(await counter(s.app.metrics, 'tfdrift_events_suppressed_total', { reason: 'no_state_for_account' })).toBe(0);
    }
  });

  it('sum(tfdrift_drifts_open) across the scraped shards equals the number of distinct open drifts', async () => {
    const distinctOpen = new Set(shards.flatMap((s) => s.app.pipeline.ledger.list().map((r) => r.drift_id))).size;
    const perShard = shards.reduce((n, s) => n + s.app.pipeline.ledger.list().length, 0);
    expect(perShard).toBe(distinctOpen); // no drift is open on two shards
    let open = -1;
    let up = 0;
    await until(async () => {
      up = (await promQuery(promUrl, 'count(up{job="tfdrift"} == 1)').catch(() => []))[0]?.value[1] === '3' ? 3 : 0;
      open = Number((await promQuery(promUrl, 'sum(tfdrift_drifts_open)').catch(() => []))[0]?.value[1] ?? -1);
      return up === 3 && open === distinctOpen;
    }, 90_000, 'Prometheus to scrape all three shards');
    expect(open).toBe(distinctOpen);
    expect(Number((await promQuery(promUrl, 'sum(tfdrift_drifts_total)'))[0].value[1])).toBe(expected.length);
    // One series per shard, told apart by the scrape's `instance`, not by an exporter label.
    const skipped = await promQuery(promUrl, 'sum by (instance) (tfdrift_events_skipped_total{reason="not_owned"})');
    expect(skipped).toHaveLength(3);
    const labels = await promQuery(promUrl, 'tfdrift_drifts_open');
    for (const s of labels) expect(Object.keys(s.metric)).not.toContain('exporter');
  }, 120_000);

  it('the plugin\'s and the dashboards\' Loki count queries, over the shared Loki, count each drift once', async () => {
    const { driftCountBy, overviewLogQueries } = (await import(PLUGIN_QUERIES)) as PluginQueries;
    const entries = loki.entries();
    // No exporter label on the streams: the fleet does not multiply Loki's streams.
    expect(entries.every((e) => !('exporter' in e.labels))).toBe(true);
    expect(new Set(entries.map((e) => JSON.parse(e.line).exporter)).size).toBe(3);
    const plugin = [driftCountBy({ job: 'tfdrift', by: [], range: '1h' }), ...Object.values(overviewLogQueries('tfdrift', {}, '1h')).filter((q) => !q.startsWith('topk'))];
    const dashboard = JSON.parse(readFileSync(path.join(DEMO_DIR, '../../dashboards/tfdrift-overview.json'), 'utf8')) as Record<string, unknown>;
    const exprs: string[] = [];
    const walk = (o: unknown): void => {
      if (Array.isArray(o)) o.forEach(walk);
      else if (o && typeof o === 'object') {
        const expr = (o as { expr?: unknown }).expr;
        if (typeof expr === 'string' && expr.includes('count_over_time') && !expr.startsWith('topk')) exprs.push(expr);
        Object.values(o).forEach(walk);
      }
    };
    walk(dashboard);
    expect(exprs.length).toBeGreaterThanOrEqual(4);
    // Grafana's interpolation with every variable on "All" and the dashboard's time range.
    const interpolated = exprs.map((e) => e.replace(/\$\{\w+:regex\}/g, '.*').replace(/\$__(range|auto)/g, '1h'));
    for (const q of [...plugin, ...interpolated]) expect(total(evaluateMetricQuery(q, entries)), q).toBe(expected.length);
  });
});
