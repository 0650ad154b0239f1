/**
 * Browser test: the plugin's data pages rendered in real Chromium (Debian's /usr/bin/chromium, driven
 * by playwright-core) against loopback Loki and Prometheus peers serving the fixture drift records and
 * real `tfdrift replay` output. Every assertion compares the page with what the peers hold.
 * Screenshots go to test-artifacts/ (gitignored). Run: npm run test:browser -w tfdrift-drift-app
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Browser, Page } from 'playwright-core';
import { loadFixtureRecords, loadReplayRecords } from '../fixtures/records';
import { manyDrifts } from '../fixtures/synthetic';
import type { DriftRecord } from '../../src/types/drift';
import { bundleHarness } from './bundle';
import { launchChromium, openPage, PAGE_BASE } from './chromium';
import { PluginStack, startPluginStack } from './servers';

const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts');
const BUILD_DIR = path.join(__dirname, '.build');
const DAY = 86_400_000;

let browser: Browser;
const stacks: PluginStack[] = [];
const pageErrors: string[] = [];

// Hand-written records (every field exercised), real `tfdrift replay` output of the exporter's demo,
// and one drift detected 30 days ago (a copy of a real record with its own drift_id).
const now = Date.now();
const replay = loadReplayRecords(now);
const OLD_DRIFT_ID = 'd0d0d0d0000000000000000000000030';
const oldDrift: DriftRecord = {
  ...replay[0],
  drift_id: OLD_DRIFT_ID,
  detected_at: new Date(now - 30 * DAY).toISOString(),
  event: replay[0].event
    ? { ...replay[0].event, time: new Date(now - 30 * DAY - 40_000).toISOString() }
    : null,
};
const records: DriftRecord[] = [...loadFixtureRecords(now), ...replay, oldDrift];
let main: PluginStack;

const detections = (rs: DriftRecord[], from: number, to: number) =>
  rs.filter(
    (r) =>
      r.event_type === 'terraform_drift_detected' &&
      Date.parse(r.detected_at) > from &&
      Date.parse(r.detected_at) <= to,
  );

async function open(stack: PluginStack, route: string, ready: string): Promise<Page> {
  return openPage(browser, `${stack.url}${PAGE_BASE}/${route}`, ready, (e) =>
    pageErrors.push(`${route}: ${e}`),
  );
}

async function text(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).first().innerText()).trim();
}

async function waitText(page: Page, testId: string, expected: string | RegExp): Promise<void> {
  await page.getByTestId(testId).first().filter({ hasText: expected }).waitFor({ timeout: 30_000 });
}

async function shot(page: Page, name: string): Promise<void> {
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  assert.ok(fs.statSync(file).size > 10_000, `${name}.png looks empty`);
}

/** The URL's query parameters. */
const query = (page: Page) => new URL(page.url()).searchParams;

async function waitUrl(page: Page, test: (p: URLSearchParams) => boolean): Promise<void> {
  await page.waitForURL((u) => test(new URL(u).searchParams), { timeout: 30_000 });
}

before(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await bundleHarness(BUILD_DIR);
  main = await startPluginStack(BUILD_DIR, records);
  stacks.push(main);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await Promise.all(stacks.map((s) => s.close()));
});

describe('plugin data pages in Chromium', () => {
  it('Overview: counts, Grafana charts with Explore, and a time picker that re-queries and updates the URL', async () => {
    const page = await open(main, 'overview', '[data-testid="overview-stats"]');
    const day = detections(records, now - DAY, Date.now());
    await waitText(page, 'stat-total', String(day.length));
    // Open drifts (tfdrift_drifts_open): drifts whose latest record is a detection.
    const latest = new Map<string, DriftRecord>();
    [...records]
      .sort((a, b) => Date.parse(a.detected_at) - Date.parse(b.detected_at))
      .forEach((r) => latest.set(r.drift_id, r));
    const open_ = (c: string) =>
      String(
        [...latest.values()].filter((r) => r.event_type === 'terraform_drift_detected' && r.change_type === c)
          .length,
      );
    await waitText(page, 'stat-open-unmanaged', open_('unmanaged'));
    assert.equal(await text(page, 'stat-open-modified'), open_('modified'));
    assert.equal(await text(page, 'stat-open-missing'), open_('missing'));
    await page.locator('[data-testid="by-change-type"] li[data-label="modified"]').waitFor();
    const bar = (list: string, label: string) =>
      page.locator(`[data-testid="${list}"] li[data-label="${label}"]`).getAttribute('data-value');
    assert.equal(
      await bar('by-change-type', 'modified'),
      String(day.filter((r) => r.change_type === 'modified').length),
    );
    assert.equal(await bar('top-users', 'christophe'), '9');
    // TimeSeries draws on a canvas (uPlot) with Grafana's legend; the series hold every detection.
    await page.locator('[data-testid="over-time-chart"] canvas').first().waitFor();
    assert.equal(await page.getByTestId('over-time-chart').getAttribute('data-total'), String(day.length));
    assert.ok(
      (await page.locator('[data-testid="over-time-chart"]').innerText()).includes('critical'),
      'legend names severities',
    );
    await waitText(page, 'state-staging', 'stale');

    // The panel menu offers Explore with the panel's own LogQL and range.
    await page.getByTestId('panel-by-change-type').hover();
    await page.getByRole('button', { name: 'Menu for panel By change type' }).click();
    const href = await page.getByTestId('panel-by-change-type-explore').getAttribute('href');
    const explore = new URL(href!, 'http://grafana');
    assert.equal(explore.pathname, '/explore');
    const pane = JSON.parse(explore.searchParams.get('panes')!).a;
    const sent = main.state.requests.map((r) => r.params.query);
    assert.ok(
      sent.includes(pane.queries[0].expr),
      `Explore runs a query the panel ran: ${pane.queries[0].expr}`,
    );
    assert.deepEqual(pane.range, { from: 'now-24h', to: 'now' });
    await page.keyboard.press('Escape');
    await shot(page, 'overview');

    // Grafana's TimeRangePicker: "Last 1 hour" re-queries and writes from/to into the URL.
    const before = main.state.requests.length;
    await page.getByTestId('data-testid TimePicker Open Button').click();
    await page.getByText('Last 1 hour', { exact: true }).click();
    await waitUrl(page, (p) => p.get('from') === 'now-1h' && p.get('to') === 'now');
    const hour = detections(records, Date.now() - 3_600_000, Date.now());
    await waitText(page, 'stat-total', String(hour.length));
    assert.ok(
      main.state.requests.slice(before).some((r) => r.params.query?.includes('[1h]')),
      'the counts were queried again over 1h',
    );
    // The refresh picker's interval goes into the URL too.
    await page.getByTestId('data-testid RefreshPicker interval button').click();
    await page
      .getByRole('menuitemradio', { name: '1m' })
      .or(page.getByText('1m', { exact: true }))
      .first()
      .click();
    await waitUrl(page, (p) => p.get('refresh') === '1m');
    await page.close();
  });

  it('honours an absolute range from the URL', async () => {
    // Exactly the hand-written records' hour: [newest - 50 min, newest + 1 min].
    const to = now - 4 * 60_000;
    const from = to - 50 * 60_000;
    const page = await open(main, `overview?from=${from}&to=${to}`, '[data-testid="overview-stats"]');
    const expected = detections(records, from, to).length;
    await waitText(page, 'stat-total', String(expected));
    const sent = main.state.requests.filter(
      (r) => r.path.endsWith('/loki/api/v1/query') && r.params.time === `${to}000000`,
    );
    assert.ok(sent.length >= 4, 'instant queries evaluated at the URL `to`');
    assert.ok(
      sent.every((r) => /\[50m\]/.test(r.params.query)),
      'over the URL range (50m)',
    );
    // The picker shows the absolute range (in the user's time zone), and keeps it in the URL.
    assert.equal(query(page).get('from'), String(from));
    assert.match(await page.getByTestId('data-testid TimePicker Open Button').innerText(), /to/);
    await page.close();
  });

  it('Overview of a range without drifts: a no-data chart and the empty state, not a GraphNG crash', async () => {
    // Before every record (the oldest is 30 days old): Loki answers an empty matrix for the chart.
    const to = now - 60 * DAY;
    const from = to - DAY;
    assert.equal(detections(records, from, to).length, 0);
    const errorsBefore = pageErrors.length;
    const page = await open(main, `overview?from=${from}&to=${to}`, '[data-testid="overview-stats"]');
    await waitText(page, 'stat-total', '0');
    await page.getByTestId('empty-state').waitFor({ timeout: 30_000 });
    await page.getByTestId('chart-no-data').waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('[data-testid="over-time-chart"] canvas').count(), 0);
    assert.deepEqual(pageErrors.slice(errorsBefore), []);
    await page.close();
  });

  it('Three-way: exact counts, filters that round-trip through the URL, row click to the detail and back', async () => {
    const page = await open(main, 'three-way', '[data-testid="three-way-filters"]');
    const day = detections(records, now - DAY, Date.now());
    const kind = (c: string) => String(day.filter((r) => r.change_type === c).length);
    await waitText(page, 'count-unmanaged', kind('unmanaged'));
    assert.equal(await text(page, 'count-missing'), kind('missing'));
    assert.equal(await text(page, 'count-modified'), kind('modified'));
    await page.locator('[data-testid="three-way-table"] tbody tr').first().waitFor();
    assert.equal(
      await page.locator('[data-testid="three-way-table"] tbody tr').count(),
      Number(kind('unmanaged')),
    );
    assert.match(await text(page, 'three-way-table'), /aws_iam_user\s+malicious-iam-user/);
    // Compact rows: no cell wraps (truncation with a tooltip instead of break-all).
    const heights = await page
      .locator('[data-testid="three-way-table"] tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getBoundingClientRect().height));
    assert.ok(Math.max(...heights) < 60, `rows stay one line high: ${heights.join(', ')}`);
    await shot(page, 'three-way');

    // Picking a severity goes into the URL and narrows every count.
    const severity = page.getByLabel('Filter Severity');
    await severity.click();
    await page.keyboard.type('critical');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    await waitUrl(page, (p) => p.get('severity') === 'critical');
    const critical = day.filter((r) => r.severity === 'critical');
    const kindCritical = (c: string) => String(critical.filter((r) => r.change_type === c).length);
    await waitText(page, 'count-modified', kindCritical('modified'));
    assert.equal(await text(page, 'count-unmanaged'), kindCritical('unmanaged'));

    // The same URL, loaded fresh, restores the filter and the same counts.
    const filteredUrl = page.url();
    const reloaded = await openPage(browser, filteredUrl, '[data-testid="three-way-filters"]', (e) =>
      pageErrors.push(e),
    );
    await waitText(reloaded, 'count-modified', kindCritical('modified'));
    assert.match(await reloaded.getByTestId('three-way-filters').innerText(), /critical/);
    await page.close();

    // Missing tab, row click opens the detail; "Back" returns to the same filtered view.
    await reloaded.getByRole('tab', { name: /Missing/ }).click();
    await waitUrl(reloaded, (p) => p.get('tab') === 'missing' && p.get('severity') === 'critical');
    await reloaded.locator('[data-testid="three-way-table"] tbody tr td').nth(2).click();
    await reloaded.getByTestId('drift-detail').waitFor({ timeout: 30_000 });
    assert.match(
      await text(reloaded, 'drift-title'),
      /aws_cloudtrail stratus-red-team-cloudtraild-trail-kvrwohmiai/,
    );
    await reloaded.getByTestId('back-to-three-way').click();
    await reloaded.getByTestId('three-way-table').waitFor();
    assert.equal(query(reloaded).get('severity'), 'critical');
    assert.equal(query(reloaded).get('tab'), 'missing');
    await reloaded.close();
  });

  it('Three-way reads at 1280 and 1920 px: nothing wider than the window, one line per row', async () => {
    for (const [width, height] of [
      [1280, 800],
      [1920, 1080],
    ]) {
      const page = await openPage(
        browser,
        `${main.url}${PAGE_BASE}/three-way?tab=modified`,
        '[data-testid="three-way-table"] tbody tr',
        (e) => pageErrors.push(e),
        { width, height },
      );
      assert.equal(
        await page.evaluate(() => document.documentElement.scrollWidth),
        width,
        `no horizontal scroll at ${width}`,
      );
      const cells = page.locator('[data-testid="three-way-table"] tbody tr');
      const heights = await cells.evaluateAll((rows) => rows.map((r) => r.getBoundingClientRect().height));
      assert.ok(Math.max(...heights) < 60, `one line per row at ${width}: ${heights.join(', ')}`);
      // Long values are cut with an ellipsis and keep their full text as a tooltip.
      const cut = await page
        .locator('[data-testid="three-way-table"] [title]')
        .evaluateAll((els) =>
          els.filter((el) => el.scrollWidth > el.clientWidth).map((el) => el.getAttribute('title')),
        );
      if (width === 1280) {
        assert.ok(cut.length > 0, 'some long value is truncated at 1280 px');
      }
      await page.close();
    }
  });

  it("shows times in the user's Grafana time zone", async () => {
    const page = await openPage(
      browser,
      `${main.url}${PAGE_BASE}/drift/9f3c1a7e5b2d4c60`,
      '[data-testid="drift-detail"]',
      (e) => pageErrors.push(e),
      { timeZone: 'Asia/Tokyo' },
    );
    const record = records.find((r) => r.drift_id === '9f3c1a7e5b2d4c60')!;
    const tokyo = new Date(record.detected_at).toLocaleString('sv-SE', { timeZone: 'Asia/Tokyo' });
    assert.ok((await text(page, 'drift-when')).includes(tokyo), `detected at ${tokyo} (Asia/Tokyo)`);
    await page.close();
  });

  it("Drift detail: who/when/where/how, diff, fix, history with the resolution, Explore and the resource's other drifts", async () => {
    const page = await open(main, 'drift/9f3c1a7e5b2d4c60', '[data-testid="drift-detail"]');
    assert.match(await text(page, 'drift-title'), /aws_security_group sg-0123456789abcdef0/);
    assert.match(await text(page, 'drift-who'), /arn:aws:sts::123456789012:assumed-role\/Admin\/alice/);
    assert.match(await text(page, 'drift-where'), /module\.net\.aws_security_group\.web/);
    assert.match(await text(page, 'drift-how'), /AuthorizeSecurityGroupIngress/);
    const added = await page.locator('[data-testid="diff-ingress"] [data-diff="added"]').allInnerTexts();
    assert.ok(
      added.some((l) => l.includes('"0.0.0.0/0"')),
      added.join(' | '),
    );
    assert.match(
      await text(page, 'suggested-fix'),
      /terraform apply -target='module\.net\.aws_security_group\.web'/,
    );
    const explore = new URL(
      (await page.getByTestId('explore-drift').getAttribute('href'))!,
      'http://grafana',
    );
    assert.match(JSON.parse(explore.searchParams.get('panes')!).a.queries[0].expr, /\|= "9f3c1a7e5b2d4c60"/);
    await shot(page, 'drift-detail');
    await page.close();

    const resolved = await open(main, 'drift/71a0f3d9b5c2e864', '[data-testid="drift-detail"]');
    await waitText(resolved, 'drift-status', 'resolved: state_caught_up');
    assert.equal(await resolved.locator('[data-testid="drift-history"] tbody tr').count(), 2);
    await resolved.close();

    // Real exporter output: the demo's web security group; its other drifts are listed and linked.
    const real = await open(main, 'drift/c937adc3d84da0db2f667beb47e32415', '[data-testid="drift-detail"]');
    assert.match(await text(real, 'drift-title'), /aws_security_group sg-003dc7f1f1c686164/);
    // Other drifts of the resource within the page's range (last 7 days): not the 30-day-old copy.
    const sameResource = records.filter(
      (r) =>
        r.resource_id === 'sg-003dc7f1f1c686164' &&
        r.drift_id !== 'c937adc3d84da0db2f667beb47e32415' &&
        Date.parse(r.detected_at) > now - 7 * DAY,
    );
    const others = real.locator('[data-testid="drift-others"] li');
    if (sameResource.length > 0) {
      await others.first().waitFor();
    }
    assert.equal(await others.count(), new Set(sameResource.map((r) => r.drift_id)).size);
    await real.close();
  });

  it('opens a drift detected 30 days ago, saying how far it searched', async () => {
    const page = await open(main, `drift/${OLD_DRIFT_ID}`, '[data-testid="drift-detail"]');
    assert.match(await text(page, 'drift-title'), new RegExp(oldDrift.resource_id!));
    assert.match(await text(page, 'search-extent'), /Found 30d ago; searched back 3\d days in 4 windows/);
    await page.close();
    const missing = await open(main, 'drift/0000000000000000', '[data-testid="drift-not-found"]');
    assert.match(
      await text(missing, 'drift-not-found'),
      /searched back 90 days, Loki's retention \(90 days\)/,
    );
    await missing.close();
  });

  it('sorts and pages 10,000 drifts with exact counts', async () => {
    const many = manyDrifts(10_000);
    const stack = await startPluginStack(BUILD_DIR, many);
    stacks.push(stack);
    const tab = 'modified';
    const expected = many.filter((r) => r.change_type === tab);
    const page = await open(stack, `three-way?tab=${tab}`, '[data-testid="three-way-filters"]');
    await waitText(page, 'count-modified', expected.length.toLocaleString('en-US'));
    await waitText(page, 'page-info', `Rows 1–50 of ${expected.length.toLocaleString('en-US')}`);
    const firstCell = () =>
      page.locator('[data-testid="three-way-table"] tbody tr').first().locator('td').first().innerText();
    const newest = [...expected].sort((a, b) => Date.parse(b.detected_at) - Date.parse(a.detected_at));
    assert.match(await firstCell(), new RegExp(newest[0].resource_id!));

    // Page 3 in time order: rows 101–150.
    await page.getByRole('button', { name: '3', exact: true }).click();
    await waitUrl(page, (p) => p.get('page') === '3');
    await waitText(page, 'page-info', 'Rows 101–150');
    await page
      .locator('[data-testid="three-way-table"] tbody tr')
      .first()
      .filter({ hasText: newest[100].resource_id! })
      .waitFor();

    // Sort by resource (ascending): all 10,000 rows are read (two 5,000-line reads) and sorted.
    await page
      .getByRole('button', { name: /Resource/ })
      .first()
      .click();
    await waitUrl(page, (p) => p.get('sort') === 'resource:asc' && !p.get('page'));
    const byResource = [...expected].sort((a, b) =>
      `${a.resource_type} ${a.resource_id}`.localeCompare(`${b.resource_type} ${b.resource_id}`),
    );
    await page
      .locator('[data-testid="three-way-table"] tbody tr')
      .first()
      .filter({ hasText: byResource[0].resource_id! })
      .waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: '2', exact: true }).click();
    await page
      .locator('[data-testid="three-way-table"] tbody tr')
      .first()
      .filter({ hasText: byResource[50].resource_id! })
      .waitFor();
    assert.equal(await page.locator('[data-testid="three-way-table"] tbody tr').count(), 50);
    const reads = stack.state.requests.filter(
      (r) => r.path.endsWith('/query_range') && r.params.query.includes('change_type="modified"'),
    );
    assert.ok(
      reads.every((r) => Number(r.params.limit) <= 5000),
      "never more than Loki's 5,000-line limit per read",
    );
    await shot(page, 'three-way-10k');
    await page.close();
  });

  it('shows one page-level error naming the cause and the fix when Loki answers 502', async () => {
    const stack = await startPluginStack(BUILD_DIR, records, { loki: { failWith: 502 } });
    stacks.push(stack);
    for (const route of ['overview', 'three-way']) {
      const page = await open(stack, route, '[data-testid="page-error"]');
      assert.equal(await page.getByTestId('page-error').count(), 1, `${route}: one error`);
      const message = await text(page, 'page-error');
      assert.match(message, /Loki is unreachable/);
      assert.match(message, /check that Loki is running/);
      assert.match(message, /502/);
      assert.equal(
        await page.locator('[data-testid="data-testid Alert error"]').count(),
        1,
        `${route}: no per-panel errors`,
      );
      assert.equal(await page.getByText(/query failed/).count(), 0, `${route}: no per-panel errors`);
      assert.equal(await page.getByText('…').count(), 0, `${route}: nothing waits forever`);
      await shot(page, `${route}-loki-502`);
      await page.close();
    }
  });

  it('sent only guarded LogQL through the datasource proxy and hit no page errors', () => {
    const loki = main.state.requests.filter((r) =>
      r.path.startsWith('/api/datasources/proxy/uid/loki/loki/api/v1/query'),
    );
    assert.ok(loki.length >= 8, `expected Loki queries, saw ${loki.length}`);
    for (const r of loki) {
      assert.match(
        r.params.query,
        /^(?:topk\(\d+, )?(?:sum(?: by \([^)]*\))? \(count_over_time\()?\{job="tfdrift"[^}]*\}(?: \|[=~] "[^"]+")? \| json \| __error__=""/,
      );
    }
    assert.deepEqual(pageErrors, []);
  });
});
