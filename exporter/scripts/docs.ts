import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SEVERITY_RULES } from '../src/detect/severity.js';
import { renderSeverityTable } from '../src/detect/severity-doc.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
writeFileSync(path.join(root, 'docs/severity.md'), renderSeverityTable(DEFAULT_SEVERITY_RULES));
process.stderr.write('wrote docs/severity.md\n');
