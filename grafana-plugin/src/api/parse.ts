import type { DriftRecord } from '../types/drift';

/**
 * Pure parsers for Loki's and Prometheus's documented HTTP API answers
 * (`{"status":"success","data":{"resultType":"streams"|"matrix"|"vector", "result":[…]}}`).
 */
export type Labels = Record<string, string>;

export interface Sample {
  labels: Labels;
  value: number;
}

export interface Series {
  labels: Labels;
  /** [epoch ms, value] */
  points: Array<[number, number]>;
}

export interface LogEntry {
  /** epoch ms */
  time: number;
  /** Loki's own timestamp (epoch ns as a decimal string), for exact paging cursors. */
  tsNs: string;
  labels: Labels;
  line: string;
  /** The drift record, or null when the line is not one. */
  record: DriftRecord | null;
}

interface ApiAnswer {
  status?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

function dataOf(body: unknown, expected: string[]): unknown[] {
  const answer = (body ?? {}) as ApiAnswer;
  if (answer.status !== 'success' || !answer.data) {
    throw new Error(answer.error ?? 'unexpected answer from the datasource');
  }
  const type = answer.data.resultType ?? '';
  if (!expected.includes(type)) {
    throw new Error(`expected ${expected.join(' or ')} but the datasource answered ${type || 'nothing'}`);
  }
  return Array.isArray(answer.data.result) ? answer.data.result : [];
}

const num = (v: unknown): number => (v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v));

/** A line as a drift record when it looks like one (has a drift_id and an event_type). */
export function parseDriftLine(line: string): DriftRecord | null {
  try {
    const value = JSON.parse(line) as Partial<DriftRecord>;
    if (
      value &&
      typeof value === 'object' &&
      typeof value.drift_id === 'string' &&
      typeof value.event_type === 'string'
    ) {
      return value as DriftRecord;
    }
  } catch {
    // not JSON: not a drift record
  }
  return null;
}

/** Loki `streams`: entries of every stream, newest first. */
export function parseStreams(body: unknown): LogEntry[] {
  const entries: LogEntry[] = [];
  for (const stream of dataOf(body, ['streams']) as Array<{
    stream?: Labels;
    values?: Array<[string, string]>;
  }>) {
    for (const [ns, line] of stream.values ?? []) {
      entries.push({
        time: Math.floor(Number(ns) / 1e6),
        tsNs: String(ns),
        labels: stream.stream ?? {},
        line,
        record: parseDriftLine(line),
      });
    }
  }
  return entries.sort((a, b) => b.time - a.time);
}

/** Prometheus/Loki `vector` (and `scalar`, as one unlabeled sample). */
export function parseVector(body: unknown): Sample[] {
  const answer = body as ApiAnswer;
  if (answer?.data?.resultType === 'scalar') {
    const [, v] = answer.data.result as [number, string];
    return [{ labels: {}, value: num(v) }];
  }
  return (dataOf(body, ['vector']) as Array<{ metric?: Labels; value: [number, string] }>).map((s) => ({
    labels: s.metric ?? {},
    value: num(s.value[1]),
  }));
}

/** Prometheus/Loki `matrix`. */
export function parseMatrix(body: unknown): Series[] {
  return (dataOf(body, ['matrix']) as Array<{ metric?: Labels; values: Array<[number, string]> }>).map(
    (s) => ({
      labels: s.metric ?? {},
      points: s.values.map(([t, v]) => [Math.round(t * 1000), num(v)] as [number, number]),
    }),
  );
}
