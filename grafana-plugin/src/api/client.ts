import { lastValueFrom } from 'rxjs';
import { getBackendSrv } from '@grafana/runtime';
import { LogEntry, Sample, Series, parseMatrix, parseStreams, parseVector } from './parse';
import { QueryError } from './problems';

/**
 * Queries go through Grafana's datasource proxy (`/api/datasources/proxy/uid/<uid>/…`), so the
 * answers are Loki's and Prometheus's own HTTP API formats and Grafana keeps the credentials.
 */
export function proxyPath(datasourceUid: string, apiPath: string): string {
  return `/api/datasources/proxy/uid/${encodeURIComponent(datasourceUid)}/${apiPath.replace(/^\//, '')}`;
}

/** A failed request's most useful message (Loki answers text, Prometheus `{error}`, Grafana `{message}`). */
export function errorMessage(err: unknown): string {
  const e = err as { data?: unknown; status?: number; statusText?: string; message?: string };
  const data = e?.data as { error?: string; message?: string } | string | undefined;
  const detail = typeof data === 'string' ? data : (data?.error ?? data?.message);
  if (detail) {
    return e.status ? `${e.status}: ${detail}` : detail;
  }
  return e?.message ?? e?.statusText ?? String(err);
}

async function get(
  url: string,
  params: Record<string, string | number>,
  responseType: 'json' | 'text' = 'json',
): Promise<unknown> {
  try {
    const response = await lastValueFrom(
      getBackendSrv().fetch<unknown>({
        url,
        method: 'GET',
        params,
        responseType,
        showErrorAlert: false,
        showSuccessAlert: false,
      }),
    );
    return response.data;
  } catch (err) {
    const status = (err as { status?: number })?.status;
    const uid = /\/proxy\/uid\/([^/]+)/.exec(url)?.[1] ?? '';
    throw new QueryError(errorMessage(err), status, decodeURIComponent(uid));
  }
}

const ns = (ms: number) => `${Math.floor(ms)}000000`;

export interface TimeWindow {
  /** epoch ms */
  from: number;
  to: number;
}

/** A step giving about `points` buckets, in whole seconds (at least 60 s). */
export function stepSeconds(window: TimeWindow, points = 60): number {
  return Math.max(60, Math.ceil((window.to - window.from) / 1000 / points / 60) * 60);
}

export function lokiLogs(
  uid: string,
  query: string,
  window: TimeWindow,
  limit = 1000,
  /** Exclusive end in epoch ns (a paging cursor); defaults to the window's end. */
  endNs?: string,
): Promise<LogEntry[]> {
  return get(proxyPath(uid, 'loki/api/v1/query_range'), {
    query,
    start: ns(window.from),
    end: endNs ?? ns(window.to),
    limit,
    direction: 'backward',
  }).then(parseStreams);
}

export function lokiInstant(uid: string, query: string, time: number): Promise<Sample[]> {
  return get(proxyPath(uid, 'loki/api/v1/query'), { query, time: ns(time) }).then(parseVector);
}

/** Start and end on multiples of the step (as Grafana aligns them), so the last bucket ends at or after `to`. */
export function alignToStep(window: TimeWindow, stepSec: number): TimeWindow {
  const step = stepSec * 1000;
  return { from: Math.floor(window.from / step) * step, to: Math.ceil(window.to / step) * step };
}

export function lokiRange(uid: string, query: string, window: TimeWindow, step: number): Promise<Series[]> {
  const aligned = alignToStep(window, step);
  return get(proxyPath(uid, 'loki/api/v1/query_range'), {
    query,
    start: ns(aligned.from),
    end: ns(aligned.to),
    step,
  }).then(parseMatrix);
}

/** Loki's `/config` (YAML), for its retention; undefined when Loki or the proxy does not serve it. */
export async function lokiConfigText(uid: string): Promise<string | undefined> {
  try {
    const body = await get(proxyPath(uid, 'config'), {}, 'text');
    return typeof body === 'string' ? body : undefined;
  } catch {
    return undefined;
  }
}

export function lokiLabelValues(uid: string, label: string, window: TimeWindow): Promise<string[]> {
  return get(proxyPath(uid, `loki/api/v1/label/${encodeURIComponent(label)}/values`), {
    start: ns(window.from),
    end: ns(window.to),
  }).then((body) => {
    const data = (body as { data?: unknown })?.data;
    return Array.isArray(data) ? data.map(String) : [];
  });
}

export function promInstant(uid: string, query: string, time: number): Promise<Sample[]> {
  return get(proxyPath(uid, 'api/v1/query'), { query, time: time / 1000 }).then(parseVector);
}

export function promRange(uid: string, query: string, window: TimeWindow, step: number): Promise<Series[]> {
  return get(proxyPath(uid, 'api/v1/query_range'), {
    query,
    start: window.from / 1000,
    end: window.to / 1000,
    step,
  }).then(parseMatrix);
}
