/**
 * The operator docs name files, links and commands that change under them; these checks
 * keep what they point at real.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { envKeyToPath } from '../../src/config/load.js';
import { exists, parseEnvFile, readText, readYaml, type Doc } from './stack.js';

const DOCS = [
  'docs/setup.md',
  'docs/production.md',
  'docs/realtime.md',
  'docs/troubleshooting.md',
  'docs/runbook.md',
  'deploy/kubernetes/README.md',
];

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
const slug = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
const anchors = (file: string): Set<string> =>
  new Set([...readText(file).matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1].replace(/`/g, ''))));

describe('operator docs', () => {
  it('link to files and headings that exist', () => {
    let links = 0;
    for (const doc of DOCS) {
      for (const [, target] of readText(doc).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue; // external
        const [file, anchor] = target.split('#');
        const rel = file ? path.posix.normalize(path.posix.join(path.posix.dirname(doc), file)) : doc;
        expect(exists(rel), `${doc} → ${target}`).toBe(true);
        if (anchor) expect(anchors(rel), `${doc} → ${target}`).toContain(anchor);
        links++;
      }
    }
    expect(links).toBeGreaterThan(5);
  });

  it('name repository paths that exist', () => {
    let named = 0;
    const prefixes = /^(docs|deploy|provisioning|exporter|rules|dashboards|grafana-plugin|packages)\//;
    for (const doc of DOCS) {
      for (const [, p] of readText(doc).matchAll(/`([\w.-]+\/[\w./-]*)`/g)) {
        // Build outputs (dist/) are made by `npm run build`, not checked in.
        if (!prefixes.test(p) || p.includes('*') || /(^|\/)dist(\/|$)/.test(p)) continue;
        expect(exists(p.replace(/\/$/, '')), `${doc} names ${p}`).toBe(true);
        named++;
      }
    }
    expect(named).toBeGreaterThan(5);
  });

  it('use the compose service names, variables and profiles that exist', () => {
    const compose = readYaml('docker-compose.yml');
    const env = readText('.env.example');
    const setup = readText('docs/setup.md') + readText('docs/troubleshooting.md');
    for (const [, service] of setup.matchAll(/docker compose (?:run --rm|logs(?: -f)?|restart) ([a-z-]+)/g))
      expect(Object.keys(compose.services), service).toContain(service);
    for (const [, profile] of setup.matchAll(/--profile ([a-z]+)/g))
      expect(['demo', 'falco']).toContain(profile);
    for (const [, name] of setup.matchAll(
      /`((?:TFDRIFT|GF|AWS|GCP|AZURE|CLOUDTRAIL|EXPORTER|FALCO)_[A-Z0-9_]+)/g,
    )) {
      if (name.endsWith('_')) continue;
      const inEnvFile = new RegExp(`^#?\\s*${name}=`, 'm').test(env) || name in parseEnvFile(env);
      const inCompose = Object.values(compose.services).some((svc: Doc) => name in (svc.environment ?? {}));
      const configKey = name.startsWith('TFDRIFT_') && envKeyToPath(name.slice(8).split('_')) !== null;
      expect(
        inEnvFile || inCompose || configKey,
        `${name}: not in .env.example, compose or the config keys`,
      ).toBe(true);
    }
  });
});
