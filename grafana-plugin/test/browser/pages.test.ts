/**
 * Browser test: every page of the plugin rendered in real Chromium (Debian's /usr/bin/chromium, driven
 * by playwright-core) against loopback Loki and Prometheus peers serving the fixture drift records.
 * Screenshots go to test-artifacts/ (gitignored). Run: npm run test:browser -w tfdrift-drift-app
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Browser, chromium, Page } from 'playwright-core';
import { loadFixtureRecords, loadReplayRecords } from '../fixtures/records';
import type { GrafanaApiState } from '../peers/grafanaApi';
import { bundleHarness } from './bundle';
import { Running, startHarnessServer, startLokiPeer, startPrometheusPeer } from './servers';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts');
const BUILD_DIR = path.join(__dirname, '.build');
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

let browser: Browser;
let servers: Running[] = [];
let harness: Running;
let alerting!: import('@tfdrift/alert-rules/testing').GrafanaPeer;
// Hand-written records (every field exercised) plus real `tfdrift replay` output of the exporter's demo.
const state: GrafanaApiState = {
  records: [...loadFixtureRecords(), ...loadReplayRecords()],
  savedSettings: [],
  requests: [],
};
const pageErrors: string[] = [];

async function open(hash: string, readySelector: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1100 } });
  page.on('pageerror', (err) => pageErrors.push(`${hash}: ${err.message}`));
  await page.goto(`${harness.url}/#${hash}`);
  await page.waitForSelector(readySelector, { timeout: 20_000 });
  return page;
}

async function text(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).first().innerText()).trim();
}

async function waitText(page: Page, testId: string, expected: string): Promise<void> {
  await page.getByTestId(testId).first().filter({ hasText: expected }).waitFor({ timeout: 20_000 });
}

async function barValue(page: Page, list: string, label: string): Promise<string | null> {
  return page.locator(`[data-testid="${list}"] li[data-label="${label}"]`).getAttribute('data-value');
}

async function shot(page: Page, name: string): Promise<void> {
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  assert.ok(fs.statSync(file).size > 10_000, `${name}.png looks empty`);
}

before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (apt-get install -y chromium)`);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const [loki, prometheus] = await Promise.all([
    startLokiPeer(state.records),
    startPrometheusPeer(state.records),
    bundleHarness(BUILD_DIR),
  ]);
  // The alert-rules workspace's stand-in for Grafana's alerting provisioning API (issue 10).
  const { GrafanaPeer } = await import('@tfdrift/alert-rules/testing');
  alerting = new GrafanaPeer({
    datasources: [
      { uid: 'loki', type: 'loki', name: 'Loki' },
      { uid: 'prometheus', type: 'prometheus', name: 'Prometheus' },
    ],
    contactPoints: [{ name: 'platform-oncall', type: 'email' }],
  });
  await alerting.start();
  harness = await startHarnessServer(BUILD_DIR, state, {
    loki: loki.url,
    prometheus: prometheus.url,
    grafana: alerting.url,
  });
  servers = [loki, prometheus, harness, { url: alerting.url, close: () => alerting.stop() }];
  browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, headless: true });
});

after(async () => {
  await browser?.close();
  await Promise.all(servers.map((s) => s.close()));
});

describe('plugin pages in Chromium', () => {
  it('Overview shows counts, breakdowns, open drifts and exporter health', async () => {
    const page = await open('overview', '[data-testid="overview-stats"]');
    // 7 hand-written detections + 10 from tfdrift replay; one hand-written drift is resolved.
    await waitText(page, 'stat-total', '17');
    await waitText(page, 'stat-open-unmanaged', '6');
    assert.equal(await text(page, 'stat-open-modified'), '8');
    assert.equal(await text(page, 'stat-open-missing'), '2');
    await page.getByTestId('by-change-type').waitFor();
    assert.equal(await barValue(page, 'by-change-type', 'modified'), '9');
    assert.equal(await barValue(page, 'top-users', 'christophe'), '9');
    assert.equal(await barValue(page, 'top-users', 'alice'), '2');
    assert.equal(await page.getByTestId('over-time-chart').getAttribute('data-total'), '17');
    assert.ok((await page.locator('[data-testid="over-time-chart"] rect').count()) >= 1, 'chart has bars');
    await waitText(page, 'state-staging', 'stale');
    assert.match(await text(page, 'input-falco_grpc'), /disconnected/);
    await shot(page, 'overview');

    // The range picker re-queries: in the last hour there are 3 hand-written and 10 replayed detections.
    await page.locator('input[id^="option-1h-"]').click();
    await waitText(page, 'stat-total', '13');
    assert.match(await page.getByTestId('overview-stats').innerText(), /Drifts detected \(1h\)/);
    await page.close();
  });

  it('Three-way shows unmanaged, missing and modified side by side, filterable', async () => {
    const page = await open('three-way', '[data-testid="three-way-filters"]');
    await waitText(page, 'count-unmanaged', '6');
    assert.equal(await text(page, 'count-missing'), '2');
    assert.equal(await text(page, 'count-modified'), '8');
    assert.equal(await page.locator('[data-testid="column-unmanaged"] tbody tr').count(), 6);
    assert.match(await page.getByTestId('column-unmanaged').innerText(), /aws_iam_user\s+malicious-iam-user/);
    assert.match(await page.getByTestId('column-missing').innerText(), /aws_iam_role\s+ci-deployer/);
    await shot(page, 'three-way');

    // Filters live in the URL and go to Loki as stream labels.
    await page.goto(`${harness.url}/#three-way?account_id=210987654321&resolved=1`);
    await page.reload();
    await waitText(page, 'count-missing', '1');
    await waitText(page, 'count-modified', '1');
    assert.equal(await text(page, 'count-unmanaged'), '0');
    assert.match(await page.getByTestId('column-modified').innerText(), /resolved/);
    await shot(page, 'three-way-filtered');

    // Picking a severity in the filter bar narrows every column.
    await page.goto(`${harness.url}/#three-way`);
    await page.reload();
    await waitText(page, 'count-unmanaged', '6');
    const severity = page.getByLabel('Filter Severity');
    await severity.click();
    await page.keyboard.type('critical');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    await waitText(page, 'count-unmanaged', '1');
    assert.equal(await text(page, 'count-missing'), '1');
    assert.equal(await text(page, 'count-modified'), '4');
    await shot(page, 'three-way-critical');

    // Following a row's link opens the drift detail in the app.
    await page.locator('[data-testid="column-missing"] tbody a').first().click();
    await page.getByTestId('drift-detail').waitFor({ timeout: 20_000 });
    assert.match(
      await text(page, 'drift-title'),
      /aws_cloudtrail stratus-red-team-cloudtraild-trail-kvrwohmiai/,
    );
    assert.match(await page.getByTestId('drift-diff').innerText(), /deleted in the cloud/);
    await page.close();
  });

  it('Drift detail shows who/when/where/how, the diff, the fix and the history', async () => {
    const page = await open('drift/9f3c1a7e5b2d4c60', '[data-testid="drift-detail"]');
    assert.match(await text(page, 'drift-title'), /aws_security_group sg-0123456789abcdef0/);
    assert.match(await text(page, 'drift-who'), /alice/);
    assert.match(await text(page, 'drift-who'), /arn:aws:sts::123456789012:assumed-role\/Admin\/alice/);
    assert.match(await text(page, 'drift-where'), /module\.net\.aws_security_group\.web/);
    assert.match(await text(page, 'drift-how'), /AuthorizeSecurityGroupIngress/);
    const added = await page.locator('[data-testid="diff-ingress"] [data-diff="added"]').allInnerTexts();
    assert.ok(
      added.some((l) => l.includes('"0.0.0.0/0"')),
      `diff shows the opened CIDR: ${added.join(' | ')}`,
    );
    assert.ok(
      added.some((l) => l.includes('"from_port": 22')),
      'diff shows port 22',
    );
    assert.match(
      await text(page, 'suggested-fix'),
      /terraform apply -target='module\.net\.aws_security_group\.web'/,
    );
    await page.getByRole('button', { name: /copy/i }).waitFor();
    await shot(page, 'drift-detail');
    await page.close();

    const resolved = await open('drift/71a0f3d9b5c2e864', '[data-testid="drift-detail"]');
    await waitText(resolved, 'drift-status', 'resolved');
    assert.equal(await resolved.locator('[data-testid="drift-history"] tbody tr').count(), 2);
    assert.match(
      await resolved.getByTestId('diff-instance_type').innerText(),
      /- "t3\.micro"[\s\S]*\+ "t3\.large"/,
    );
    await shot(resolved, 'drift-detail-resolved');
    await resolved.close();

    // A drift from real exporter output: the demo's port 22 opened on the web security group.
    const real = await open('drift/c937adc3d84da0db2f667beb47e32415', '[data-testid="drift-detail"]');
    assert.match(await text(real, 'drift-title'), /aws_security_group sg-003dc7f1f1c686164/);
    const realAdded = await real.locator('[data-testid="diff-ingress"] [data-diff="added"]').allInnerTexts();
    assert.ok(
      realAdded.some((l) => l.includes('"tcp 22 from 208.236.235.254/0"')),
      realAdded.join(' | '),
    );
    assert.match(await text(real, 'drift-who'), /christophe/);
    await shot(real, 'drift-detail-replay');
    await real.close();
  });

  it('Alert rules page is routed, lists contact points and applies rules through the provisioning API', async () => {
    const page = await open('alert-rules', 'h1, h2, h3, [data-testid]');
    await page
      .getByText(/alert rules/i)
      .first()
      .waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Apply' }).click();
    const deadline = Date.now() + 20_000;
    while (alerting.rules.size === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(alerting.rules.size > 0, 'the page provisioned alert rules');
    assert.ok(
      alerting.requests.some(
        (r) => r.path.startsWith('/api/v1/provisioning/') && r.headers['x-disable-provenance'] === 'true',
      ),
      'provisioning calls carry X-Disable-Provenance',
    );
    assert.equal(await page.getByText(/cannot list contact points/).count(), 0);
    await shot(page, 'alert-rules');
    await page.close();
  });

  it('Configuration lists datasources and saves jsonData through the plugin settings API', async () => {
    const page = await open('configuration', '[data-testid="settings-form"]');
    await page.getByText('Loki (loki)').waitFor();
    await page.getByText('Prometheus (prometheus)').waitFor();
    await page.getByLabel('Job label').fill('tfdrift-prod');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await waitText(page, 'settings-status', 'Settings saved.');
    assert.deepEqual(state.savedSettings.at(-1), {
      enabled: true,
      pinned: true,
      jsonData: {
        lokiDatasourceUid: 'loki',
        prometheusDatasourceUid: 'prometheus',
        jobLabel: 'tfdrift-prod',
      },
    });
    await shot(page, 'configuration');
    await page.close();
  });

  it('sent only guarded LogQL through the datasource proxy and hit no page errors', () => {
    const loki = state.requests.filter((r) =>
      r.path.startsWith('/api/datasources/proxy/uid/loki/loki/api/v1/query'),
    );
    assert.ok(loki.length >= 8, `expected Loki queries, saw ${loki.length}`);
    for (const r of loki) {
      assert.match(
        r.params.query,
        /^(?:topk\(\d+, )?(?:sum(?: by \([^)]*\))? \(count_over_time\()?\{job="tfdrift"[^}]*\}(?: \|= "[^"]+")? \| json \| __error__=""/,
      );
    }
    assert.ok(state.requests.some((r) => r.path === '/api/datasources/proxy/uid/prometheus/api/v1/query'));
    assert.deepEqual(pageErrors, []);
  });
});
