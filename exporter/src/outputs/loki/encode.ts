import { gzipSync } from 'node:zlib';
import snappy from 'snappyjs';
import type { DriftRecord } from '../../model/drift.js';
import { PushRequest } from './push-proto.js';

/** One log entry: nanosecond timestamp as a decimal string (exceeds 2^53), the stream's labels, the line. */
export interface LokiEntry {
  ts: string;
  labels: Record<string, string>;
  line: string;
}

/** The per-record stream labels of DESIGN.md, in a fixed order. All bounded; IDs, users, IPs never. */
export const RECORD_LABELS = ['provider', 'account_id', 'region', 'severity', 'change_type'] as const;

/** Static labels (job, …) plus the record's bounded labels. Null values are left out, as Loki drops empty labels. */
export function streamLabels(record: DriftRecord, staticLabels: Record<string, string>): Record<string, string> {
  const labels: Record<string, string> = { job: 'tfdrift', ...staticLabels };
  for (const key of RECORD_LABELS) {
    const value = record[key];
    if (value !== null && value !== '') labels[key] = value;
  }
  return labels;
}

/** `{job="tfdrift", provider="aws"}` with Prometheus/LogQL escaping; the protobuf stream identity. */
export function labelsString(labels: Record<string, string>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k].replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return `{${parts.join(', ')}}`;
}

/** Groups entries into streams, keeping each stream's entries in the order given (Loki wants them ascending). */
export function groupStreams(entries: readonly LokiEntry[]): { key: string; labels: Record<string, string>; entries: LokiEntry[] }[] {
  const streams = new Map<string, { key: string; labels: Record<string, string>; entries: LokiEntry[] }>();
  for (const e of entries) {
    const key = labelsString(e.labels);
    let s = streams.get(key);
    if (!s) streams.set(key, (s = { key, labels: e.labels, entries: [] }));
    s.entries.push(e);
  }
  return [...streams.values()];
}

export interface EncodedPush {
  body: Buffer;
  headers: Record<string, string>;
}

/** JSON push body (`{"streams":[{"stream":{…},"values":[["<ns>","<line>"]]}]}`), optionally gzip-encoded. */
export function encodeJson(entries: readonly LokiEntry[], gzip: boolean): EncodedPush {
  const payload = {
    streams: groupStreams(entries).map((s) => ({ stream: s.labels, values: s.entries.map((e) => [e.ts, e.line]) })),
  };
  const json = Buffer.from(JSON.stringify(payload));
  return gzip
    ? { body: gzipSync(json), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } }
    : { body: json, headers: { 'content-type': 'application/json' } };
}

/** Snappy-compressed protobuf `logproto.PushRequest`, Loki's native push format. */
export function encodeProtobuf(entries: readonly LokiEntry[]): EncodedPush {
  const message = PushRequest.fromObject({
    streams: groupStreams(entries).map((s) => ({
      labels: s.key,
      entries: s.entries.map((e) => {
        const ns = BigInt(e.ts);
        return { timestamp: { seconds: (ns / 1_000_000_000n).toString(), nanos: Number(ns % 1_000_000_000n) }, line: e.line };
      }),
    })),
  });
  const raw = PushRequest.encode(message).finish();
  return { body: Buffer.from(snappy.compress(raw)), headers: { 'content-type': 'application/x-protobuf' } };
}
