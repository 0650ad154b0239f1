import fs from 'fs';
import path from 'path';
import { build } from 'esbuild';

/**
 * The harness (as bundle.ts builds it: same aliases and loaders) from harness-entry-datasources.tsx,
 * so pages using Grafana's DataSourcePicker run.
 */
export async function bundleHarnessWithDatasources(outDir: string): Promise<void> {
  fs.mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [path.join(__dirname, 'harness-entry-datasources.tsx')],
    bundle: true,
    outfile: path.join(outDir, 'harness.js'),
    allowOverwrite: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    logLevel: 'error',
    alias: {
      'grafana-runtime-plugin-page': path.join(
        path.dirname(require.resolve('@grafana/runtime/package.json')),
        'dist/esm/components/PluginPage.mjs',
      ),
    },
    define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
    loader: { '.svg': 'dataurl', '.png': 'dataurl', '.woff': 'empty', '.woff2': 'empty', '.ttf': 'empty', '.eot': 'empty' },
  });
  fs.writeFileSync(
    path.join(outDir, 'index.html'),
    '<!doctype html><html><head><meta charset="utf-8"><title>TFDrift plugin harness</title>' +
      '<link rel="stylesheet" href="/harness.css"></head><body><div id="root"></div><script src="/harness.js"></script></body></html>',
  );
}
