import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lokiConfigSchema } from '../src/outputs/config.js';
import { encodeJson, encodeProtobuf } from '../src/outputs/loki/encode.js';
import { LokiTransport } from '../src/outputs/loki/transport.js';
import { fileOutput } from '../src/outputs/file.js';
import { fileConfigSchema } from '../src/outputs/config.js';
import { silentLogger } from '../src/util/logger.js';
import { LokiPeer } from '../test/outputs/loki-peer.js';
import { makeRecords } from '../test/outputs/records.js';
import type { Bench } from './harness.js';

const N = 20_000;

/** Loki output cost: encoding, the write-ahead spool, and end-to-end delivery to a loopback peer. */
const bench: Bench = {
  name: 'outputs: Loki transport and file output',
  async run() {
    const records = makeRecords(N);
    const entries = records.map((r) => ({ ts: String(BigInt(Date.parse(r.detected_at)) * 1_000_000n), labels: { job: 'tfdrift', provider: r.provider, severity: r.severity }, line: JSON.stringify(r) }));
    const rows = [];

    let t = process.hrtime.bigint();
    for (let i = 0; i < N; i += 100) encodeProtobuf(entries.slice(i, i + 100));
    const proto = Number(process.hrtime.bigint() - t) / 1e9;
    t = process.hrtime.bigint();
    for (let i = 0; i < N; i += 100) encodeJson(entries.slice(i, i + 100), true);
    const json = Number(process.hrtime.bigint() - t) / 1e9;
    rows.push({ name: 'encode snappy protobuf (batches of 100)', value: N / proto, unit: 'records/s', note: `${(proto / json).toFixed(2)} × gzip JSON time` });
    rows.push({ name: 'encode gzip JSON (batches of 100)', value: N / json, unit: 'records/s' });

    const file = fileOutput(fileConfigSchema.parse({ enabled: true, path: path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-file-')), 'd.jsonl') }));
    t = process.hrtime.bigint();
    for (const r of records) file.send(r);
    const fileS = Number(process.hrtime.bigint() - t) / 1e9;
    await file.close();
    rows.push({ name: 'file output send (sync write)', value: N / fileS, unit: 'records/s' });

    const peer = new LokiPeer();
    await peer.start();
    const transport = new LokiTransport({
      config: lokiConfigSchema.parse({ enabled: true, url: peer.url, batch_size: 500, batch_interval_ms: 100 }),
      spoolDir: mkdtempSync(path.join(os.tmpdir(), 'bench-spool-')),
      log: silentLogger(),
    });
    t = process.hrtime.bigint();
    for (const r of records) transport.enqueue(r);
    const spoolS = Number(process.hrtime.bigint() - t) / 1e9;
    rows.push({ name: 'Loki send() incl. spool append', value: N / spoolS, unit: 'records/s', note: `${((spoolS / N) * 1e6).toFixed(1)} µs per record` });
    while (transport.queueLength() > 0) await transport.flush(10_000);
    const total = Number(process.hrtime.bigint() - t) / 1e9;
    await transport.close();
    await peer.stop();
    rows.push({ name: 'Loki end to end (spooled, pushed, acknowledged)', value: N / total, unit: 'records/s', note: `${peer.driftIds().length} of ${N} in the peer` });
    return rows;
  },
};
export default bench;
