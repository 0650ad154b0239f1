/**
 * Browser bench: the Three-way page in Chromium against the Loki/Prometheus peers, with 100 and with
 * 100,000 drifts in the time range. Measures, from the in-app navigation to the page (Grafana already
 * loaded, as when a user clicks "Three-way" in the app's menu), when the exact counts are shown
 * and when the first page of rows is on screen and clickable. Each size: one warm-up load (the peer
 * builds its line index), then ROUNDS loads; medians reported, 100,000 as a ratio of 100 (the floor).
 *   npm run bench -w tfdrift-drift-app        (or `npm run bench -- plugin` at the repository root)
 */
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { bundleHarness } from '../test/browser/bundle';
import { launchChromium, openPage, PAGE_BASE } from '../test/browser/chromium';
import { startPluginStack } from '../test/browser/servers';
import { manyDrifts } from '../test/fixtures/synthetic';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SIZES = [100, 100_000];
const TAB = 'modified';
const TARGET_MS = 2000;
const BUILD = path.resolve(__dirname, '..', 'test', 'browser', '.build');

interface Sample {
  countsMs: number;
  rowsMs: number;
}

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

async function measure(
  browser: Browser,
  base: string,
  route: string,
  expectedCount: string,
  expectedRows: number,
): Promise<Sample> {
  // Grafana is already loaded when a user opens the page: start on a blank Grafana page, then navigate
  // in the app (locationService.push) and time from that moment.
  const page = await openPage(browser, `${base}/idle`, '#root', (e) => {
    throw new Error(e);
  });
  await page.waitForFunction(() => 'harnessNavigate' in window);
  const startMs = await page.evaluate((url) => {
    const t = performance.now();
    (window as unknown as { harnessNavigate: (u: string) => void }).harnessNavigate(url);
    return t;
  }, route);
  // Times in the page's clock, taken the moment each condition holds.
  const countsMs = await page
    .waitForFunction(
      (expected) => {
        const el = document.querySelector('[data-testid="count-modified"]');
        return el?.textContent === expected ? performance.now() : false;
      },
      expectedCount,
      { timeout: 60_000, polling: 'raf' },
    )
    .then((h) => h.jsonValue() as Promise<number>);
  const rowsMs = await page
    .waitForFunction(
      (n) =>
        document.querySelectorAll('[data-testid="three-way-table"] tbody tr').length === n
          ? performance.now()
          : false,
      expectedRows,
      { timeout: 60_000, polling: 'raf' },
    )
    .then((h) => h.jsonValue() as Promise<number>);
  // Interactive: a click on the first row opens its detail.
  await page.locator('[data-testid="three-way-table"] tbody tr td').nth(2).click();
  await page
    .getByTestId('drift-detail')
    .or(page.getByTestId('drift-searching'))
    .first()
    .waitFor({ timeout: 60_000 });
  await page.close();
  return { countsMs: countsMs - startMs, rowsMs: rowsMs - startMs };
}

async function main() {
  await bundleHarness(BUILD);
  const browser = await launchChromium();
  const rows: Array<{ drifts: number; counts: number; firstPage: number }> = [];
  try {
    for (const n of SIZES) {
      const records = manyDrifts(n);
      const inTab = records.filter((r) => r.change_type === TAB).length;
      const stack = await startPluginStack(BUILD, records);
      const route = `${PAGE_BASE}/three-way?tab=${TAB}`;
      const expected = inTab.toLocaleString('en-US');
      const pageRows = Math.min(inTab, 50);
      await measure(browser, stack.url, route, expected, pageRows); // warm-up
      const samples: Sample[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        samples.push(await measure(browser, stack.url, route, expected, pageRows));
      }
      rows.push({
        drifts: n,
        counts: median(samples.map((s) => s.countsMs)),
        firstPage: median(samples.map((s) => s.rowsMs)),
      });
      await stack.close();
    }
  } finally {
    await browser.close();
  }
  const floor = rows[0];
  const out = [
    `# plugin bench: Three-way page in Chromium`,
    ``,
    `node ${process.version}, ${os.cpus().length} CPU(s) ${os.cpus()[0]?.model ?? ''}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(
        ' ',
      )}, ${new Date().toISOString()}; median of ${ROUNDS} loads after a warm-up; ms from in-app navigation to the page`,
    ``,
    `| drifts in range | exact counts shown | first page interactive | ratio to ${floor.drifts} drifts (first page) | target |`,
    `|---:|---:|---:|---:|---|`,
    ...rows.map(
      (r) =>
        `| ${r.drifts.toLocaleString('en-US')} | ${Math.round(r.counts)} ms | ${Math.round(r.firstPage)} ms | ${(r.firstPage / floor.firstPage).toFixed(2)}× | ${r.firstPage < TARGET_MS ? 'met' : 'MISSED'} (< ${TARGET_MS} ms) |`,
    ),
    `The ratio is the figure that carries across machines: the ${floor.drifts}-drift page is the floor (the page's own`,
    `rendering and the peers' round trips); a load average above the CPU count inflates both absolute times alike.`,
    ``,
  ];
  process.stdout.write(out.join('\n'));
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
