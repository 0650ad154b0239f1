import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/metrics/registry.js';
import { until } from '../outputs/loki-peer.js';
import { expectedDemoDrifts, replayDemo, startExporter, writeConfig, type ExporterProcess } from '../outputs/exporter-process.js';

/**
 * Real Prometheus (Debian package `prometheus`: /usr/bin/prometheus, promtool) scraping a real
 * `tfdrift run` on loopback. Fails, never skips, when the binaries are missing: .ci/run installs them.
 */
const PROMETHEUS = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
const PROMTOOL = process.env.PROMTOOL_BIN ?? 'promtool';

const CONTRACT: Record<string, string[]> = {
  tfdrift_events_received_total: ['input', 'source'],
  tfdrift_events_suppressed_total: ['reason'],
  tfdrift_events_unmapped_total: ['provider'],
  tfdrift_events_failed_total: ['reason'],
  tfdrift_drifts_total: ['provider', 'account_id', 'change_type', 'severity', 'resource_type'],
  tfdrift_drifts_open: ['provider', 'account_id', 'change_type', 'severity'],
  tfdrift_state_resources: ['state', 'provider'],
  tfdrift_state_load_duration_seconds: ['state'],
  tfdrift_state_last_success_timestamp_seconds: ['state'],
  tfdrift_state_load_errors_total: ['state'],
  tfdrift_event_processing_seconds: [],
  tfdrift_event_lag_seconds: [],
  tfdrift_output_sent_total: ['output', 'status'],
  tfdrift_output_queue_length: ['output'],
  tfdrift_input_connected: ['input'],
  tfdrift_build_info: ['version'],
};

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

/** The subset of Prometheus's HTTP API answers read here. */
interface PromAnswer {
  data: { result: { metric: Record<string, string>; value: [number, string] }[] } & Record<string, string>[];
}

async function getJson(url: string): Promise<PromAnswer> {
  const res = await fetch(url);
  return (await res.json()) as PromAnswer;
}

describe('Prometheus contract metrics', () => {
  it('every DESIGN.md metric is registered with exactly its labels and a help text', async () => {
    const m = new Metrics();
    const metrics = await m.registry.getMetricsAsJSON();
    for (const [name, labels] of Object.entries(CONTRACT)) {
      const metric = m.registry.getSingleMetric(name) as unknown as { labelNames: string[]; help: string } | undefined;
      expect(metric, name).toBeDefined();
      expect([...metric!.labelNames].sort(), name).toEqual([...labels].sort());
      expect(metric!.help.length, name).toBeGreaterThan(10);
    }
    expect(metrics.filter((x) => !x.name.startsWith('tfdrift_'))).toEqual([]);
    expect(metrics.some((x) => x.name === 'tfdrift_process_cpu_seconds_total')).toBe(true);
  });
});

describe('real Prometheus scraping tfdrift run', () => {
  let ex: ExporterProcess;
  let prom: ChildProcess;
  let promUrl = '';
  let expected = 0;

  beforeAll(async () => {
    expected = await expectedDemoDrifts();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-prom-'));
    ex = await startExporter(writeConfig(dir, { stdout: { enabled: true, format: 'jsonl' } }, path.join(dir, 'data')));
    await replayDemo(ex.url);
    await until(() => ex.stdoutRecords().length === expected, 60_000);
    const target = new URL(ex.url).host;
    writeFileSync(
      path.join(dir, 'prometheus.yml'),
      `global: { scrape_interval: 1s, evaluation_interval: 1s }\nscrape_configs:\n  - job_name: tfdrift\n    static_configs: [ { targets: ["${target}"] } ]\n`,
    );
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prom = spawn(PROMETHEUS, [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
    prom.on('error', (err) => {
      throw new Error(`cannot start ${PROMETHEUS} (apt-get install prometheus): ${err.message}`);
    });
  }, 120_000);

  afterAll(async () => {
    prom?.kill('SIGTERM');
    ex?.child.kill('SIGTERM');
    await ex?.exited;
  }, 90_000);

  it('promtool check metrics finds nothing to complain about in /metrics', async () => {
    const text = await (await fetch(`${ex.url}/metrics`)).text();
    const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(r.error, 'promtool missing: apt-get install prometheus').toBeUndefined();
    expect(`${r.stdout}${r.stderr}`).toBe('');
    expect(r.status).toBe(0);
  }, 90_000);

  it('Prometheus scrapes the exporter and tfdrift_drifts_total matches the drifts of the replay', async () => {
    let total = -1;
    await until(() => total === expected, 60_000, async () => {
      const body = await getJson(`${promUrl}/api/v1/query?query=${encodeURIComponent('sum(tfdrift_drifts_total{job="tfdrift"})')}`).catch(() => null);
      total = Number(body?.data?.result?.[0]?.value?.[1] ?? -1);
    });
    expect(total).toBe(expected);
    const byType = await getJson(`${promUrl}/api/v1/query?query=${encodeURIComponent('sum by (change_type) (tfdrift_drifts_total)')}`);
    const kinds = byType.data.result.map((r) => r.metric.change_type).sort();
    expect(kinds).toEqual(['missing', 'modified', 'unmanaged']);
    const up = await getJson(`${promUrl}/api/v1/query?query=up{job="tfdrift"}`);
    expect(up.data.result[0].value[1]).toBe('1');
    const series = await getJson(`${promUrl}/api/v1/series?match[]=tfdrift_drifts_total`);
    for (const s of series.data)
      expect(Object.keys(s).sort()).toEqual(['__name__', 'account_id', 'change_type', 'instance', 'job', 'provider', 'resource_type', 'severity']);
  }, 90_000);
});
