import fs from 'fs';
import path from 'path';
import pluginJson from './plugin.json';

/** docs/images holds every page, dark and light, at both sizes; plugin.json lists files that exist. */
const IMAGES = path.resolve(__dirname, '..', '..', 'docs', 'images');
const PAGES = ['overview', 'three-way', 'drift-detail', 'alert-rules', 'configuration'];
const SIZES = [
  [1280, 800],
  [1920, 1080],
];

function pngSize(file: string): [number, number] {
  const header = fs.readFileSync(file).subarray(0, 24);
  expect(header.subarray(1, 4).toString('latin1')).toBe('PNG');
  return [header.readUInt32BE(16), header.readUInt32BE(20)];
}

describe('screenshots', () => {
  it('cover every page, dark and light, at 1280×800 and 1920×1080', () => {
    for (const page of PAGES) {
      for (const theme of ['dark', 'light']) {
        for (const [w, h] of SIZES) {
          const file = path.join(IMAGES, `${page}-${theme}-${w}x${h}.png`);
          expect({ file, exists: fs.existsSync(file) }).toEqual({ file, exists: true });
          expect(pngSize(file)).toEqual([w, h]);
        }
      }
    }
  });

  it('are what plugin.json info.screenshots lists (copied to img/screenshots/ by the build)', () => {
    const listed = pluginJson.info.screenshots.map((s: { path: string }) => s.path);
    expect(listed.length).toBe(PAGES.length * 2);
    for (const p of listed) {
      expect(p).toMatch(/^img\/screenshots\/[a-z-]+-(dark|light)-1920x1080\.png$/);
      expect(fs.existsSync(path.join(IMAGES, path.basename(p)))).toBe(true);
      // The build copies plugin.json paths from src/: src/img/screenshots links to docs/images.
      expect(fs.realpathSync(path.join(__dirname, p))).toBe(
        fs.realpathSync(path.join(IMAGES, path.basename(p))),
      );
    }
  });
});
