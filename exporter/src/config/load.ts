import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import { configSchema, type Config } from './schema.js';
import { ConfigError, errorMessage } from '../util/errors.js';

export const ENV_PREFIX = 'TFDRIFT_';

export type AnySchema = z.ZodType & { _zod: { def: Record<string, unknown> & { type: string } } };

/** The schema under optional/default/nullable/… wrappers (what a key's value is checked against). */
export function unwrap(schema: AnySchema): AnySchema {
  let s = schema;
  for (;;) {
    const def = s._zod.def;
    if (['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch'].includes(def.type)) s = def.innerType as AnySchema;
    else if (def.type === 'pipe') s = def.in as AnySchema;
    else return s;
  }
}

/**
 * Resolves `TFDRIFT_OUTPUTS_LOKI_URL` to ['outputs','loki','url'] by walking the schema,
 * since keys themselves contain underscores (falco_http, account_id).
 */
export function envKeyToPath(tokens: string[], schema: AnySchema = configSchema as unknown as AnySchema): (string | number)[] | null {
  if (tokens.length === 0) return [];
  const s = unwrap(schema);
  const def = s._zod.def;
  if (def.type === 'object') {
    const shape = def.shape as Record<string, AnySchema>;
    const keys = Object.keys(shape).sort((a, b) => b.length - a.length);
    for (const key of keys) {
      const keyTokens = key.toUpperCase().split('_');
      if (keyTokens.every((t, i) => tokens[i] === t)) {
        const rest = envKeyToPath(tokens.slice(keyTokens.length), shape[key]);
        if (rest) return [key, ...rest];
      }
    }
    return null;
  }
  if (def.type === 'array') {
    const index = Number(tokens[0]);
    if (!Number.isInteger(index) || index < 0) return null;
    const rest = envKeyToPath(tokens.slice(1), def.element as AnySchema);
    return rest ? [index, ...rest] : null;
  }
  if (def.type === 'record') return [tokens.join('_').toLowerCase()];
  return null;
}

function setPath(target: Record<string, unknown>, path: (string | number)[], value: unknown): void {
  let node: Record<string | number, unknown> = target;
  path.forEach((key, i) => {
    if (i === path.length - 1) {
      node[key] = value;
      return;
    }
    const nextIsIndex = typeof path[i + 1] === 'number';
    if (node[key] === undefined || node[key] === null || typeof node[key] !== 'object') node[key] = nextIsIndex ? [] : {};
    node = node[key] as Record<string | number, unknown>;
  });
}

/** Applies TFDRIFT_* overrides; values are YAML scalars so `true`, `9464`, `[a, b]` keep their types. */
export function applyEnvOverrides(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined) continue;
    const path = envKeyToPath(name.slice(ENV_PREFIX.length).split('_'));
    if (!path || path.length === 0) {
      problems.push(`${name}: environment variable does not name a configuration key`);
      continue;
    }
    let parsed: unknown = value;
    try {
      parsed = value === '' ? '' : YAML.parse(value);
    } catch {
      parsed = value;
    }
    // A string-typed key such as token must stay a string even if it looks numeric.
    const leafIsString = typeof parsed !== 'string' && looksStringTyped(path);
    setPath(raw, path, leafIsString ? value : parsed);
  }
  return problems;
}

function looksStringTyped(path: (string | number)[]): boolean {
  let s = unwrap(configSchema as unknown as AnySchema);
  for (const key of path) {
    const def = s._zod.def;
    if (def.type === 'object') s = unwrap((def.shape as Record<string, AnySchema>)[key as string]);
    else if (def.type === 'array') s = unwrap(def.element as AnySchema);
    else if (def.type === 'record') s = unwrap(def.valueType as AnySchema);
    else return false;
  }
  return s._zod.def.type === 'string';
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const path = issue.path.map(String).join('.') || '(root)';
    if (issue.code === 'unrecognized_keys') {
      const keys = (issue as { keys: string[] }).keys;
      return keys.map((k) => `${path === '(root)' ? k : `${path}.${k}`}: unknown key`).join('\n  ');
    }
    return `${path}: ${issue.message}`;
  });
}

export function parseConfig(raw: unknown, env: NodeJS.ProcessEnv = {}): Config {
  const base = raw === null || raw === undefined ? {} : raw;
  if (typeof base !== 'object' || Array.isArray(base)) throw new ConfigError(['(root): expected a mapping of keys']);
  const copy = structuredClone(base) as Record<string, unknown>;
  const envProblems = applyEnvOverrides(copy, env);
  const result = configSchema.safeParse(copy);
  const problems = [...envProblems, ...(result.success ? [] : formatIssues(result.error.issues))];
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return result.data;
}

export function loadConfigFile(file: string | null, env: NodeJS.ProcessEnv = process.env): Config {
  if (!file) return parseConfig({}, env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`${file}: cannot read (${errorMessage(err)})`]);
  }
  // Not prettyErrors: those quote the surrounding lines, which may hold tokens.
  const doc = YAML.parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const lc = new YAML.LineCounter();
    YAML.parseDocument(text, { lineCounter: lc });
    throw new ConfigError(doc.errors.map((e) => {
      const pos = lc.linePos(e.pos[0]);
      return `${file}:${pos.line}:${pos.col}: ${e.message}`;
    }));
  }
  try {
    const config = parseConfig(doc.toJS(), env);
    // Local state paths are relative to the configuration file, not to wherever tfdrift started.
    for (const s of config.states) if (s.backend === 'local' && s.path && !path.isAbsolute(s.path)) s.path = path.resolve(path.dirname(file), s.path);
    return config;
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(err.problems.map((p) => `${file}: ${p}`));
    throw err;
  }
}
