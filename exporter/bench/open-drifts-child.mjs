/* global process, URL, performance, setImmediate */
/**
 * Child process of hardening.bench.ts: N distinct unmanaged alerts (the demo's real AttachRolePolicy
 * CloudTrail record, each naming another role) through the real pipeline in-process — Falco alert
 * parsing, mapping, state lookup, detection, the open-drift ledger with its files — and the RSS it
 * takes. Run alone so nothing else in the process counts toward its memory. Prints one JSON line.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

// The compiled build (what the image runs), so the TypeScript loader's own memory is not counted.
const dist = (m) => import(new URL(`../dist/${m}`, import.meta.url).href);
const { startApp } = (await dist('app.js'));
const { demoRecords } = (await dist('cli/commands/demo.js'));
const { parseConfig } = (await dist('config/load.js'));
const { falcoAlertFromCloudTrail } = (await dist('providers/aws/falco-fields.js'));
const { silentLogger } = (await dist('util/logger.js'));

const total = Number(process.argv[2] ?? 1_000_000);
const maxOpen = process.argv[3] ? Number(process.argv[3]) : undefined;
const demoDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'demo');
const raw = YAML.parse(readFileSync(path.join(demoDir, 'config.yaml'), 'utf8'));
const storage = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-bench-open-'));
let emitted = 0;
const sink = { name: 'count', send: () => void emitted++, queueLength: () => 0, flush: async () => {}, close: async () => {} };
const app = await startApp(
  parseConfig({
    server: { listen: '127.0.0.1:0' },
    states: raw.states.map((s) => ({ ...s, path: path.join(demoDir, String(s.path)) })),
    outputs: { stdout: { enabled: false } },
    detection: maxOpen ? { max_open_drifts: maxOpen } : {},
    storage: { dir: storage },
  }),
  { log: silentLogger(), outputs: [sink] },
);
await app.statesSettled;
const base = demoRecords().find((r) => r.eventName === 'AttachRolePolicy');
globalThis.gc?.();
const rssStart = process.memoryUsage().rss;
const heapStartMb = process.memoryUsage().heapUsed / 2 ** 20;
let rssPeak = rssStart;
const started = performance.now();
for (let i = 0; i < total; i++) {
  const record = { ...base, eventID: `bench-${i}`, requestParameters: { ...base.requestParameters, roleName: `bench-role-${i}` } };
  app.ingest.processor.processFalcoAlert(falcoAlertFromCloudTrail(record, { hostname: 'bench' }), 'bench');
  if ((i & 8191) === 8191) {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    await new Promise((r) => setImmediate(r));
  }
}
const seconds = (performance.now() - started) / 1000;
globalThis.gc?.();
const heapAfterGcMb = process.memoryUsage().heapUsed / 2 ** 20;
const rssAfterGcMb = process.memoryUsage().rss / 2 ** 20;
rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
const evicted = (await app.metrics.driftsEvicted.get()).values.reduce((a, v) => a + v.value, 0);
const open = app.pipeline.ledger.size;
app.pipeline.ledger.save();
const file = path.join(storage, 'open-drifts.json');
const onDisk = statSync(file).size + statSync(`${file}.journal`).size;
await app.stop();
rmSync(storage, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ total, emitted, open, evicted, seconds, rssStartMb: rssStart / 2 ** 20, rssPeakMb: rssPeak / 2 ** 20, onDiskMb: onDisk / 2 ** 20, heapAfterGcMb, rssAfterGcMb, heapStartMb, maxOpen: app.config.detection.max_open_drifts })}\n`);
process.exit(0);
