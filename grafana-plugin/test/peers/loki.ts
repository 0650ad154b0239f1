import type { DriftRecord } from '../../src/types/drift';
import { Cursor, Labels, PeerMatcher, matches, matchesValue } from './matchers';

/**
 * A Loki test peer: answers /loki/api/v1/query_range, /query and /label/<name>/values over a set of
 * drift records, in Loki's documented response formats (streams, matrix, vector). It evaluates the
 * LogQL subset the plugin generates; anything else is a 400 "parse error", as real Loki would answer.
 */

/**
 * One log entry. The line is the record's JSON; the peer keeps the record itself as the line's parsed
 * form (`| json` reads fields from it) and serialises the line only when a line filter or an answer
 * needs it, so queries over 100,000 entries stay fast.
 */
interface Entry {
  tsMs: number;
  readonly line: string;
  stream: Labels;
  parsed: unknown;
  /** `| json` fields looked up so far (queries repeat: the same few fields of the same lines). */
  fields?: Map<string, string | undefined>;
}

function fieldOf(e: Entry, name: string): string | undefined {
  const fields = (e.fields ??= new Map());
  if (fields.has(name)) {
    return fields.get(name);
  }
  const value = jsonField(e.parsed, name);
  fields.set(name, value);
  return value;
}

/** A `| json`-flattened field (`user_name` → user.name); undefined when absent, '' for null. */
export function jsonField(value: unknown, name: string): string | undefined {
  // `__error__` and other `__…__` labels come from Loki itself, never from the line.
  if (!value || typeof value !== 'object' || Array.isArray(value) || name.startsWith('__')) {
    return undefined;
  }
  const obj = value as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(obj, name)) {
    const v = obj[name];
    if (v === null || v === undefined) {
      return '';
    }
    if (typeof v !== 'object') {
      return String(v);
    }
  }
  for (const key of Object.keys(obj)) {
    if (name.startsWith(`${key}_`) && obj[key] && typeof obj[key] === 'object' && !Array.isArray(obj[key])) {
      const found = jsonField(obj[key], name.slice(key.length + 1));
      if (found !== undefined) {
        return found;
      }
    }
  }
  return undefined;
}

type Stage =
  | { kind: 'line'; contains: string }
  | { kind: 'lineRegex'; pattern: RegExp }
  | { kind: 'json' }
  | { kind: 'filter'; matcher: PeerMatcher };

/** Loki's defaults: max_entries_limit_per_query 5000, max_query_length 721h. */
export const MAX_ENTRIES_LIMIT = 5000;
export const MAX_QUERY_LENGTH_MS = 721 * 3_600_000;

/** What the peer's GET /config answers (Loki serves its effective YAML config there). */
export const PEER_CONFIG_YAML = [
  'compactor:',
  '  retention_enabled: true',
  'limits_config:',
  '  retention_period: 2160h',
  '  max_entries_limit_per_query: 5000',
  '  max_query_length: 721h',
  '',
].join('\n');

interface LogQuery {
  selector: PeerMatcher[];
  stages: Stage[];
}

type MetricExpr =
  | { kind: 'count_over_time'; log: LogQuery; rangeMs: number }
  | { kind: 'sum'; by: string[]; expr: MetricExpr }
  | { kind: 'topk'; k: number; expr: MetricExpr };

export interface PeerResponse {
  status: number;
  body: unknown;
}

export const STREAM_LABEL_NAMES = ['provider', 'account_id', 'region', 'severity', 'change_type'] as const;

export function recordToEntry(record: DriftRecord, job = 'tfdrift'): Entry {
  const stream: Labels = { job };
  for (const name of STREAM_LABEL_NAMES) {
    const v = record[name];
    if (v !== null && v !== undefined) {
      stream[name] = String(v);
    }
  }
  let line: string | undefined;
  return {
    tsMs: Date.parse(record.detected_at),
    get line() {
      return (line ??= JSON.stringify(record));
    },
    stream,
    parsed: record,
  };
}

/** Loki's `| json`: nested objects flattened with `_`; arrays are not extracted; null becomes "". */
export function flattenJson(value: unknown, prefix = '', out: Labels = {}): Labels {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) {
      flattenJson(v, prefix ? `${prefix}_${k}` : k, out);
    }
  } else if (!Array.isArray(value) && prefix) {
    out[prefix] = value === null || value === undefined ? '' : String(value);
  }
  return out;
}

function parseLog(c: Cursor): LogQuery {
  const selector = c.matcherList();
  if (!selector.some((m) => (m.op === '=' || m.op === '=~') && m.value !== '')) {
    c.fail('queries require at least one non-empty matcher');
  }
  const stages: Stage[] = [];
  for (;;) {
    if (c.eat('|=')) {
      stages.push({ kind: 'line', contains: c.string() });
    } else if (c.eat('|~')) {
      stages.push({ kind: 'lineRegex', pattern: new RegExp(c.string()) });
    } else if (c.peek('|') && !c.peek('||')) {
      c.eat('|');
      if (c.eat('json')) {
        stages.push({ kind: 'json' });
      } else {
        stages.push({ kind: 'filter', matcher: c.matcher() });
      }
    } else {
      return { selector, stages };
    }
  }
}

function parseMetric(c: Cursor): MetricExpr {
  if (c.eat('topk')) {
    c.expect('(');
    const k = c.number();
    c.expect(',');
    const expr = parseMetric(c);
    c.expect(')');
    return { kind: 'topk', k, expr };
  }
  if (c.eat('sum')) {
    const by = c.eat('by') ? c.labelList() : [];
    c.expect('(');
    const expr = parseMetric(c);
    c.expect(')');
    return { kind: 'sum', by, expr };
  }
  if (c.eat('count_over_time')) {
    c.expect('(');
    const log = parseLog(c);
    const rangeMs = c.duration();
    c.expect(')');
    return { kind: 'count_over_time', log, rangeMs };
  }
  return c.fail('unsupported metric expression');
}

export function parseLogQL(query: string): { log?: LogQuery; metric?: MetricExpr } {
  const c = new Cursor(query);
  const result = c.peek('{') ? { log: parseLog(c) } : { metric: parseMetric(c) };
  if (!c.done()) {
    c.fail('unexpected trailing input');
  }
  return result;
}

/** What a pipeline stage sees: stream labels, then also the line's `| json` fields. */
type LabelView = (name: string) => string | undefined;

/**
 * Applies the pipeline; returns a view of the resulting line's labels, or undefined when filtered out.
 * Lines are the records' JSON, so `| json` never fails here (no `__error__`).
 */
function runPipeline(q: LogQuery, e: Entry): LabelView | undefined {
  if (!q.selector.every((m) => matches(e.stream, m))) {
    return undefined;
  }
  let json = false;
  const view: LabelView = (name) => e.stream[name] ?? (json ? fieldOf(e, name) : undefined);
  for (const stage of q.stages) {
    if (stage.kind === 'line') {
      if (!e.line.includes(stage.contains)) {
        return undefined;
      }
    } else if (stage.kind === 'lineRegex') {
      if (!stage.pattern.test(e.line)) {
        return undefined;
      }
    } else if (stage.kind === 'json') {
      json = true;
    } else if (!matchesView(view, stage.matcher)) {
      return undefined;
    }
  }
  return view;
}

function matchesView(view: LabelView, m: PeerMatcher): boolean {
  return matchesValue(view(m.label) ?? '', m);
}

/** Every label of a result line (stream labels plus, after `| json`, every flattened field). */
function allLabels(q: LogQuery, e: Entry): Labels {
  return q.stages.some((st) => st.kind === 'json')
    ? { ...flattenJson(e.parsed), ...e.stream }
    : { ...e.stream };
}

interface Sample {
  metric: Labels;
  value: number;
}

/**
 * Evaluates a metric expression at `atMs`. `keep`: the only labels an enclosing `sum by` looks at, so
 * count_over_time groups by those instead of every label (same result, far fewer groups).
 */
function evalMetric(expr: MetricExpr, entries: Entry[], atMs: number, keep?: string[]): Sample[] {
  if (expr.kind === 'count_over_time') {
    const groups = new Map<string, Sample>();
    for (const e of entries) {
      if (e.tsMs <= atMs - expr.rangeMs || e.tsMs > atMs) {
        continue;
      }
      const view = runPipeline(expr.log, e);
      if (view) {
        const values = keep?.map((l) => view(l) ?? '');
        const full = keep ? undefined : allLabels(expr.log, e);
        const key = values ? values.join('\u0000') : JSON.stringify(Object.entries(full!).sort());
        let s = groups.get(key);
        if (!s) {
          s = { metric: keep ? Object.fromEntries(keep.map((l, i) => [l, values![i]])) : full!, value: 0 };
          groups.set(key, s);
        }
        s.value++;
      }
    }
    return [...groups.values()];
  }
  const inner = evalMetric(expr.expr, entries, atMs, expr.kind === 'sum' ? expr.by : keep);
  if (expr.kind === 'sum') {
    const groups = new Map<string, Sample>();
    for (const s of inner) {
      const metric: Labels = {};
      for (const l of expr.by) {
        metric[l] = s.metric[l] ?? '';
      }
      const key = JSON.stringify(metric);
      const g = groups.get(key) ?? { metric, value: 0 };
      g.value += s.value;
      groups.set(key, g);
    }
    return [...groups.values()];
  }
  return [...inner].sort((a, b) => b.value - a.value).slice(0, expr.k);
}

/** Loki accepts nanosecond integers, RFC3339, or (float) seconds. */
export function parseLokiTime(value: string | undefined, fallbackMs: number): number {
  if (value === undefined || value === '') {
    return fallbackMs;
  }
  if (/^\d{16,}$/.test(value)) {
    return nsToMs(value);
  }
  if (/^\d+(\.\d+)?$/.test(value)) {
    return Number(value) * 1000;
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new Error(`invalid time ${value}`);
  }
  return ms;
}

function stepMs(value: string | undefined, startMs: number, endMs: number): number {
  if (!value) {
    return Math.max(1000, Math.ceil((endMs - startMs) / 250 / 1000) * 1000);
  }
  return /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : new Cursor(`[${value}]`).duration();
}

const ok = (data: unknown): PeerResponse => ({ status: 200, body: { status: 'success', data } });
const bad = (message: string): PeerResponse => ({ status: 400, body: message });

const entryCache = new WeakMap<DriftRecord[], Map<string, Entry[]>>();

/** The records as Loki entries, newest first; built once per records array and job. */
function entriesOf(records: DriftRecord[], job: string): Entry[] {
  let byJob = entryCache.get(records);
  if (!byJob) {
    byJob = new Map();
    entryCache.set(records, byJob);
  }
  let entries = byJob.get(job);
  if (!entries) {
    entries = records.map((r) => recordToEntry(r, job)).sort((a, b) => b.tsMs - a.tsMs);
    byJob.set(job, entries);
  }
  return entries;
}

/**
 * Loki nanosecond times as ms. Entries sit on whole ms, so rounding up keeps both comparisons exact:
 * ts_ns >= start_ns ⇔ ts_ms >= ceil(start_ns / 1e6), and ts_ns < end_ns ⇔ ts_ms < ceil(end_ns / 1e6)
 * (paging cursors are `oldest + 1 ns`).
 */
function nsToMs(value: string): number {
  const ns = BigInt(value);
  const million = BigInt(1_000_000);
  return Number(ns / million) + (ns % million === BigInt(0) ? 0 : 1);
}

/** Handles one Loki HTTP API request (path without host, decoded query params). */
export function handleLokiRequest(
  path: string,
  params: Record<string, string>,
  records: DriftRecord[],
  nowMs: number = Date.now(),
  job = 'tfdrift',
): PeerResponse {
  const entries = entriesOf(records, job);
  try {
    if (path === '/config') {
      return { status: 200, body: PEER_CONFIG_YAML };
    }
    const labelValues = /^\/loki\/api\/v1\/label\/([^/]+)\/values$/.exec(path);
    if (labelValues) {
      // Loki looks at the last 6 hours when start/end are not given.
      const end = parseLokiTime(params.end, nowMs);
      const start = parseLokiTime(params.start, end - 6 * 3_600_000);
      const values = new Set(
        entries
          .filter((e) => e.tsMs >= start && e.tsMs <= end)
          .map((e) => e.stream[labelValues[1]])
          .filter((v): v is string => !!v),
      );
      return ok([...values].sort());
    }
    if (path !== '/loki/api/v1/query_range' && path !== '/loki/api/v1/query') {
      return { status: 404, body: '404 page not found' };
    }
    if (!params.query) {
      return bad('query parameter is required');
    }
    const parsed = parseLogQL(params.query);
    const instant = path.endsWith('/query');
    const endMs = parseLokiTime(instant ? params.time : params.end, nowMs);
    const startMs = instant ? endMs : parseLokiTime(params.start, endMs - 3_600_000);
    if (!instant && endMs - startMs > MAX_QUERY_LENGTH_MS) {
      return bad(
        `the query time range exceeds the limit (query length: ${Math.round((endMs - startMs) / 3_600_000)}h, limit: 30d1h)`,
      );
    }
    if (parsed.log) {
      const limit = Number(params.limit ?? 100);
      if (limit > MAX_ENTRIES_LIMIT) {
        return bad(
          `max entries limit per query exceeded, limit > max_entries_limit (${limit} > ${MAX_ENTRIES_LIMIT})`,
        );
      }
      const forward = params.direction === 'forward';
      const ordered = forward ? [...entries].reverse() : entries;
      const hits: Array<{ e: Entry }> = [];
      for (const e of ordered) {
        if (hits.length >= limit) {
          break;
        }
        if (e.tsMs >= startMs && e.tsMs < endMs + (instant ? 1 : 0)) {
          if (runPipeline(parsed.log, e)) {
            hits.push({ e });
          }
        }
      }
      // After `| json` every distinct label set is its own stream, as in real Loki.
      const result = hits.map((h) => ({
        stream: allLabels(parsed.log!, h.e),
        values: [[`${h.e.tsMs}000000`, h.e.line]],
      }));
      return ok({ resultType: 'streams', result, stats: {} });
    }
    if (instant) {
      const samples = evalMetric(parsed.metric!, entries, endMs);
      const result = samples.map((s) => ({ metric: s.metric, value: [endMs / 1000, String(s.value)] }));
      return ok({ resultType: 'vector', result, stats: {} });
    }
    const step = stepMs(params.step, startMs, endMs);
    const series = new Map<string, { metric: Labels; values: Array<[number, string]> }>();
    for (let t = startMs; t <= endMs; t += step) {
      for (const s of evalMetric(parsed.metric!, entries, t)) {
        const key = JSON.stringify(s.metric);
        const target = series.get(key) ?? { metric: s.metric, values: [] };
        target.values.push([t / 1000, String(s.value)]);
        series.set(key, target);
      }
    }
    return ok({ resultType: 'matrix', result: [...series.values()], stats: {} });
  } catch (err) {
    return bad((err as Error).message);
  }
}
