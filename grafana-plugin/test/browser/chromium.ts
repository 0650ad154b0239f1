import fs from 'node:fs';
import { Browser, chromium, Page } from 'playwright-core';
import { PLUGIN_BASE_URL } from '../../src/constants';

/** Chromium from Debian (`apt-get install chromium`) unless CHROMIUM_PATH says otherwise. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const PAGE_BASE = PLUGIN_BASE_URL;

const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, headless: true });
}

export interface OpenOptions {
  width?: number;
  height?: number;
  theme?: 'dark' | 'light';
  timeZone?: string;
}

/** Opens `url` in a new page with the harness's user preferences and waits for `ready`. */
export async function openPage(
  browser: Browser,
  url: string,
  ready: string,
  onError: (message: string) => void,
  options: OpenOptions = {},
): Promise<Page> {
  const page = await browser.newPage({
    viewport: { width: options.width ?? 1440, height: options.height ?? 900 },
  });
  page.on('pageerror', (err) => onError(err.message));
  await page.addInitScript(
    ([theme, timeZone]) => {
      window.localStorage.setItem('harness.theme', theme);
      if (timeZone) {
        window.localStorage.setItem('harness.timezone', timeZone);
      }
    },
    [options.theme ?? 'dark', options.timeZone ?? ''],
  );
  await page.goto(url);
  await page.waitForSelector(ready, { timeout: 30_000 });
  return page;
}
