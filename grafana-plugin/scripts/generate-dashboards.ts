/* Writes the generated dashboards into the repository's dashboards/ folder. Usage: npm run dashboards -w tfdrift-drift-app */
import fs from 'fs';
import path from 'path';
import { allDashboards, serialize } from '../src/dashboards/build';

const outDir = path.resolve(__dirname, '..', '..', 'dashboards');
fs.mkdirSync(outDir, { recursive: true });
for (const [file, dashboard] of Object.entries(allDashboards())) {
  fs.writeFileSync(path.join(outDir, file), serialize(dashboard));
  process.stderr.write(`wrote ${path.relative(process.cwd(), path.join(outDir, file))}\n`);
}
