import type { DriftRecord } from '../../src/types/drift';
import { Cursor, Labels, PeerMatcher, matches } from './matchers';
import type { PeerResponse } from './loki';

/**
 * A Prometheus test peer: answers /api/v1/query and /api/v1/query_range in Prometheus's documented
 * formats (vector, matrix). Its series are the exporter's metrics (names per DESIGN.md) as the
 * exporter would expose them for the given drift records; it evaluates the PromQL subset the plugin
 * generates and answers 400 bad_data for anything else.
 */

interface Series {
  labels: Labels;
  value: number;
}

type Expr =
  | { kind: 'number'; value: number }
  | { kind: 'time' }
  | { kind: 'selector'; name: string; matchers: PeerMatcher[]; rangeMs?: number }
  | { kind: 'call'; fn: 'increase' | 'rate'; arg: Expr }
  | { kind: 'agg'; op: 'sum' | 'max' | 'min' | 'count'; by: string[]; arg: Expr }
  | { kind: 'topk'; k: number; arg: Expr }
  | { kind: 'sub'; left: Expr; right: Expr };

const TARGET = { job: 'tfdrift', instance: 'tfdrift:9464' };

/** The exporter's metrics at time `atMs` for these records. */
export function metricsAt(records: DriftRecord[], atMs: number): Map<string, Series[]> {
  const seen = records.filter((r) => Date.parse(r.detected_at) <= atMs);
  const out = new Map<string, Series[]>();
  const add = (name: string, labels: Labels, value: number) => {
    const list = out.get(name) ?? [];
    const key = JSON.stringify(labels);
    const existing = list.find((s) => JSON.stringify(s.labels) === key);
    if (existing) {
      existing.value += value;
    } else {
      list.push({ labels, value });
    }
    out.set(name, list);
  };
  const latest = new Map<string, DriftRecord>();
  for (const r of [...seen].sort((a, b) => Date.parse(a.detected_at) - Date.parse(b.detected_at))) {
    latest.set(r.drift_id, r);
    if (r.event_type === 'terraform_drift_detected') {
      const { provider, change_type, severity } = r;
      const account_id = r.account_id ?? '';
      add(
        'tfdrift_drifts_total',
        { ...TARGET, provider, account_id, change_type, severity, resource_type: r.resource_type ?? '' },
        1,
      );
    }
  }
  for (const r of latest.values()) {
    if (r.event_type === 'terraform_drift_detected') {
      add(
        'tfdrift_drifts_open',
        {
          ...TARGET,
          provider: r.provider,
          account_id: r.account_id ?? '',
          change_type: r.change_type,
          severity: r.severity,
        },
        1,
      );
    }
  }
  add('tfdrift_input_connected', { ...TARGET, input: 'falco_http' }, 1);
  add('tfdrift_input_connected', { ...TARGET, input: 'falco_grpc' }, 0);
  // prod loaded 30 s ago; staging's last good load was 2 h ago (a stale state the page must flag).
  add(
    'tfdrift_state_last_success_timestamp_seconds',
    { ...TARGET, state: 'prod' },
    Math.floor(atMs / 1000) - 30,
  );
  add(
    'tfdrift_state_last_success_timestamp_seconds',
    { ...TARGET, state: 'staging' },
    Math.floor(atMs / 1000) - 7200,
  );
  add('tfdrift_build_info', { ...TARGET, version: '0.1.0' }, 1);
  return out;
}

function parseExpr(c: Cursor): Expr {
  let left = parseTerm(c);
  while (c.eat('-')) {
    left = { kind: 'sub', left, right: parseTerm(c) };
  }
  return left;
}

function parseTerm(c: Cursor): Expr {
  c.skip();
  if (/^\d/.test(c.text.slice(c.pos))) {
    return { kind: 'number', value: c.number() };
  }
  const name = c.ident();
  if (name === 'time') {
    c.expect('(');
    c.expect(')');
    return { kind: 'time' };
  }
  if (name === 'topk') {
    c.expect('(');
    const k = c.number();
    c.expect(',');
    const arg = parseExpr(c);
    c.expect(')');
    return { kind: 'topk', k, arg };
  }
  if (name === 'sum' || name === 'max' || name === 'min' || name === 'count') {
    const by = c.eat('by') ? c.labelList() : [];
    c.expect('(');
    const arg = parseExpr(c);
    c.expect(')');
    return { kind: 'agg', op: name, by, arg };
  }
  if (name === 'increase' || name === 'rate') {
    c.expect('(');
    const arg = parseExpr(c);
    c.expect(')');
    if (arg.kind !== 'selector' || arg.rangeMs === undefined) {
      c.fail(`expected range vector argument in call to function "${name}"`);
    }
    return { kind: 'call', fn: name, arg };
  }
  if (!name.startsWith('tfdrift_') && !name.startsWith('up')) {
    c.fail(`unknown function or metric ${name}`);
  }
  const matchers = c.peek('{') ? c.matcherList() : [];
  const rangeMs = c.peek('[') ? c.duration() : undefined;
  return { kind: 'selector', name, matchers, rangeMs };
}

type Value = { scalar: number } | { vector: Series[] };

function evaluate(expr: Expr, records: DriftRecord[], atMs: number): Value {
  switch (expr.kind) {
    case 'number':
      return { scalar: expr.value };
    case 'time':
      return { scalar: atMs / 1000 };
    case 'selector': {
      if (expr.rangeMs !== undefined) {
        throw new Error('range vector must be inside a function');
      }
      const all = metricsAt(records, atMs).get(expr.name) ?? [];
      return {
        vector: all
          .filter((s) => expr.matchers.every((m) => matches(s.labels, m)))
          .map((s) => ({ labels: { __name__: expr.name, ...s.labels }, value: s.value })),
      };
    }
    case 'call': {
      const sel = expr.arg as Extract<Expr, { kind: 'selector' }>;
      const plain = { ...sel, rangeMs: undefined };
      const now = evaluate(plain, records, atMs) as { vector: Series[] };
      const before = evaluate(plain, records, atMs - sel.rangeMs!) as { vector: Series[] };
      return {
        vector: now.vector.map((s) => {
          const { __name__: _drop, ...labels } = s.labels;
          const prev = before.vector.find((b) => JSON.stringify(b.labels) === JSON.stringify(s.labels));
          const inc = s.value - (prev?.value ?? 0);
          return { labels, value: expr.fn === 'rate' ? inc / (sel.rangeMs! / 1000) : inc };
        }),
      };
    }
    case 'agg': {
      const inner = evaluate(expr.arg, records, atMs);
      if (!('vector' in inner)) {
        throw new Error('aggregation over a scalar');
      }
      const groups = new Map<string, { labels: Labels; values: number[] }>();
      for (const s of inner.vector) {
        const labels: Labels = {};
        for (const l of expr.by) {
          if (s.labels[l] !== undefined) {
            labels[l] = s.labels[l];
          }
        }
        const key = JSON.stringify(labels);
        const g = groups.get(key) ?? { labels, values: [] };
        g.values.push(s.value);
        groups.set(key, g);
      }
      const reduce = {
        sum: (v: number[]) => v.reduce((a, b) => a + b, 0),
        max: (v: number[]) => Math.max(...v),
        min: (v: number[]) => Math.min(...v),
        count: (v: number[]) => v.length,
      }[expr.op];
      return { vector: [...groups.values()].map((g) => ({ labels: g.labels, value: reduce(g.values) })) };
    }
    case 'topk': {
      const inner = evaluate(expr.arg, records, atMs) as { vector: Series[] };
      return { vector: [...inner.vector].sort((a, b) => b.value - a.value).slice(0, expr.k) };
    }
    case 'sub': {
      const l = evaluate(expr.left, records, atMs);
      const r = evaluate(expr.right, records, atMs);
      if ('scalar' in l && 'scalar' in r) {
        return { scalar: l.scalar - r.scalar };
      }
      if ('scalar' in l && 'vector' in r) {
        return { vector: r.vector.map((s) => ({ labels: s.labels, value: l.scalar - s.value })) };
      }
      if ('vector' in l && 'scalar' in r) {
        return { vector: l.vector.map((s) => ({ labels: s.labels, value: s.value - r.scalar })) };
      }
      throw new Error('vector - vector is not supported by this peer');
    }
  }
}

function parseTime(value: string | undefined, fallbackMs: number): number {
  if (value === undefined || value === '') {
    return fallbackMs;
  }
  return /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value);
}

const fail = (error: string): PeerResponse => ({
  status: 400,
  body: { status: 'error', errorType: 'bad_data', error },
});

/** Handles one Prometheus HTTP API request (path without host, decoded params). */
export function handlePrometheusRequest(
  path: string,
  params: Record<string, string>,
  records: DriftRecord[],
  nowMs: number = Date.now(),
): PeerResponse {
  if (path !== '/api/v1/query' && path !== '/api/v1/query_range') {
    return { status: 404, body: '404 page not found' };
  }
  if (!params.query) {
    return fail('invalid parameter "query": unknown expression');
  }
  try {
    const c = new Cursor(params.query);
    const expr = parseExpr(c);
    if (!c.done()) {
      c.fail('unexpected trailing input');
    }
    const toJson = (v: number) => String(v);
    if (path === '/api/v1/query') {
      const at = parseTime(params.time, nowMs);
      const v = evaluate(expr, records, at);
      const data =
        'scalar' in v
          ? { resultType: 'scalar', result: [at / 1000, toJson(v.scalar)] }
          : {
              resultType: 'vector',
              result: v.vector.map((s) => ({ metric: s.labels, value: [at / 1000, toJson(s.value)] })),
            };
      return { status: 200, body: { status: 'success', data } };
    }
    const start = parseTime(params.start, nowMs - 3_600_000);
    const end = parseTime(params.end, nowMs);
    const step = Number(params.step ?? '60') * 1000;
    if (!(step > 0) || (end - start) / step > 11_000) {
      return fail(
        'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
      );
    }
    const series = new Map<string, { metric: Labels; values: Array<[number, string]> }>();
    for (let t = start; t <= end; t += step) {
      const v = evaluate(expr, records, t);
      const list = 'scalar' in v ? [{ labels: {}, value: v.scalar }] : v.vector;
      for (const s of list) {
        const key = JSON.stringify(s.labels);
        const target = series.get(key) ?? { metric: s.labels, values: [] };
        target.values.push([t / 1000, toJson(s.value)]);
        series.set(key, target);
      }
    }
    return {
      status: 200,
      body: { status: 'success', data: { resultType: 'matrix', result: [...series.values()] } },
    };
  } catch (err) {
    return fail((err as Error).message);
  }
}
