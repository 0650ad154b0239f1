/**
 * Reading the stack's files the way Docker Compose, Docker and the services do, so that the
 * tests can follow every reference from docker-compose.yml into the repository.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

/** A parsed YAML/JSON document of an external format (Compose, Prometheus, Grafana, Kubernetes): shapes are checked by the tests, not the compiler. */
export type Doc = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export const repoPath = (rel: string): string => path.join(ROOT, rel);
export const readText = (rel: string): string => readFileSync(repoPath(rel), 'utf8');
export const exists = (rel: string): boolean => existsSync(repoPath(rel));
export const isDir = (rel: string): boolean => exists(rel) && statSync(repoPath(rel)).isDirectory();

/** YAML with `<<` merge keys applied, as Compose does. */
export function readYaml<T = Doc>(rel: string): T {
  return YAML.parse(readText(rel), { merge: true }) as T;
}

/** Files below a repository directory, relative to the root. */
export function listFiles(rel: string): string[] {
  if (!isDir(rel)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(repoPath(rel), { withFileTypes: true })) {
    const child = path.posix.join(rel, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(child));
    else out.push(child);
  }
  return out.sort();
}

// --- Compose variable interpolation ---------------------------------------------------------

export class MissingVariableError extends Error {}

/**
 * Compose's interpolation: $$, $NAME, ${NAME}, ${NAME:-default}, ${NAME-default},
 * ${NAME:?error}, ${NAME?error}, ${NAME:+alt}, ${NAME+alt}; defaults may nest.
 * `used` collects every variable name referenced.
 */
export function interpolate(
  text: string,
  env: Record<string, string | undefined>,
  used = new Set<string>(),
): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      let depth = 1;
      let j = i + 2;
      while (j < text.length && depth > 0) {
        if (text[j] === '{') depth++;
        else if (text[j] === '}') depth--;
        j++;
      }
      if (depth !== 0) throw new Error(`unterminated \${ in "${text}"`);
      out += expand(text.slice(i + 2, j - 1), env, used);
      i = j;
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
    if (m) {
      used.add(m[0]);
      out += env[m[0]] ?? '';
      i += 1 + m[0].length;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

function expand(body: string, env: Record<string, string | undefined>, used: Set<string>): string {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(body);
  if (!m) throw new Error(`invalid interpolation \${${body}}`);
  const [, name, op, arg = ''] = m;
  used.add(name);
  const value = env[name];
  const set = value !== undefined;
  const nonEmpty = set && value !== '';
  switch (op) {
    case undefined:
      return value ?? '';
    case ':-':
      return nonEmpty ? value : interpolate(arg, env, used);
    case '-':
      return set ? value : interpolate(arg, env, used);
    case ':?':
      if (!nonEmpty) throw new MissingVariableError(`${name}: ${arg}`);
      return value;
    case '?':
      if (!set) throw new MissingVariableError(`${name}: ${arg}`);
      return value;
    case ':+':
      return nonEmpty ? interpolate(arg, env, used) : '';
    case '+':
      return set ? interpolate(arg, env, used) : '';
    default:
      throw new Error(`invalid operator in \${${body}}`);
  }
}

/** Interpolates every string value (not keys) of a parsed document. */
export function interpolateDeep<T>(
  doc: T,
  env: Record<string, string | undefined>,
  used = new Set<string>(),
): T {
  if (typeof doc === 'string') return interpolate(doc, env, used) as T;
  if (Array.isArray(doc)) return doc.map((v) => interpolateDeep(v, env, used)) as T;
  if (doc && typeof doc === 'object')
    return Object.fromEntries(Object.entries(doc).map(([k, v]) => [k, interpolateDeep(v, env, used)])) as T;
  return doc;
}

/** A dotenv file as Compose reads it (KEY=VALUE, comments, optional quotes). */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) throw new Error(`not KEY=VALUE: ${line}`);
    let value = m[2];
    if (/^".*"$|^'.*'$/.test(value)) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, '');
    env[m[1]] = value;
  }
  return env;
}

// --- Compose model --------------------------------------------------------------------------

export interface Mount {
  type: 'bind' | 'volume';
  source: string;
  target: string;
  readOnly: boolean;
}

/** Short (`src:dst[:ro]`) and long volume syntax. */
export function mounts(service: Doc): Mount[] {
  return (service.volumes ?? []).map((v: Doc): Mount => {
    if (typeof v === 'object') {
      return {
        type: v.type === 'volume' ? 'volume' : 'bind',
        source: v.source,
        target: v.target,
        readOnly: v.read_only === true,
      };
    }
    const parts = String(v).split(':');
    const [source, target, mode = ''] = parts.length >= 2 ? parts : [undefined, parts[0], ''];
    const isBind = source !== undefined && /^[./~]/.test(source);
    return {
      type: isBind ? 'bind' : 'volume',
      source: source ?? '',
      target,
      readOnly: mode.split(',').includes('ro'),
    };
  });
}

/** Relative bind sources are relative to the Compose file, i.e. the repository root. */
export function repoRelative(source: string): string | null {
  if (!source.startsWith('./') && source !== '.') return null;
  return path.posix.normalize(source);
}

/** The repository path a container path comes from, through the service's bind mounts. */
export function hostPathOf(service: Doc, containerPath: string): string | null {
  const candidates = mounts(service)
    .filter((m) => m.type === 'bind' && repoRelative(m.source) !== null)
    .filter((m) => containerPath === m.target || containerPath.startsWith(`${m.target.replace(/\/$/, '')}/`))
    .sort((a, b) => b.target.length - a.target.length);
  const m = candidates[0];
  if (!m) return null;
  return path.posix.join(repoRelative(m.source)!, containerPath.slice(m.target.length));
}

/** Names a service answers to on the Compose network: its name and its aliases. */
export function networkNames(name: string, service: Doc): string[] {
  const nets = service.networks;
  const aliases =
    nets && !Array.isArray(nets) ? Object.values(nets).flatMap((n: Doc) => n?.aliases ?? []) : [];
  return [name, ...aliases];
}

export function commandArgs(service: Doc): string[] {
  const c = service.command;
  if (c === undefined) return [];
  return Array.isArray(c) ? c.map(String) : String(c).split(/\s+/);
}

/** `--flag=value` or `--flag value` in an argument list. */
export function flagValue(args: string[], flag: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === flag) return args[i + 1];
    if (args[i].startsWith(`${flag}=`)) return args[i].slice(flag.length + 1);
  }
  return undefined;
}

/** Falco's `-o key=value` overrides. */
export function falcoOverrides(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] === '-o' || args[i] === '--option' ? args[++i] : undefined;
    if (arg === undefined) continue;
    const eq = arg.indexOf('=');
    out[arg.slice(0, eq)] = arg.slice(eq + 1);
  }
  return out;
}

// --- .dockerignore --------------------------------------------------------------------------

function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      // `**/` matches any number of directories, including none.
      if (pattern[i + 2] === '/') {
        re += '(?:.*/)?';
        i += 2;
      } else {
        re += '.*';
        i += 1;
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Docker's rules: patterns in order, the last match wins, `!` re-includes, a match on a parent directory excludes the children. */
export function dockerIgnore(text: string): (file: string) => boolean {
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pattern = path.posix.normalize((negate ? l.slice(1) : l).replace(/^\/+/, ''));
      return { negate, re: globToRegExp(pattern) };
    });
  return (file: string): boolean => {
    const parts = file.split('/');
    let excluded = false;
    for (const rule of rules) {
      for (let n = 1; n <= parts.length; n++) {
        if (rule.re.test(parts.slice(0, n).join('/'))) {
          excluded = !rule.negate;
          break;
        }
      }
    }
    return excluded;
  };
}

// --- Dockerfile -----------------------------------------------------------------------------

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
  /** Index of the build stage (FROM … starts a new one). */
  stage: number;
}

/** Instructions with continuation lines joined and comments dropped. */
export function dockerfileInstructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  let stage = -1;
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i];
    if (/^\s*(#|$)/.test(line)) continue;
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      i++;
      const next = lines[i];
      if (/^\s*#/.test(next)) continue;
      line = `${line.replace(/\\\s*$/, '')} ${next.trim()}`;
    }
    const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(line);
    if (!m) continue;
    const keyword = m[1].toUpperCase();
    if (keyword === 'FROM') stage++;
    out.push({ keyword, args: m[2].trim(), line: start + 1, stage });
  }
  return out;
}

/** `ENV A=1 B="x y"` → pairs. */
export function envPairs(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|'([^']*)'|(\S*))/g))
    out[m[1]] = m[3] ?? m[4] ?? m[5] ?? '';
  return out;
}

/** The port of a `host:port` listen address. */
export const listenPort = (listen: string): number => Number(listen.slice(listen.lastIndexOf(':') + 1));
