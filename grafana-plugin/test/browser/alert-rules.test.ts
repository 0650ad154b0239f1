/**
 * Browser test of the Alert rules page (issue 15): real Chromium against the alert-rules workspace's
 * Grafana provisioning peer, through the plugin harness. Apply must never half-apply unexplained:
 * a preflight failure writes nothing and says why; a write failing midway shows Grafana as re-read,
 * rule by rule, and a retry completes it. Run: npm run test:browser -w tfdrift-drift-app
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { Browser, chromium, Page } from 'playwright-core';
import type * as AlertRules from '@tfdrift/alert-rules';
import type { GrafanaPeer as Peer } from '@tfdrift/alert-rules/testing';
import type { GrafanaApiState } from '../peers/grafanaApi';
import { bundleHarness } from './bundle';
import { Running, startHarnessServer, startLokiPeer, startPrometheusPeer } from './servers';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts');
const BUILD_DIR = path.join(__dirname, '.build', 'alert-rules');
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'];
const WAIT = { timeout: 30_000 };
// The issue measured 1,706 px at this width: the page must fit it.
const VIEWPORT = { width: 1440, height: 900 };

let browser: Browser;
let loki: Running;
let prometheus: Running;
let GrafanaPeer: typeof Peer;
// ESM workspaces, loaded the way the CommonJS test runtime can.
let lib: typeof AlertRules;
const cleanup: Array<() => Promise<void>> = [];
const pageErrors: string[] = [];

/** A Grafana peer and a harness server in front of it, closed after the test. */
async function grafana(options: ConstructorParameters<typeof Peer>[0]): Promise<{ peer: Peer; harness: Running }> {
  const peer = new GrafanaPeer(options);
  await peer.start();
  const state: GrafanaApiState = { records: [], savedSettings: [], requests: [] };
  const harness = await startHarnessServer(BUILD_DIR, state, { loki: loki.url, prometheus: prometheus.url, grafana: peer.url });
  cleanup.push(() => harness.close(), () => peer.stop());
  return { peer, harness };
}

async function openAlertRules(harness: Running): Promise<Page> {
  const page = await browser.newPage({ viewport: VIEWPORT });
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(`${harness.url}/#alert-rules`);
  await page.getByTestId('plan').waitFor(WAIT);
  return page;
}

/** Every rule card of the plan: UID → applied (as the page says). */
async function ruleCards(page: Page): Promise<Map<string, boolean>> {
  const cards = await page.locator('[data-testid^="plan-rule-"]').evaluateAll((els) =>
    els.map((el) => [el.getAttribute('data-testid')!.replace('plan-rule-', ''), el.getAttribute('data-applied') === 'true'] as const),
  );
  return new Map(cards);
}

async function assertFitsViewport(page: Page): Promise<void> {
  // Open every collapsed rule so its JSON is laid out too.
  await page.locator('[data-testid^="preview-"] > summary').evaluateAll((els) => els.forEach((el) => (el.parentElement as HTMLDetailsElement).open = true));
  // Grafana's body has no margin; the bare harness page keeps the browser's 8px.
  await page.addStyleTag({ content: 'body { margin: 0 }' });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= VIEWPORT.width, `page is ${width}px wide at a ${VIEWPORT.width}px viewport`);
  // Nor is anything cut off or scrolled sideways inside a box: JSON and queries wrap.
  const clipped = await page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>('#root pre, #root [data-testid="plan"] div'))
      .filter((e) => e.scrollWidth > e.clientWidth + 1)
      .map((e) => `${e.tagName} ${e.getAttribute('data-testid') ?? ''} ${e.scrollWidth}>${e.clientWidth}`),
  );
  assert.deepEqual(clipped, [], 'boxes whose content does not fit');
}

before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (apt-get install -y chromium)`);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  [loki, prometheus] = await Promise.all([startLokiPeer([]), startPrometheusPeer([]), bundleHarness(BUILD_DIR)]);
  ({ GrafanaPeer } = await import('@tfdrift/alert-rules/testing'));
  lib = await import('@tfdrift/alert-rules');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, headless: true });
});

afterEach(async () => {
  while (cleanup.length) {
    await cleanup.pop()!();
  }
});

after(async () => {
  await browser?.close();
  await Promise.all([loki?.close(), prometheus?.close()]);
});

describe('Alert rules page in Chromium', () => {
  it('Apply with a missing receiver writes nothing and says why', async () => {
    // The policy tree's default receiver (grafana-default-email) is not among the contact points:
    // Grafana would answer 400 to the policy PUT, after the folder and rules were written.
    const { peer, harness } = await grafana({ contactPoints: [{ name: 'platform-oncall', type: 'email' }] });
    const page = await openAlertRules(harness);
    await page.getByTestId('preflight-warning').waitFor(WAIT);
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    const result = page.getByTestId('apply-result');
    await result.filter({ hasText: 'Nothing was written to Grafana' }).waitFor(WAIT);

    assert.deepEqual(peer.writes(), [], 'no write reached Grafana');
    const text = await result.innerText();
    assert.match(text, /contact point "grafana-default-email" \(the policy tree's default receiver\) does not exist in Grafana/);
    assert.match(text, /existing: platform-oncall/);
    assert.match(text, /PUT \/api\/v1\/provisioning\/policies → 400/);
    assert.equal(await page.getByTestId('preflight-contact-point-grafana-default-email').getAttribute('data-ok'), 'false');
    assert.equal(await page.getByTestId('preflight-datasource-loki').getAttribute('data-ok'), 'true');
    // The plan still tells the truth: nothing exists, every rule is still to be created.
    const cards = await ruleCards(page);
    assert.equal(cards.size, 9);
    for (const [uid, applied] of cards) {
      assert.equal(applied, peer.rules.has(uid), uid);
      assert.equal(await page.getByTestId(`plan-rule-${uid}`).getAttribute('data-action'), 'create', uid);
    }
    await page.screenshot({ path: path.join(ARTIFACTS, 'alert-rules-preflight.png'), fullPage: true });
    await assertFitsViewport(page);
    await page.close();
  });

  it('Apply that fails midway shows the true applied state after a re-read, and Retry completes it', async () => {
    const { peer, harness } = await grafana({});
    // Applied earlier (e.g. by the CLI): every rule but drift_rate, default receiver.
    const earlier = lib.buildAlerting({
      preset: 'small',
      lokiDatasourceUid: 'loki',
      prometheusDatasourceUid: 'prometheus',
      tuning: { drift_rate: { enabled: false } },
      grafanaUrl: harness.url,
    });
    await lib.applyAlerting(new lib.GrafanaClient({ baseUrl: peer.url }), earlier);
    assert.equal(peer.rules.size, 8);

    const page = await openAlertRules(harness);
    await page.getByText('Loaded the settings applied in Grafana').waitFor(WAIT);
    // The user enables drift_rate and routes the alerts to platform-slack.
    await page.getByLabel('enabled drift_rate').check({ force: true });
    await page.getByLabel('contact point').click();
    await page.keyboard.type('platform-slack');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Compare with Grafana' }).click();
    await page.locator('[data-testid="plan-policy-policies"][data-action="update"]').waitFor(WAIT);

    // Grafana fails the policy PUT once, after the rule group was written.
    peer.failOn({ method: 'PUT', path: '/api/v1/provisioning/policies', status: 500, message: 'failed to save notification policies: database is locked' });
    const writesBefore = peer.writes().length;
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    const result = page.getByTestId('apply-result');
    await result.filter({ hasText: 'Apply stopped at policy' }).waitFor(WAIT);
    await page.getByText('In Grafana (read again after the failure)').waitFor(WAIT);

    assert.match(await page.getByTestId('apply-cause').innerText(), /→ 500: failed to save notification policies: database is locked/);
    assert.match(await page.getByTestId('apply-written').innerText(), /rule TFDrift: drift rate/);
    assert.match(await page.getByTestId('apply-reread').innerText(), /not applied: policy notification policy route for TFDrift alerts \(differs\)/);
    assert.deepEqual(
      peer.writes().slice(writesBefore).map((w) => w.method),
      ['PUT', 'PUT'],
      'the rule group PUT, then the failed policy PUT',
    );

    // Rule by rule, the page agrees with what the peer holds.
    const cards = await ruleCards(page);
    assert.equal(cards.size, 9);
    for (const [uid, applied] of cards) {
      const stored = peer.rules.get(uid);
      assert.equal(applied, stored !== undefined, `${uid}: page says applied=${applied}`);
      assert.equal(await page.getByTestId(`plan-rule-${uid}`).getAttribute('data-action'), 'unchanged', uid);
    }
    assert.ok(peer.rules.has('tfdrift-drift-rate-5e25aad2'), 'drift_rate was written before the failure');
    const policy = page.getByTestId('plan-policy-policies');
    assert.equal(await policy.getAttribute('data-applied'), 'false');
    assert.match(await policy.innerText(), /not applied: differs/);
    assert.equal(peer.policyTree.routes[0].receiver, undefined, 'the peer still routes to the default receiver');
    await page.screenshot({ path: path.join(ARTIFACTS, 'alert-rules-midway.png'), fullPage: true });
    await assertFitsViewport(page);

    // Retry once Grafana is healthy: only the route is written, and everything is up to date.
    await page.getByRole('button', { name: 'Retry apply' }).click();
    await result.filter({ hasText: 'Applied 1 change(s).' }).waitFor(WAIT);
    assert.equal(peer.policyTree.routes[0].receiver, 'platform-slack');
    await page.locator('[data-testid="plan-policy-policies"][data-action="unchanged"]').waitFor(WAIT);
    for (const [uid, applied] of await ruleCards(page)) {
      assert.equal(applied, true, uid);
    }
    await page.close();
  });

  it('hit no page errors', () => {
    assert.deepEqual(pageErrors, []);
  });
});
