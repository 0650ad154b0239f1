import type { StateSourceConfig } from '../config.js';
import type { FetchedState } from './types.js';
import { InputError } from '../../util/errors.js';

/** True when a key/name pattern has glob characters (`*`, `**`, `?`, `[...]`). */
export function isGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/** The part of a glob before its first wildcard: what object listings filter by. */
export function literalPrefix(pattern: string): string {
  const i = pattern.search(/[*?[]/);
  return i < 0 ? pattern : pattern.slice(0, i);
}

/** `*` matches within one path segment, `**` across segments, `?` one character, `[ab]` a class. */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i);
      if (end < 0) re += '\\[';
      else {
        re += `[${pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Reads a credential from the environment variable the config names (or the backend's default name). */
export function envSecret(configured: string | undefined, defaults: string[], env: NodeJS.ProcessEnv = process.env): string | null {
  for (const name of configured ? [configured] : defaults) {
    const v = env[name];
    if (v !== undefined && v !== '') return v;
  }
  return null;
}

export function timeoutMs(config: StateSourceConfig): number {
  return (config.timeout_seconds ?? 30) * 1000;
}

/**
 * Runs one backend call under a deadline: `call` gets an AbortSignal that fires at `ms` (hand it to
 * fetch or the SDK so the socket is released), and the returned promise rejects at the deadline even
 * when the callee ignores the signal (a body stream that never ends, an SDK that only warns).
 */
export async function withDeadline<T>(ms: number, where: string, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctl = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ctl.abort(new DOMException(`timed out after ${ms / 1000} s`, 'TimeoutError'));
      reject(new InputError(`request failed (timed out after ${ms / 1000} s)`, 'state_fetch_failed', where));
    }, ms);
  });
  try {
    return await Promise.race([call(ctl.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * fetch under `timeout`, headers and body together (the signal also aborts a body that stalls),
 * with an error that names the location and the cause (refused, timeout, DNS), never the
 * credentials sent. Every HTTP-based backend goes through here.
 */
export async function httpGet(url: string, init: RequestInit & { timeout: number; where: string }): Promise<Response> {
  const signal = AbortSignal.timeout(init.timeout);
  try {
    return await fetch(url, { ...init, signal, redirect: init.redirect ?? 'follow' });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = signal.aborted ? `timed out after ${init.timeout / 1000} s` : (e.cause?.code ?? e.cause?.message ?? e.message);
    throw new InputError(`request failed (${why})`, 'state_fetch_failed', init.where);
  }
}

export async function failedResponse(res: Response, where: string, hint = ''): Promise<never> {
  let detail = '';
  try {
    detail = (await res.text()).replace(/\s+/g, ' ').slice(0, 200);
  } catch {
    /* the status says enough */
  }
  const auth = res.status === 401 || res.status === 403 ? ' (check the credentials this source is configured to use)' : '';
  throw new InputError(`HTTP ${res.status} ${res.statusText}${auth}${hint}${detail ? `: ${detail}` : ''}`, 'state_fetch_failed', where);
}

/** Runs `fn` over items with at most `limit` in flight (many keys/workspaces per source). */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return out;
}

/** ETags compare equal with or without their quotes (Azure lists them bare, returns them quoted). */
export function sameEtag(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return false;
  const bare = (e: string): string => e.replace(/^W\//, '').replace(/^"|"$/g, '');
  return bare(a) === bare(b);
}

/**
 * The fetch of every object-store backend (S3, GCS, Azure Blob): one key, or a glob whose
 * listing already carries each object's version, so unchanged objects are never downloaded.
 * Returns null when nothing changed.
 */
export async function fetchObjectStore<O extends { key: string }>(opts: {
  key: string;
  where: (key: string) => string;
  known: ReadonlyMap<string, string | null> | undefined;
  list: () => Promise<O[]>;
  /** The listed object's version marker (ETag, generation), compared with what was loaded before. */
  unchangedInListing: (previous: string | null | undefined, object: O) => boolean;
  get: (key: string, previous: string | null | undefined) => Promise<FetchedState>;
}): Promise<FetchedState[] | null> {
  const { key, where, known } = opts;
  if (!isGlob(key)) {
    const one = await opts.get(key, known?.get(where(key)));
    return one.unchanged ? null : [one];
  }
  const objects = await opts.list();
  const out = await mapLimit(objects, 8, async (o) => {
    const prev = known?.get(where(o.key));
    if (opts.unchangedInListing(prev, o)) return { text: '', location: where(o.key), version: prev ?? null, unchanged: true };
    return opts.get(o.key, prev);
  });
  if (known && known.size !== out.length) return out; // objects appeared or went away
  return out.every((f) => f.unchanged) ? null : out;
}
