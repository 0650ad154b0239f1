import fs from 'fs';
import path from 'path';
import { build } from 'esbuild';

/**
 * Bundles the harness (plugin pages + React + @grafana/*) for Chromium into `outDir`, from
 * `entry`: harness-entry.tsx, or harness-entry-datasources.tsx for pages that use Grafana's
 * DataSourcePicker.
 */
export async function bundleHarness(outDir: string, entry = 'harness-entry.tsx'): Promise<void> {
  fs.mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [path.join(__dirname, entry)],
    bundle: true,
    outfile: path.join(outDir, 'harness.js'),
    allowOverwrite: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    minify: false,
    sourcemap: false,
    logLevel: 'error',
    alias: {
      'grafana-runtime-plugin-page': path.join(
        path.dirname(require.resolve('@grafana/runtime/package.json')),
        'dist/esm/components/PluginPage.mjs',
      ),
    },
    define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
    loader: {
      '.svg': 'dataurl',
      '.png': 'dataurl',
      '.woff': 'empty',
      '.woff2': 'empty',
      '.ttf': 'empty',
      '.eot': 'empty',
    },
  });
  const css = fs.existsSync(path.join(outDir, 'harness.css'))
    ? '<link rel="stylesheet" href="/harness.css">'
    : '';
  fs.writeFileSync(
    path.join(outDir, 'index.html'),
    `<!doctype html><html><head><meta charset="utf-8"><title>TFDrift plugin harness</title>${css}</head>` +
      `<body style="margin:0"><div id="root"></div><script src="/harness.js"></script></body></html>`,
  );
}
