import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { DriftRecord } from '../../src/model/drift.js';
import type { Output } from '../../src/outputs/types.js';
import { demoRecords } from '../../src/cli/commands/demo.js';
import { falcoAlertFromCloudTrail } from '../../src/providers/aws/falco-fields.js';
import { EXPORTER_DIR } from '../helpers/cli.js';

export const DEMO_DIR = path.join(EXPORTER_DIR, 'demo');

export function tempDir(prefix = 'tfdrift-ingest-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The demo's real states (absolute paths), loopback server, no stdout output, the given storage dir. */
export function ingestConfig(storageDir: string, overrides: Record<string, unknown> = {}): Config {
  const raw = YAML.parse(readFileSync(path.join(DEMO_DIR, 'config.yaml'), 'utf8')) as Record<string, unknown>;
  const states = (raw.states as Record<string, unknown>[]).map((s) => ({ ...s, path: path.join(DEMO_DIR, String(s.path)) }));
  return parseConfig({
    states,
    server: { listen: '127.0.0.1:0' },
    outputs: { stdout: { enabled: false } },
    storage: { dir: storageDir },
    logging: { level: 'error' },
    ...overrides,
  });
}

/** An Output that keeps every record it is handed. */
export function collectingOutput(): Output & { records: DriftRecord[] } {
  const records: DriftRecord[] = [];
  return {
    name: 'test',
    records,
    send: (r) => void records.push(r),
    queueLength: () => 0,
    flush: async () => {},
    close: async () => {},
  };
}

/** Falco http_output bodies made from the bundled real CloudTrail records. */
export function demoAlerts(): Record<string, unknown>[] {
  return demoRecords().map((r) => falcoAlertFromCloudTrail(r, { hostname: 'falco-test' }));
}

/**
 * Distinct unmanaged drifts on demand: the real AttachRolePolicy record of the demo, each
 * copy naming another role (and carrying its own event ID).
 */
export function syntheticRoleRecords(n: number, tag = 'r'): Record<string, unknown>[] {
  const base = demoRecords().find((r) => r.eventName === 'AttachRolePolicy')!;
  return Array.from({ length: n }, (_, i) => ({
    ...base,
    eventID: `00000000-0000-4000-8000-${tag}${String(i).padStart(11 - tag.length, '0')}`,
    requestParameters: { ...(base.requestParameters as object), roleName: `tfdrift-test-role-${tag}-${i}` },
  }));
}

export async function post(url: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { method: 'POST', body: body as BodyInit, headers: { 'content-type': 'application/json', ...headers } });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep text
  }
  return { status: res.status, body: parsed };
}

/** Sum of a counter's samples whose labels match. */
export async function counter(metrics: { registry: { getSingleMetric(n: string): unknown } }, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name) as { get(): Promise<{ values: { value: number; labels: Record<string, string | number> }[] }> } | undefined;
  if (!metric) return 0;
  const { values } = await metric.get();
  return values.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((s, v) => s + v.value, 0);
}

/**
 * The ingest room on its own: a real Pipeline on the demo states, an AlertIngest on a temp
 * journal, and a per-CloudTrail-event-ID count of what reached the pipeline.
 */
export async function ingestHarness(overrides: Record<string, unknown> = {}) {
  const { Metrics } = await import('../../src/metrics/registry.js');
  const { StateStore } = await import('../../src/state/store.js');
  const { Pipeline } = await import('../../src/pipeline.js');
  const { allProviders } = await import('../../src/providers/registry.js');
  const { AlertIngest } = await import('../../src/ingest/service.js');
  const { alertProcessor } = await import('../../src/ingest/intake.js');
  const { silentLogger } = await import('../../src/util/logger.js');
  const config = ingestConfig(tempDir(), overrides);
  const metrics = new Metrics({ defaultMetrics: false });
  const states = new StateStore(config.states, metrics, silentLogger());
  await states.reload();
  const out = collectingOutput();
  const pipeline = new Pipeline({ providers: allProviders(), states, outputs: [out], metrics, log: silentLogger() });
  const processed = new Map<string, number>();
  const processor = alertProcessor(pipeline, metrics);
  const ingest = new AlertIngest({
    dir: path.join(config.storage.dir, 'journal'),
    journal: { fsync: 'always', fsyncIntervalMs: 100, segmentBytes: 1 << 20, maxBytes: 1 << 30 },
    pipeline: {
      processFalcoAlert(body, input, receivedAt) {
        const id = (body as { output_fields?: Record<string, unknown> })?.output_fields?.['ct.id'];
        if (typeof id === 'string') processed.set(id, (processed.get(id) ?? 0) + 1);
        return processor.processFalcoAlert(body, input, receivedAt);
      },
    },
    metrics,
    log: silentLogger(),
    dedupKeys: config.inputs.dedup_keys,
  });
  ingest.start();
  return { config, metrics, states, out, pipeline, processor, processed, ingest, log: silentLogger() };
}

/** The drift IDs the native (non-Falco) path finds for these CloudTrail records: the expected answer for a Falco input. */
export async function nativeDriftIds(records: Record<string, unknown>[]): Promise<string[]> {
  const { Metrics } = await import('../../src/metrics/registry.js');
  const { StateStore } = await import('../../src/state/store.js');
  const { Pipeline } = await import('../../src/pipeline.js');
  const { allProviders } = await import('../../src/providers/registry.js');
  const { silentLogger } = await import('../../src/util/logger.js');
  const config = ingestConfig(tempDir());
  const metrics = new Metrics({ defaultMetrics: false });
  const states = new StateStore(config.states, metrics, silentLogger());
  await states.reload();
  const out = collectingOutput();
  const pipeline = new Pipeline({ providers: allProviders(), states, outputs: [out], metrics, log: silentLogger() });
  const aws = allProviders().find((p) => p.id === 'aws')!;
  for (const r of records) pipeline.processRecord(aws, r, 'file');
  return out.records.map((r) => r.drift_id).sort();
}

/** A throwaway CA with a server (localhost/127.0.0.1) and a client certificate, via openssl. */
export function makeCerts(): Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey', string> {
  const dir = tempDir('tfdrift-certs-');
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=tfdrift-test-ca');
  writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  for (const who of ['server', 'client']) {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=${who === 'server' ? 'localhost' : 'falco'}`);
    ssl('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.crt`, '-days', '2', ...(who === 'server' ? ['-extfile', 'san.ext'] : []));
  }
  const p = (f: string) => path.join(dir, f);
  return { ca: p('ca.crt'), serverCert: p('server.crt'), serverKey: p('server.key'), clientCert: p('client.crt'), clientKey: p('client.key') };
}
