import { getPath, walkAll } from '../../util/paths.js';

/**
 * Resource IDs out of an event: plain mapping paths (`request.groupId`, fan-out
 * `request.items.*.id`) and ID templates in Terraform's import-ID form, e.g. Route 53's
 * `{request.hostedZoneId:last}_{request.changeBatch.changes.*.resourceRecordSet.name:trimdot}_{…type}[_{…setIdentifier}]`:
 * `{path[:filter…]}` is a required value, `[…]` an optional part dropped when a value in it is
 * missing. Fan-out placeholders must share one `…*` prefix; each element gives one ID and is
 * the `item` that the row's other paths (`item.action`) read.
 */

export interface IdHit {
  id: string;
  /** The fan-out element the ID came from (the `item` root), when the path fans out. */
  item?: unknown;
}

/** `arn:aws:iam::1:role/path/name` → name; resource paths too (`/hostedzone/Z123` → Z123). */
export function idFromArn(value: string): string {
  if (value.startsWith('/')) return value.split('/').filter(Boolean).pop() ?? value;
  if (!value.startsWith('arn:')) return value;
  const resource = arnResource(value);
  const parts = resource.split('/');
  if (parts.length > 1) return parts[parts.length - 1] || resource;
  const colon = resource.split(':');
  return colon.length > 1 ? colon[colon.length - 1] || resource : resource;
}

/** The resource part of an ARN (after `arn:partition:service:region:account:`). */
export function arnResource(arn: string): string {
  return arn.split(':').slice(5).join(':');
}

const FILTERS: Record<string, (s: string) => string> = {
  last: idFromArn,
  trimdot: (s) => s.replace(/\.$/, ''),
  lower: (s) => s.toLowerCase(),
  upper: (s) => s.toUpperCase(),
  /** Cloud SQL's `project:instance` → `instance`. */
  after_colon: (s) => s.slice(s.lastIndexOf(':') + 1),
  /** `https://sqs.r.amazonaws.com/1/q` and the like → `q`. */
  url_last: (s) => s.replace(/\/+$/, '').split('/').pop() ?? s,
};

export function isTemplate(path: string): boolean {
  return path.includes('{');
}

function scalarText(v: unknown): string | null {
  if (typeof v === 'string') return v === '' ? null : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/** Splits a fan-out path at its first `*`: the list's path and the path inside an element. */
function splitFanOut(path: string): { list: string; rest: string[] } | null {
  const keys = path.split('.');
  const star = keys.indexOf('*');
  return star < 0 ? null : { list: keys.slice(0, star).join('.'), rest: keys.slice(star + 1) };
}

/** Values of a plain path, each with the element it came from when the path fans out. */
export function pathHits(root: unknown, path: string): IdHit[] {
  const fan = splitFanOut(path);
  const out: IdHit[] = [];
  if (!fan) {
    for (const v of getPath(root, path)) {
      const id = scalarText(v);
      if (id) out.push({ id });
    }
    return out;
  }
  const lists = fan.list === '' ? [root] : getPath(root, fan.list);
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const el of list) {
      for (const v of fan.rest.length ? walkAll(el, fan.rest) : [el]) {
        const id = scalarText(v);
        if (id) out.push({ id, item: el });
      }
    }
  }
  return out;
}

type Part = { text: string } | { path: string; filters: string[] } | { optional: Part[] };

const templates = new Map<string, Part[]>();

function parseTemplate(t: string): Part[] {
  const hit = templates.get(t);
  if (hit) return hit;
  const parse = (s: string): Part[] => {
    const parts: Part[] = [];
    let i = 0;
    while (i < s.length) {
      if (s[i] === '{') {
        const end = s.indexOf('}', i);
        if (end < 0) throw new Error(`ID template "${t}": unclosed {`);
        const [path, ...filters] = s.slice(i + 1, end).split(':');
        for (const f of filters) if (!FILTERS[f]) throw new Error(`ID template "${t}": unknown filter "${f}"`);
        parts.push({ path, filters });
        i = end + 1;
      } else if (s[i] === '[') {
        const end = s.indexOf(']', i);
        if (end < 0) throw new Error(`ID template "${t}": unclosed [`);
        parts.push({ optional: parse(s.slice(i + 1, end)) });
        i = end + 1;
      } else {
        let j = i;
        while (j < s.length && s[j] !== '{' && s[j] !== '[') j++;
        parts.push({ text: s.slice(i, j) });
        i = j;
      }
    }
    return parts;
  };
  const parts = parse(t);
  templates.set(t, parts);
  return parts;
}

function placeholders(parts: Part[]): { path: string; filters: string[] }[] {
  return parts.flatMap((p) => ('path' in p ? [p] : 'optional' in p ? placeholders(p.optional) : []));
}

/** Checks a template's syntax (the table tests call this). */
export function checkTemplate(t: string): string[] {
  try {
    const ph = placeholders(parseTemplate(t));
    if (ph.length === 0) return [`ID template "${t}" names no path`];
    const lists = new Set(ph.map((p) => splitFanOut(p.path)?.list).filter((x) => x !== undefined));
    return lists.size > 1 ? [`ID template "${t}": fan-out placeholders must share one list`] : [];
  } catch (e) {
    return [(e as Error).message];
  }
}

function render(parts: Part[], value: (path: string) => string | null): string | null {
  let out = '';
  for (const p of parts) {
    if ('text' in p) out += p.text;
    else if ('optional' in p) out += render(p.optional, value) ?? '';
    else {
      const v = value(p.path);
      if (v === null) return null;
      out += v;
    }
  }
  return out;
}

/** IDs a template yields: one, or one per element of its fan-out list. */
export function templateHits(root: unknown, template: string): IdHit[] {
  const parts = parseTemplate(template);
  const fan = placeholders(parts).map((p) => splitFanOut(p.path)).find((x) => x !== null) ?? null;
  const filtersOf = new Map(placeholders(parts).map((p) => [p.path, p.filters]));
  const valueIn = (ctx: unknown, path: string, keys?: string[]): string | null => {
    const raw = keys ? walkAll(ctx, keys)[0] : getPath(ctx, path)[0];
    let s = scalarText(raw);
    if (s === null) return null;
    for (const f of filtersOf.get(path) ?? []) s = FILTERS[f](s);
    return s === '' ? null : s;
  };
  if (!fan) {
    const id = render(parts, (p) => valueIn(root, p));
    return id ? [{ id }] : [];
  }
  const out: IdHit[] = [];
  for (const list of fan.list === '' ? [root] : getPath(root, fan.list)) {
    if (!Array.isArray(list)) continue;
    for (const el of list) {
      const id = render(parts, (p) => {
        const f = splitFanOut(p);
        return f ? valueIn(el, p, f.rest) : valueIn(root, p);
      });
      if (id) out.push({ id, item: el });
    }
  }
  return out;
}

/** IDs at one mapping path or template. */
export function idHits(root: unknown, path: string): IdHit[] {
  return isTemplate(path) ? templateHits(root, path) : pathHits(root, path);
}
