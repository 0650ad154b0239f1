import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AlertIngest } from '../../src/ingest/service.js';
import { alertFromResponse, decodeFalcoResponse, loadFalcoProtos } from '../../src/ingest/proto.js';
import { Metrics } from '../../src/metrics/registry.js';
import type { ProcessOutcome } from '../../src/pipeline.js';
import { silentLogger } from '../../src/util/logger.js';
import { corpusCloudTrail, responseFromCloudTrail } from './corpus.js';
import { counter, tempDir } from './helpers.js';

type Serialize = (v: object) => Buffer;
const serialize = (loadFalcoProtos()['falco.outputs.service'] as Record<string, { responseSerialize: Serialize }>).sub.responseSerialize;

function ingestOn(dir: string, seen: { body: unknown; input: string }[], metrics = new Metrics({ defaultMetrics: false })) {
  const ingest = new AlertIngest({
    dir,
    journal: { fsync: 'always', fsyncIntervalMs: 100, segmentBytes: 1 << 20, maxBytes: 1 << 30 },
    pipeline: {
      processFalcoAlert(body: unknown, input: string): ProcessOutcome {
        seen.push({ body, input });
        return { status: 'no_drift', reasons: [] };
      },
    },
    metrics,
    log: silentLogger(),
  });
  return { ingest, metrics };
}

describe('gRPC responses in the journal (kept as protobuf, decoded when processed)', () => {
  it('decodes like the proto-loader client did: every field of real corpus alerts survives the round trip', async () => {
    const records = (await corpusCloudTrail()).slice(0, 50);
    const def = loadFalcoProtos()['falco.outputs.service'] as Record<string, { responseDeserialize: (b: Buffer) => unknown }>;
    for (const r of records) {
      const bytes = serialize(responseFromCloudTrail(r) as object);
      expect(alertFromResponse(decodeFalcoResponse(bytes))).toEqual(alertFromResponse(def.sub.responseDeserialize(bytes) as never));
    }
  });

  it('replays journaled responses after a restart as falco_grpc alerts; undecodable ones are counted, the rest go on', async () => {
    const dir = path.join(tempDir(), 'journal');
    const records = (await corpusCloudTrail()).slice(0, 20);
    const first = ingestOn(dir, []);
    // Accepted but never processed (the process dies before start()).
    const payloads = records.map((r) => serialize(responseFromCloudTrail(r) as object));
    payloads.splice(10, 0, Buffer.from([0x0a, 0xff, 0xff, 0xff])); // truncated length-delimited field
    await first.ingest.accept(payloads, 'falco_grpc_protobuf');
    await first.ingest.close({ drain: false });

    const seen: { body: unknown; input: string }[] = [];
    const second = ingestOn(dir, seen);
    expect(second.ingest.replayBacklog).toBeGreaterThan(0);
    second.ingest.start();
    await second.ingest.idle();
    expect(seen.map((s) => s.input)).toEqual(records.map(() => 'falco_grpc'));
    expect(seen.map((s) => (s.body as { output_fields: Record<string, string> }).output_fields['ct.id'])).toEqual(records.map((r) => r.eventID));
    expect(await counter(second.metrics, 'tfdrift_events_failed_total', { reason: 'bad_grpc_message' })).toBe(1);
    await second.ingest.close();
  });
});
