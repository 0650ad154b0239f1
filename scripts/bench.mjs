// `npm run bench [-- NAME ...]`: the exporter's benches (names filter exporter/bench/*.bench.ts) and,
// for `plugin` (or no name at all), the Grafana plugin's browser bench.
import { spawnSync } from 'node:child_process';

const names = process.argv.slice(2);
const plugin = names.length === 0 || names.includes('plugin');
const exporterNames = names.filter((n) => n !== 'plugin');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = (args) => spawnSync(npm, args, { stdio: 'inherit' }).status ?? 1;
const statuses = [];
if (names.length === 0 || exporterNames.length > 0) {
  statuses.push(run(['run', 'bench', '-w', 'exporter', '--', ...exporterNames]));
}
if (plugin) {
  statuses.push(run(['run', 'bench', '-w', 'tfdrift-drift-app']));
}
process.exit(statuses.find((s) => s !== 0) ?? 0);
