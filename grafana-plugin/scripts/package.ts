/**
 * `npm run package -w grafana-plugin`: the built plugin (dist/, from `npm run build`) as the zip
 * Grafana installs: one top folder named after the plugin id holding plugin.json, module.js, img/,
 * README.md, LICENSE, CHANGELOG.md, dashboards/ — for `grafana cli --pluginUrl <zip> plugins
 * install tfdrift-drift-app`, or unzipped into Grafana's plugins folder. The plugin is unsigned.
 *
 * Usage: tsx scripts/package.ts [--dist DIR] [--out DIR]   (defaults: dist, dist-zip)
 */
import fs from 'fs';
import path from 'path';
import { zip, type ZipEntry } from './zip';

const ROOT = path.resolve(__dirname, '..');

/** Every file under `dir`, as paths relative to it with '/' separators, sorted. */
function filesUnder(dir: string, prefix = ''): string[] {
  return fs
    .readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(dir, `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort();
}

export function packagePlugin(distDir: string, outDir: string): string {
  const manifest = path.join(distDir, 'plugin.json');
  if (!fs.existsSync(manifest)) {
    throw new Error(`${manifest} not found: run \`npm run build -w grafana-plugin\` first`);
  }
  const plugin = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { id: string; info: { version: string } };
  if (plugin.info.version.includes('%')) {
    throw new Error(`${manifest} still has the placeholder version "${plugin.info.version}": build with --env production`);
  }
  const entries: ZipEntry[] = filesUnder(distDir).map((rel) => ({
    name: `${plugin.id}/${rel}`,
    data: fs.readFileSync(path.join(distDir, rel)),
  }));
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${plugin.id}-${plugin.info.version}.zip`);
  fs.writeFileSync(file, zip(entries));
  return file;
}

if (require.main === module) {
  const arg = (flag: string, fallback: string) => {
    const i = process.argv.indexOf(flag);
    return path.resolve(ROOT, i > 0 ? process.argv[i + 1] : fallback);
  };
  try {
    const file = packagePlugin(arg('--dist', 'dist'), arg('--out', 'dist-zip'));
    process.stderr.write(`wrote ${file} (unsigned: Grafana loads it only when allow_loading_unsigned_plugins names tfdrift-drift-app)\n`);
  } catch (err) {
    process.stderr.write(`package: ${(err as Error).message}\n`);
    process.exit(2);
  }
}
