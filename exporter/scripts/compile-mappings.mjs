#!/usr/bin/env node
// Part of `npm run build`: compiles mappings/*/*.yaml into dist/mappings.json (read at start-up
// instead of the YAML; see src/providers/mapping/compiled.ts). Re-run: `npm run build -w exporter`.
import { renameSync, writeFileSync } from 'node:fs';
import { COMPILED_MAPPINGS_FILE, compileMappings } from '../dist/providers/mapping/load.js';

const compiled = compileMappings();
// Written aside and renamed, so a reader never sees half a file.
const tmp = `${COMPILED_MAPPINGS_FILE}.${process.pid}.tmp`;
writeFileSync(tmp, JSON.stringify(compiled));
renameSync(tmp, COMPILED_MAPPINGS_FILE);
const counts = Object.entries(compiled.providers).map(([p, e]) => `${p} ${e.files.length}`).join(', ');
process.stderr.write(`compiled mapping tables (${counts} files) into ${COMPILED_MAPPINGS_FILE}\n`);
