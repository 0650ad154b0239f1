import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMPILED_MAPPINGS_FILE, MAPPINGS_DIR, compileMappings, loadMappingTables, parseMappingTables } from '../../src/providers/mapping/load.js';
import { readCompiledTables, yamlFiles } from '../../src/providers/mapping/compiled.js';

const REGENERATE = 'dist/mappings.json is missing or older than mappings/*.yaml: regenerate it with `npm run build -w exporter` (the test setup does this before a run)';

describe('compiled mapping tables (dist/mappings.json, written by npm run build)', () => {
  const fromYaml = compileMappings();

  it('hold exactly what the YAML tables say, for every provider', () => {
    expect(Object.keys(fromYaml.providers).sort()).toEqual(['aws', 'azure', 'gcp']);
    for (const [provider, entry] of Object.entries(fromYaml.providers)) {
      const compiled = readCompiledTables(COMPILED_MAPPINGS_FILE, provider, path.join(MAPPINGS_DIR, provider));
      expect(compiled, REGENERATE).not.toBeNull();
      expect(compiled).toEqual(entry);
      // The loader serves the compiled tables, indexed the same way as the YAML.
      const loaded = loadMappingTables(provider);
      const parsed = parseMappingTables(provider);
      expect(loaded.services).toEqual(parsed.services);
      expect([...loaded.byEvent.keys()]).toEqual([...parsed.byEvent.keys()]);
    }
  });

  it('survive JSON: nothing in a parsed table is lost in the round trip', () => {
    expect(JSON.parse(JSON.stringify(fromYaml))).toEqual(fromYaml);
  });

  describe('are used only while current', () => {
    // A copy of a few real tables and a compiled file for them, with explicit times (no waiting).
    const root = mkdtempSync(path.join(os.tmpdir(), 'tfdrift-mappings-'));
    const dir = path.join(root, 'aws');
    const compiledFile = path.join(root, 'mappings.json');
    const built = new Date('2026-01-02T00:00:00Z');
    const before = new Date('2026-01-01T00:00:00Z');
    const after = new Date('2026-01-03T00:00:00Z');
    const setUp = (): void => {
      rmSync(root, { recursive: true, force: true });
      for (const f of ['ec2.yaml', 'iam.yaml', 's3.yaml']) cpSync(path.join(MAPPINGS_DIR, 'aws', f), path.join(dir, f), { recursive: true });
      writeFileSync(compiledFile, JSON.stringify(compileMappings(root)));
      for (const f of yamlFiles(dir)) utimesSync(path.join(dir, f), before, before);
      utimesSync(dir, before, before);
      utimesSync(compiledFile, built, built);
    };

    it('current: served from the compiled file', () => {
      setUp();
      expect(readCompiledTables(compiledFile, 'aws', dir)?.files).toEqual(['ec2.yaml', 'iam.yaml', 's3.yaml']);
    });

    it('a table edited after the build, even to the same size: the YAML is read', () => {
      setUp();
      const file = path.join(dir, 'iam.yaml');
      const text = readFileSync(file, 'utf8');
      const i = text.search(/[a-z]/);
      writeFileSync(file, `${text.slice(0, i)}${text[i] === 'a' ? 'b' : 'a'}${text.slice(i + 1)}`);
      expect(statSync(file).size).toBe(Buffer.byteLength(text));
      utimesSync(file, after, after);
      expect(readCompiledTables(compiledFile, 'aws', dir)).toBeNull();
      // A different size is caught without looking at times or content.
      setUp();
      writeFileSync(file, `${text}\n# note\n`);
      utimesSync(file, before, before);
      expect(readCompiledTables(compiledFile, 'aws', dir)).toBeNull();
    });

    it('tables only touched after the build (an npm install sets new times): the content decides, compiled', () => {
      setUp();
      for (const f of yamlFiles(dir)) utimesSync(path.join(dir, f), after, after);
      expect(readCompiledTables(compiledFile, 'aws', dir)?.files).toEqual(['ec2.yaml', 'iam.yaml', 's3.yaml']);
    });

    it('a table added or removed after the build: the YAML is read', () => {
      setUp();
      cpSync(path.join(MAPPINGS_DIR, 'aws', 'kms.yaml'), path.join(dir, 'kms.yaml'));
      for (const f of yamlFiles(dir)) utimesSync(path.join(dir, f), before, before);
      utimesSync(dir, before, before); // even with the times of the build, the file list differs
      expect(readCompiledTables(compiledFile, 'aws', dir)).toBeNull();
      setUp();
      rmSync(path.join(dir, 's3.yaml'));
      expect(readCompiledTables(compiledFile, 'aws', dir)).toBeNull();
    });

    it('a compiled file that is missing, not JSON or without the provider: the YAML is read', () => {
      setUp();
      expect(readCompiledTables(compiledFile, 'gcp', dir)).toBeNull();
      writeFileSync(compiledFile, '{"format":2,"provid');
      utimesSync(compiledFile, after, after);
      expect(readCompiledTables(compiledFile, 'aws', dir)).toBeNull();
      rmSync(compiledFile);
      expect(readCompiledTables(compiledFile, 'aws', dir)).toBeNull();
    });
  });
});
