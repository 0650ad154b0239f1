/**
 * Browser test of the Configuration page (issue 15): Grafana's DataSourcePicker filtered by type, and
 * saved settings used by the other pages at once, without a reload. Real Chromium, the plugin
 * harness with Grafana's DataSourceSrv (test/harness/dataSourceSrv.ts).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Browser, chromium } from 'playwright-core';
import type { GrafanaApiState } from '../peers/grafanaApi';
import { bundleHarnessWithDatasources } from './bundle-datasources';
import { Running, startHarnessServer, startLokiPeer, startPrometheusPeer } from './servers';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts');
const BUILD_DIR = path.join(__dirname, '.build', 'configuration');
const WAIT = { timeout: 30_000 };

let browser: Browser;
let servers: Running[] = [];
let harness: Running;
const state: GrafanaApiState = { records: [], savedSettings: [], requests: [] };
const pageErrors: string[] = [];

before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (apt-get install -y chromium)`);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const [loki, prometheus] = await Promise.all([startLokiPeer([]), startPrometheusPeer([]), bundleHarnessWithDatasources(BUILD_DIR)]);
  // The Alert rules page, reached after the save, talks to the alerting provisioning API.
  const { GrafanaPeer } = await import('@tfdrift/alert-rules/testing');
  const grafana = new GrafanaPeer();
  await grafana.start();
  harness = await startHarnessServer(BUILD_DIR, state, { loki: loki.url, prometheus: prometheus.url, grafana: grafana.url });
  servers = [loki, prometheus, harness, { url: grafana.url, close: () => grafana.stop() }];
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'], headless: true });
});

after(async () => {
  await browser?.close();
  await Promise.all(servers.map((s) => s.close()));
});

describe('Configuration page in Chromium', () => {
  it("picks data sources with Grafana's picker, saves them, and the app uses them without a reload", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (err) => pageErrors.push(`${err.message}\n${err.stack ?? ''}`));
    await page.goto(`${harness.url}/#configuration`);
    await page.getByTestId('settings-form').waitFor(WAIT);

    // The Loki picker offers Loki data sources only.
    await page.getByTestId('loki-datasource').getByRole('combobox').click();
    const options = await page.getByRole('listbox').getByRole('option').allInnerTexts();
    assert.deepEqual(options.map((o) => o.trim()), ['Loki']);
    await page.keyboard.press('Escape');
    await page.getByTestId('prometheus-datasource').getByRole('combobox').click();
    assert.deepEqual((await page.getByRole('listbox').getByRole('option').allInnerTexts()).map((o) => o.trim()), ['Prometheus']);
    await page.keyboard.press('Enter');

    await page.getByLabel('Job label').fill('tfdrift-prod');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByTestId('settings-status').filter({ hasText: 'Settings saved.' }).waitFor(WAIT);
    assert.deepEqual(state.savedSettings.at(-1), {
      enabled: true,
      pinned: true,
      jsonData: { lokiDatasourceUid: 'loki', prometheusDatasourceUid: 'prometheus', jobLabel: 'tfdrift-prod' },
    });
    await page.screenshot({ path: path.join(ARTIFACTS, 'configuration-saved.png'), fullPage: true });

    // In-app navigation, no reload: the Alert rules page builds its LogQL with the saved job label
    // (Grafana still hands the app the plugin meta it loaded before the save).
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    await page.getByRole('link', { name: 'set up alert rules' }).click();
    await page.getByTestId('preview-critical').waitFor(WAIT);
    assert.match(await page.getByTestId('preview-critical').textContent() ?? '', /\{job="tfdrift-prod", severity="critical"\}/);
    assert.match(await page.getByText(/Grafana-managed alert rules on TFDrift/).innerText(), /job tfdrift-prod/);
    // Its preflight read Grafana with the saved data source UIDs.
    await page.getByTestId('preflight-datasource-loki').or(page.getByTestId('plan')).first().waitFor(WAIT);
    assert.equal(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded), true, 'no reload');
    await page.close();
    assert.deepEqual(pageErrors, []);
  });
});
