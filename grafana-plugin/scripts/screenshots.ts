/**
 * Regenerates docs/images/: every page of the app, dark and light, at 1280×800 and 1920×1080, rendered
 * in Chromium through the browser harness against the Loki/Prometheus peers (hand-written fixtures plus
 * real `tfdrift replay` output) and the Grafana alerting API peer.
 *   npm run screenshots -w tfdrift-drift-app
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { bundleHarnessWithDatasources } from '../test/browser/bundle-datasources';
import { launchChromium, openPage, PAGE_BASE } from '../test/browser/chromium';
import { startPluginStack } from '../test/browser/servers';
import { loadFixtureRecords, loadReplayRecords } from '../test/fixtures/records';

const OUT = path.resolve(__dirname, '..', '..', 'docs', 'images');
// Its own harness build, with Grafana's DataSourceSrv (the Configuration page's DataSourcePicker reads it).
const BUILD = path.resolve(__dirname, '..', 'test', 'browser', '.build', 'screenshots');

/** Page, route and what shows that it has finished loading. */
export const SCREENSHOT_PAGES = [
  { name: 'overview', route: 'overview', ready: '[data-testid="over-time-chart"] canvas' },
  { name: 'three-way', route: 'three-way?tab=modified', ready: '[data-testid="three-way-table"] tbody tr' },
  {
    name: 'drift-detail',
    route: 'drift/c937adc3d84da0db2f667beb47e32415',
    ready: '[data-testid="drift-detail"]',
  },
  { name: 'alert-rules', route: 'alert-rules', ready: '[data-testid="page-title"]' },
  { name: 'configuration', route: 'configuration', ready: '[data-testid="page-title"]' },
] as const;
export const SIZES = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
] as const;
export const THEMES = ['dark', 'light'] as const;

export const screenshotFile = (name: string, theme: string, size: { width: number; height: number }) =>
  `${name}-${theme}-${size.width}x${size.height}.png`;

/** Loaded: the ready element is there, no skeleton or loading bar is left and the network is quiet. */
async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(
    () => document.querySelectorAll('[aria-busy="true"], [data-testid="skeleton"]').length === 0,
    undefined,
    {
      timeout: 30_000,
    },
  );
}

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  await bundleHarnessWithDatasources(BUILD);
  const now = Date.now();
  const { GrafanaPeer } = await import('@tfdrift/alert-rules/testing');
  const alerting = new GrafanaPeer({
    datasources: [
      { uid: 'loki', type: 'loki', name: 'Loki' },
      { uid: 'prometheus', type: 'prometheus', name: 'Prometheus' },
    ],
    contactPoints: [{ name: 'platform-oncall', type: 'email' }],
  });
  await alerting.start();
  const stack = await startPluginStack(BUILD, [...loadFixtureRecords(now), ...loadReplayRecords(now)], {
    grafana: alerting.url,
  });
  const browser = await launchChromium();
  const errors: string[] = [];
  try {
    for (const theme of THEMES) {
      for (const size of SIZES) {
        for (const p of SCREENSHOT_PAGES) {
          const page = await openPage(
            browser,
            `${stack.url}${PAGE_BASE}/${p.route}`,
            p.ready,
            (e) => errors.push(`${p.name}: ${e}`),
            {
              ...size,
              theme,
              timeZone: 'utc',
            },
          );
          await settle(page);
          const file = path.join(OUT, screenshotFile(p.name, theme, size));
          await page.screenshot({ path: file });
          process.stdout.write(`${path.relative(process.cwd(), file)}\n`);
          await page.close();
        }
      }
    }
  } finally {
    await browser.close();
    await stack.close();
    await alerting.stop();
  }
  if (errors.length > 0) {
    throw new Error(`page errors while taking screenshots:\n${errors.join('\n')}`);
  }
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
