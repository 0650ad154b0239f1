/**
 * `npm run package` (issue 20): the zip is laid out the way Grafana installs plugins — unpacked by
 * Info-ZIP's unzip into an empty plugins folder, as `grafana cli --pluginUrl` or an operator would,
 * it gives one folder named after the plugin id with plugin.json at its top (Grafana's loader
 * mounts every folder holding a plugin.json, and a nested dist/ instead when there is one),
 * module.js as an AMD module, and every file plugin.json refers to.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { run } from './run';

const ROOT = path.resolve(__dirname, '..', '..');
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };

// A production webpack build runs first: minutes on a busy machine.
jest.setTimeout(15 * 60_000);

describe('npm run package', () => {
  let out: string;
  let plugins: string;
  let build: { code: number | null; output: string };

  beforeAll(async () => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'tfdrift-package-'));
    plugins = fs.mkdtempSync(path.join(os.tmpdir(), 'tfdrift-plugins-'));
    build = await run('npm', ['run', 'package', '--', '--out', out], ROOT);
  });

  afterAll(() => {
    fs.rmSync(out, { recursive: true, force: true });
    fs.rmSync(plugins, { recursive: true, force: true });
  });

  it('writes one zip named <id>-<version>.zip', () => {
    expect(build.code).toBe(0);
    expect(fs.readdirSync(out)).toEqual([`tfdrift-drift-app-${PACKAGE.version}.zip`]);
  });

  it('unpacks into the layout Grafana loads: <id>/plugin.json, module.js, img/, README, LICENSE, CHANGELOG', async () => {
    const zipFile = path.join(out, `tfdrift-drift-app-${PACKAGE.version}.zip`);
    const listing = await run('unzip', ['-Z1', zipFile], ROOT);
    expect(listing.code).toBe(0);
    const names = listing.output.trim().split('\n');
    for (const name of names) {
      expect(name.startsWith('tfdrift-drift-app/')).toBe(true);
      expect(name.split('/')).not.toContain('..');
    }
    const unpacked = await run('unzip', ['-q', zipFile, '-d', plugins], ROOT);
    expect(unpacked).toMatchObject({ code: 0 });
    expect(fs.readdirSync(plugins)).toEqual(['tfdrift-drift-app']);
    const dir = path.join(plugins, 'tfdrift-drift-app');
    for (const file of ['plugin.json', 'module.js', 'README.md', 'LICENSE', 'CHANGELOG.md', 'img/logo.svg']) {
      expect(fs.statSync(path.join(dir, file)).size).toBeGreaterThan(0);
    }
    // A nested dist/ would be mounted instead of this folder.
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'module.js'), 'utf8')).toMatch(/^(\/\*.*\*\/\n)*define\(\[/);

    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'plugin.json'), 'utf8'));
    expect(manifest).toMatchObject({ id: 'tfdrift-drift-app', type: 'app' });
    expect(manifest.info.version).toBe(PACKAGE.version);
    expect(manifest.info.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // Every file plugin.json names is in the package.
    const referenced = [
      manifest.info.logos.small,
      manifest.info.logos.large,
      ...(manifest.info.screenshots ?? []).map((s: { path: string }) => s.path),
      ...manifest.includes.filter((i: { type: string }) => i.type === 'dashboard').map((i: { path: string }) => i.path),
    ];
    for (const file of referenced) {
      expect(fs.existsSync(path.join(dir, file))).toBe(true);
    }
    for (const dashboard of manifest.includes.filter((i: { type: string }) => i.type === 'dashboard')) {
      expect(JSON.parse(fs.readFileSync(path.join(dir, dashboard.path), 'utf8')).panels.length).toBeGreaterThan(0);
    }
  });
});
