/**
 * Evaluates the LogQL metric queries the plugin and the dashboards use, over what a Loki peer
 * stored, with Loki's semantics for that subset (LogQL docs): a stream selector (`=`, `!=`,
 * `=~`, `!~`, regexes fully anchored), a `|=` line filter, `| json` (nested keys joined with
 * `_`, arrays not extracted, a key clashing with a stream label gets `_extracted`),
 * `| __error__=""`, label filters, `count_over_time(... [range])` (every entry in the range
 * counts), `sum [by (...)]` and `topk(n, ...)`. Anything else is refused, not guessed.
 */
import type { PeerEntry } from '../outputs/loki-peer.js';

type Matcher = { label: string; op: '=' | '!=' | '=~' | '!~'; value: string };

function parseMatchers(text: string): Matcher[] {
  const out: Matcher[] = [];
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*,?/gy;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(text)) !== null) {
    out.push({ label: m[1], op: m[2] as Matcher['op'], value: m[3].replace(/\\(.)/g, '$1') });
    consumed = re.lastIndex;
  }
  if (text.slice(consumed).trim() !== '') throw new Error(`unsupported matchers: ${text}`);
  return out;
}

function test(m: Matcher, v: string | undefined): boolean {
  const value = v ?? '';
  if (m.op === '=') return value === m.value;
  if (m.op === '!=') return value !== m.value;
  const re = new RegExp(`^(?:${m.value})$`);
  return m.op === '=~' ? re.test(value) : !re.test(value);
}

function flatten(obj: Record<string, unknown>, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  for (const [k, v] of Object.entries(obj)) {
    const key = `${prefix}${k}`.replace(/[^a-zA-Z0-9_]/g, '_');
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v as Record<string, unknown>, `${key}_`, out);
    else if (!Array.isArray(v)) out[key] = v === null ? '' : String(v);
  }
  return out;
}

/** Groups → value, for `[topk(n, ] sum [by (...)] (count_over_time(<log query> [range])) [)]`. */
export function evaluateMetricQuery(query: string, entries: PeerEntry[]): Map<string, number> {
  let q = query.trim();
  let topk: number | null = null;
  const tk = /^topk\((\d+),\s*([\s\S]*)\)$/.exec(q);
  if (tk) {
    topk = Number(tk[1]);
    q = tk[2].trim();
  }
  const sum = /^sum(?:\s+by\s*\(([^)]*)\))?\s*\(\s*count_over_time\(([\s\S]*)\[[^\]]+\]\s*\)\s*\)$/.exec(q);
  if (!sum) throw new Error(`unsupported query: ${query}`);
  const by = (sum[1] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const log = sum[2].trim();
  const sel = /^\{([^}]*)\}([\s\S]*)$/.exec(log);
  if (!sel) throw new Error(`no stream selector: ${log}`);
  const streamMatchers = parseMatchers(sel[1]);
  const stages = sel[2].split(/\|(?==|\s)/).map((s) => s.trim()).filter(Boolean);
  const groups = new Map<string, number>();
  for (const e of entries) {
    if (!streamMatchers.every((m) => test(m, e.labels[m.label]))) continue;
    let labels: Record<string, string> = { ...e.labels };
    let keep = true;
    for (const stage of stages) {
      if (stage.startsWith('=')) keep = e.line.includes(JSON.parse(stage.slice(1).trim()) as string);
      else if (stage === 'json') {
        let parsed: unknown;
        try {
          parsed = JSON.parse(e.line);
        } catch {
          labels = { ...labels, __error__: 'JSONParserErr' };
          continue;
        }
        const extracted = flatten(parsed as Record<string, unknown>);
        for (const [k, v] of Object.entries(extracted)) labels[k in e.labels ? `${k}_extracted` : k] = v;
      } else {
        const matchers = parseMatchers(stage);
        if (matchers.length !== 1) throw new Error(`unsupported stage: ${stage}`);
        keep = test(matchers[0], labels[matchers[0].label]);
      }
      if (!keep) break;
    }
    if (!keep) continue;
    const key = JSON.stringify(by.map((l) => labels[l] ?? ''));
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  if (topk === null) return groups;
  return new Map([...groups.entries()].sort((a, b) => b[1] - a[1]).slice(0, topk));
}

export const total = (groups: Map<string, number>): number => [...groups.values()].reduce((a, b) => a + b, 0);
