/**
 * Claims the operator docs make, pulled out of their text: metric names, config keys,
 * environment variables, CLI commands and flags, HTTP endpoints and repository paths.
 * The test checks each against the code that defines it.
 */
import path from 'node:path';
import YAML from 'yaml';
import { listFiles, readText } from '../stack/stack.js';

export type ClaimKind = 'metric' | 'config_key' | 'config_snippet' | 'alerts_snippet' | 'env' | 'cli' | 'endpoint' | 'path';

export interface Claim {
  kind: ClaimKind;
  /** What the doc says, as written. */
  text: string;
  /** file:line it came from. */
  where: string;
}

/** The documents an operator reads: READMEs, docs/ (not docs/dev/), and the comments in shipped configs. */
export function operatorDocs(): string[] {
  const md = [
    'README.md',
    ...listFiles('docs').filter((f) => f.endsWith('.md') && !f.startsWith('docs/dev/')),
    ...listFiles('deploy').filter((f) => f.endsWith('.md')),
    ...listFiles('provisioning').filter((f) => f.endsWith('.md')),
    'grafana-plugin/README.md',
    'packages/alert-rules/README.md',
  ];
  const configs = [
    ...listFiles('provisioning').filter((f) => /\.ya?ml$/.test(f)),
    ...listFiles('deploy').filter((f) => /\.ya?ml$/.test(f)),
    'docker-compose.yml',
    '.env.example',
  ];
  return [...new Set([...md, ...configs])];
}

const isConfigFile = (file: string): boolean => !file.endsWith('.md');

/** Code in a document: inline spans and fenced blocks of Markdown; comment lines of YAML and .env files. */
export function codeOf(file: string): { text: string; line: number; block: boolean; lang: string }[] {
  const lines = readText(file).split('\n');
  const out: { text: string; line: number; block: boolean; lang: string }[] = [];
  if (isConfigFile(file)) {
    lines.forEach((l, i) => {
      const hash = l.indexOf('#');
      if (hash >= 0 && (hash === 0 || /\s/.test(l[hash - 1]))) out.push({ text: l.slice(hash + 1), line: i + 1, block: false, lang: 'comment' });
    });
    return out;
  }
  let fence: { lang: string; start: number; body: string[] } | null = null;
  lines.forEach((l, i) => {
    const m = /^\s*```(\w*)/.exec(l);
    if (m) {
      if (fence) {
        out.push({ text: fence.body.join('\n'), line: fence.start, block: true, lang: fence.lang });
        fence = null;
      } else fence = { lang: m[1], start: i + 2, body: [] };
      return;
    }
    if (fence) {
      fence.body.push(l);
      return;
    }
    for (const span of l.matchAll(/`([^`]+)`/g)) out.push({ text: span[1], line: i + 1, block: false, lang: '' });
  });
  return out;
}

/** Whole text of a document, for claims that are not only in code (metric names, env vars). */
function linesOf(file: string): { text: string; line: number }[] {
  return readText(file).split('\n').map((text, i) => ({ text, line: i + 1 }));
}

const CONFIG_TOP = ['server', 'inputs', 'states', 'outputs', 'detection', 'storage', 'logging'];

export function extractClaims(file: string): Claim[] {
  const claims: Claim[] = [];
  const add = (kind: ClaimKind, text: string, line: number): void => {
    claims.push({ kind, text, where: `${file}:${line}` });
  };
  const md = !isConfigFile(file);

  for (const { text, line } of linesOf(file)) {
    // Metric names (and recording rules, which carry colons); not file names, secrets or env vars.
    for (const m of text.matchAll(/(?<![\w./-])([a-z_]*:)?((?:tfdrift|process|nodejs)_[a-z0-9_]+)((?::[a-z0-9_]+)*)(?![\w.-])(?!\s*=\s*<)(\{[^}]*\})?/g)) {
      const name = `${m[1] ?? ''}${m[2]}${m[3] ?? ''}`;
      if (m[2].startsWith('tfdrift_') && /^tfdrift_(token|data|aws|gcp)/.test(m[2]) && !m[1]) continue; // a secret / file stem
      if (/resource type `?$/.test(text.slice(0, m.index))) continue; // the synthetic drift's resource type
      add('metric', m[4] ? `${name}${m[4]}` : name, line);
    }
    // Environment variables the exporter, compose or Falco's config read.
    // Documents by name (README.md, DESIGN.md): relative to the doc or the repository root.
    for (const m of text.matchAll(/(?<![\w/.-])([A-Z][A-Z_-]*\.md)\b/g)) add('path', m[1], line);
    if (/_env:\s*[A-Z]/.test(text)) continue; // a variable name the user picks (password_env: LOKI_PASSWORD)
    for (const m of text.matchAll(/(?<![\w$-])((?:TFDRIFT|EXPORTER|FALCO|CLOUDTRAIL|GCP|AZURE|AWS|ARM|GOOGLE|LOKI|GRAFANA)_[A-Z0-9_]*[A-Z0-9](?:_\*)?)(?![\w-])/g)) {
      add('env', m[1], line);
    }
  }

  for (const code of codeOf(file)) {
    const at = (offset: number): number => code.line + (code.block ? code.text.slice(0, offset).split('\n').length - 1 : 0);
    // Dotted config keys: `server.token`, `inputs.falco_http.max_body_bytes`, `states[0].bucket`.
    // (Not GCP IAM permissions such as storage.objects.get.)
    if (!code.block) {
      for (const m of code.text.matchAll(new RegExp(`^(?:${CONFIG_TOP.join('|')})(?:\\.[a-z0-9_]+|\\[\\d+\\])+(?=$|[\\s:=,])`, 'g')))
        if (!/^storage\.(objects|buckets)\./.test(m[0])) add('config_key', m[0], at(m.index ?? 0));
    }
    // CLI: `tfdrift CMD [SUB] ... --flag`, also as a compose service (`docker compose run --rm tfdrift config check …`).
    for (const m of code.text.matchAll(/(?<![\w./:@-])tfdrift((?: +[^\s|;&)`#]+)+)/g)) {
      if (/(?:-n|--namespace) $/.test(code.text.slice(0, m.index))) continue; // kubectl -n tfdrift
      const words = m[1].trim().split(/ +/);
      if (!/^[a-z][a-z-]*$/.test(words[0])) continue;
      add('cli', `tfdrift ${words.join(' ')}`, at(m.index ?? 0));
    }
    // Endpoints: `GET /readyz`, `POST /api/v1/state/reload`, or a URL path on the exporter's port;
    // not in the docs of the Grafana-side packages, whose paths are Grafana's API.
    const exporterDoc = !/^(grafana-plugin|packages)\//.test(file);
    for (const m of exporterDoc ? code.text.matchAll(/\b(GET|POST|PUT|DELETE)\s+(\/[\w/.-]*)/g) : []) add('endpoint', `${m[1]} ${m[2]}`, at(m.index ?? 0));
    for (const m of exporterDoc ? code.text.matchAll(/(?::9464|…|\.\.\.)(\/[\w/-]+)(?![\w./-])/g) : []) add('endpoint', m[1], at(m.index ?? 0));
    for (const m of code.text.matchAll(/(?<![\w.:/-])(\/(?:api\/v1\/[\w/]+|metrics|healthz|readyz|falco|azure))(?![\w/.-])/g))
      if (exporterDoc && (!code.block || code.lang === 'sh' || code.lang === '')) add('endpoint', m[1], at(m.index ?? 0));
    // Repository paths.
    if (md && !code.block) {
      const p = /^(?:\.\/)?((?:docs|deploy|provisioning|exporter|rules|dashboards|grafana-plugin|packages|proto)\/[\w./-]*|[\w-]+\.(?:md|ya?ml))$/.exec(code.text.trim());
      if (p) add('path', p[1], code.line);
    }
    // Config snippets: YAML blocks whose top-level keys are all exporter config keys.
    if (code.block && /^(ya?ml)?$/.test(code.lang)) {
      let doc: unknown;
      try {
        doc = YAML.parse(code.text);
      } catch {
        continue;
      }
      if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
        const keys = Object.keys(doc);
        if (keys.length > 0 && keys.every((k) => CONFIG_TOP.includes(k))) add('config_snippet', code.text, code.line);
        if (keys.length === 1 && keys[0] === 'alerts') add('alerts_snippet', code.text, code.line);
      }
    }
  }
  if (md) {
    for (const { text, line } of linesOf(file))
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target) || target.startsWith('#')) continue;
        add('path', path.posix.normalize(path.posix.join(path.posix.dirname(file), target.split('#')[0])), line);
      }
  }
  return claims;
}
