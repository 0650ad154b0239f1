/**
 * The Grafana the stack runs, the Grafana versions the plugin declares, and the @grafana/* packages
 * it builds with agree (issue 15): docker-compose's image is at or above the build version, the
 * build version satisfies plugin.json's grafanaDependency, and the plugin README states that range.
 */
import fs from 'fs';
import path from 'path';
import { parse } from 'yaml';

const PLUGIN = path.resolve(__dirname, '..', '..');
const REPO = path.resolve(PLUGIN, '..');
const read = (file: string) => fs.readFileSync(file, 'utf8');

type Version = [number, number, number];
function version(text: string, where: string): Version {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (!m) {
    throw new Error(`${where}: "${text}" is not an exact x.y.z version`);
  }
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}
const compare = (a: Version, b: Version) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

const GRAFANA_PACKAGES = ['@grafana/data', '@grafana/ui', '@grafana/runtime', '@grafana/schema', '@grafana/i18n'];
const pkg = JSON.parse(read(path.join(PLUGIN, 'package.json')));
const manifest = JSON.parse(read(path.join(PLUGIN, 'src', 'plugin.json')));

describe('Grafana versions agree', () => {
  it('every @grafana/* runtime package is pinned to one exact version, and that version is installed', () => {
    const pinned = new Set(GRAFANA_PACKAGES.map((name) => pkg.dependencies[name]));
    expect(pinned.size).toBe(1);
    const [build] = Array.from(pinned) as string[];
    version(build, 'grafana-plugin/package.json');
    for (const name of GRAFANA_PACKAGES) {
      const installed = JSON.parse(read(require.resolve(`${name}/package.json`, { paths: [PLUGIN] }))).version;
      expect(`${name}@${installed}`).toBe(`${name}@${build}`);
    }
  });

  it("docker-compose runs a Grafana at or above that version, inside plugin.json's grafanaDependency", () => {
    const build = version(pkg.dependencies['@grafana/ui'], 'grafana-plugin/package.json');
    const compose = parse(read(path.join(REPO, 'docker-compose.yml')));
    const image = /^grafana\/grafana(?:-oss|-enterprise)?:(.+)$/.exec(compose.services.grafana.image);
    expect(image).not.toBeNull();
    const stack = version(image![1], 'docker-compose.yml services.grafana.image');
    expect(compare(stack, build)).toBeGreaterThanOrEqual(0);

    const range = /^>=(\S+) <(\S+)$/.exec(manifest.dependencies.grafanaDependency);
    expect(range).not.toBeNull();
    const [min, max] = [version(range![1], 'grafanaDependency'), version(range![2], 'grafanaDependency')];
    // The plugin may use any API of the version it builds with: no older Grafana is allowed.
    expect(compare(min, [build[0], build[1], 0])).toBeGreaterThanOrEqual(0);
    expect(compare(min, build)).toBeLessThanOrEqual(0);
    expect(compare(stack, min)).toBeGreaterThanOrEqual(0);
    expect(compare(stack, max)).toBeLessThan(0);
  });

  it('the plugin README states the range plugin.json declares and the version it builds with', () => {
    const readme = read(path.join(PLUGIN, 'README.md'));
    expect(readme).toContain(`\`${manifest.dependencies.grafanaDependency}\``);
    expect(readme).toContain(`@grafana/* ${pkg.dependencies['@grafana/ui']}`);
  });
});
