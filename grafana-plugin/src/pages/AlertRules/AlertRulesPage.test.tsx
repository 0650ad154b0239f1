import React from 'react';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { from } from 'rxjs';
import { setBackendSrv, type BackendSrv, type BackendSrvRequest } from '@grafana/runtime';
import { applyAlerting, buildAlerting, GrafanaClient } from '@tfdrift/alert-rules';
import { GrafanaPeer } from '@tfdrift/alert-rules/testing';
import { AppHarness } from '../../../test/harness/AppHarness';
import { grafanaBaseUrl } from './AlertRulesPage';

/**
 * The page against the Grafana provisioning peer of @tfdrift/alert-rules (the same one the library
 * and CLI tests use), reached through a BackendSrv whose fetch passes method, headers and body on,
 * so provenance headers and validation behave as in Grafana.
 */
function installPeer(peer: GrafanaPeer, headers: Record<string, string> = {}): void {
  const answer = async (options: BackendSrvRequest) => {
    const path = options.url.split('?')[0];
    const result = peer.handleRequest(
      (options.method ?? 'GET').toUpperCase(),
      path,
      { ...headers, ...(options.headers ?? {}) },
      options.data,
    );
    if (result.status < 200 || result.status >= 300) {
      throw { status: result.status, data: result.body, config: options };
    }
    return { status: result.status, data: result.body, ok: true, config: options };
  };
  const srv = {
    fetch: (options: BackendSrvRequest) => from(answer(options)),
    get: async (url: string) => (await answer({ url })).data,
  };
  setBackendSrv(srv as unknown as BackendSrv);
}

// The page is lazy-loaded by the app and each apply is a dozen API round trips: be patient.
// Waits end on what the page shows; the budgets only matter on a loaded machine (two CPU burners
// beside the suite took one test past 60 s).
jest.setTimeout(240_000);
const LONG = { timeout: 90_000 };

async function renderPage(jsonData: Record<string, unknown> = {}) {
  render(<AppHarness path="alert-rules" jsonData={jsonData} />);
  await waitFor(() => expect(screen.getByTestId('plan')).toBeInTheDocument(), LONG);
}

const action = (kind: string, id: string) =>
  screen.getByTestId(`plan-${kind}-${id}`).getAttribute('data-action');

// @grafana/ui's Select menu observes its scroll container; jsdom has no IntersectionObserver.
beforeAll(() => {
  const w = window as unknown as { IntersectionObserver?: unknown };
  w.IntersectionObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
    takeRecords() {
      return [];
    }
  };
});

describe('Alert rules page', () => {
  let peer: GrafanaPeer;
  beforeEach(() => {
    peer = new GrafanaPeer();
    installPeer(peer);
  });

  it('shows the preset, lists contact points and the status of what exists in Grafana', async () => {
    await renderPage();
    // Nothing in Grafana yet: every rule is missing.
    const cards = screen.getByTestId('plan').querySelectorAll('[data-action]');
    expect(cards).toHaveLength(11); // folder, 9 rules, policy route (no windows: no mute timing)
    cards.forEach((card) => expect(card.getAttribute('data-action')).toBe('create'));
    expect(screen.getByTestId('plan-rule-tfdrift-critical-5e25aad2')).toHaveTextContent(
      'missing: will be created',
    );
    // Small preset: critical > 0 in 5m, high > 2 in 10m, drift rate > 10 in 1h.
    expect(screen.getByLabelText('threshold critical')).toHaveValue(0);
    expect(screen.getByLabelText('window critical')).toHaveValue('5m');
    expect(screen.getByLabelText('threshold high')).toHaveValue(2);
    expect(screen.getByLabelText('threshold drift_rate')).toHaveValue(10);
    expect(screen.getByTestId('preview-critical')).toHaveTextContent(
      'TFDrift: critical drift — gt 0, severity critical',
    );
    expect(screen.getByTestId('preview-critical')).toHaveTextContent('{job="tfdrift", severity="critical"}');
    expect(peer.requests.some((r) => r.path === '/api/v1/provisioning/contact-points')).toBe(true);
    expect(screen.getByText('Runbooks')).toBeInTheDocument();
    expect(document.getElementById('runbook-public-exposure')).not.toBeNull();
  });

  it('switching to the large preset loads its thresholds', async () => {
    await renderPage();
    await userEvent.click(screen.getByLabelText('Large (100+ applies/month)'));
    expect(screen.getByLabelText('threshold critical')).toHaveValue(3);
    expect(screen.getByLabelText('window critical')).toHaveValue('10m');
    expect(screen.getByLabelText('threshold high')).toHaveValue(10);
    expect(screen.getByLabelText('window high')).toHaveValue('30m');
    expect(screen.getByLabelText('threshold drift_rate')).toHaveValue(50);
  });

  it('applies edited thresholds with X-Disable-Provenance; a second apply changes nothing', async () => {
    await renderPage();
    fireEvent.change(screen.getByLabelText('threshold critical'), { target: { value: '5' } });
    await userEvent.click(screen.getByRole('button', { name: /Apply/ }));
    await waitFor(() => expect(screen.getByText(/Applied \d+ change\(s\)/)).toBeInTheDocument(), LONG);

    const critical = peer.rules.get('tfdrift-critical-5e25aad2');
    expect(critical?.rule.data[2].model.conditions[0].evaluator.params).toEqual([5]);
    expect(critical?.provenance).toBe('');
    expect(peer.rules.size).toBe(9);
    const writes = peer.writes().filter((w) => w.path.startsWith('/api/v1/provisioning'));
    expect(writes.length).toBeGreaterThan(0);
    writes.forEach((w) => expect(w.headers['x-disable-provenance']).toBe('true'));
    expect(action('rule', 'tfdrift-critical-5e25aad2')).toBe('unchanged');

    const count = peer.writes().length;
    await userEvent.click(screen.getByRole('button', { name: /Apply/ }));
    await waitFor(
      () => expect(screen.getByText('Nothing to change: Grafana already matches.')).toBeInTheDocument(),
      LONG,
    );
    expect(peer.writes().length).toBe(count);
  });

  it('shows the diff of a changed threshold against the applied rules', async () => {
    await renderPage();
    await userEvent.click(screen.getByRole('button', { name: /Apply/ }));
    await waitFor(() => expect(screen.getByText(/Applied \d+ change/)).toBeInTheDocument(), LONG);
    fireEvent.change(screen.getByLabelText('threshold high'), { target: { value: '4' } });
    expect(screen.getByText(/Settings changed since this comparison/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: /Compare with Grafana/ }));
    await waitFor(() => expect(action('rule', 'tfdrift-high-5e25aad2')).toBe('update'), LONG);
    expect(screen.getByTestId('plan-rule-tfdrift-high-5e25aad2')).toHaveTextContent(
      'data[2].model.conditions[0].evaluator.params[0]: 2 → 4',
    );
    expect(action('rule', 'tfdrift-critical-5e25aad2')).toBe('unchanged');
  });

  it('maintenance windows become a mute timing on the route; the contact point becomes its receiver', async () => {
    await renderPage();
    await userEvent.click(screen.getByRole('button', { name: /Weekly window/ }));
    fireEvent.change(screen.getByLabelText('window 0 time zone'), { target: { value: 'Europe/Berlin' } });
    const select = screen.getByLabelText('contact point');
    await userEvent.click(select);
    await userEvent.click(await screen.findByText('platform-slack'));
    await userEvent.click(screen.getByRole('button', { name: /Apply/ }));
    await waitFor(() => expect(screen.getByText(/Applied \d+ change/)).toBeInTheDocument(), LONG);
    expect(peer.muteTimings.get('tfdrift-maintenance')?.mt.time_intervals).toEqual([
      {
        times: [{ start_time: '22:00', end_time: '24:00' }],
        weekdays: ['saturday'],
        location: 'Europe/Berlin',
      },
      {
        times: [{ start_time: '00:00', end_time: '02:00' }],
        weekdays: ['sunday'],
        location: 'Europe/Berlin',
      },
    ]);
    expect(peer.policyTree.routes[0]).toMatchObject({
      receiver: 'platform-slack',
      mute_time_intervals: ['tfdrift-maintenance'],
    });
  });

  it('starts from what is applied in Grafana, so re-applying changes nothing', async () => {
    // Applied beforehand through the library, straight into the peer (jsdom has no fetch).
    const direct = new GrafanaClient({
      baseUrl: 'http://grafana',
      fetch: async (url, init) => {
        const r = peer.handleRequest(
          init.method,
          new URL(url).pathname,
          init.headers,
          init.body ? JSON.parse(init.body) : undefined,
        );
        return { status: r.status, text: async () => (r.body === undefined ? '' : JSON.stringify(r.body)) };
      },
    });
    await applyAlerting(
      direct,
      buildAlerting({
        preset: 'large',
        lokiDatasourceUid: 'loki',
        prometheusDatasourceUid: 'prometheus',
        team: 'secops',
        productionAccounts: ['123456789012'],
        contactPoint: 'platform-slack',
        tuning: { critical: { threshold: 6 } },
        maintenanceWindows: [
          { kind: 'once', start: '2026-12-24T00:00', end: '2026-12-24T12:00', location: 'UTC' },
        ],
        grafanaUrl: grafanaBaseUrl(),
      }),
    );
    await renderPage();
    await waitFor(
      () => expect(screen.getByText('Loaded the settings applied in Grafana')).toBeInTheDocument(),
      LONG,
    );
    expect(screen.getByLabelText('threshold critical')).toHaveValue(6);
    expect(screen.getByLabelText('threshold high')).toHaveValue(10);
    expect(screen.getByLabelText('team')).toHaveValue('secops');
    expect(screen.getByLabelText('production accounts')).toHaveValue('123456789012');
    expect(screen.getByTestId('window-0')).toHaveTextContent(
      'years 2026 months 12 days 24 00:00–12:00 (UTC)',
    );
    // The status is compared again with the loaded settings: everything up to date.
    await waitFor(() => expect(action('rule', 'tfdrift-critical-5e25aad2')).toBe('unchanged'), LONG);
    expect(screen.queryByText(/Settings changed since this comparison/)).toBeNull();
    expect(peer.rules.get('tfdrift-critical-5e25aad2')?.rule.annotations.runbook_url).toBe(
      `${grafanaBaseUrl()}/a/tfdrift-drift-app/alert-rules#runbook-critical`,
    );
    const writes = peer.writes().length;
    await userEvent.click(screen.getByRole('button', { name: /Apply/ }));
    await waitFor(
      () => expect(screen.getByText('Nothing to change: Grafana already matches.')).toBeInTheDocument(),
      LONG,
    );
    expect(peer.writes().length).toBe(writes);
  });

  it('shows how Grafana evaluates the applied rules: firing, normal, error', async () => {
    await renderPage();
    await userEvent.click(screen.getByRole('button', { name: /Apply/ }));
    await waitFor(() => expect(screen.getByText(/Applied \d+ change/)).toBeInTheDocument(), LONG);
    peer.ruleStates.set('tfdrift-critical-5e25aad2', { state: 'firing', health: 'ok', alerts: 2 });
    peer.ruleStates.set('tfdrift-state-stale-5e25aad2', {
      state: 'inactive',
      health: 'error',
      lastError: 'Prometheus unreachable',
    });
    await userEvent.click(screen.getByRole('button', { name: /Compare with Grafana/ }));
    await waitFor(
      () =>
        expect(screen.getByTestId('evaluation-tfdrift-critical-5e25aad2')).toHaveTextContent(
          'firing (2 alerts)',
        ),
      LONG,
    );
    expect(screen.getByTestId('evaluation-tfdrift-high-5e25aad2')).toHaveTextContent('normal');
    expect(screen.getByTestId('evaluation-tfdrift-state-stale-5e25aad2')).toHaveTextContent(
      'error: Prometheus unreachable',
    );
  });

  it('an invalid window blocks apply with the reason', async () => {
    await renderPage();
    await userEvent.click(screen.getByRole('button', { name: /One-off window/ }));
    expect(screen.getByTestId('window-0')).toHaveTextContent('start "" is not YYYY-MM-DDTHH:MM');
    expect(screen.getByText(/maintenance window 1/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /Apply/ })).toBeDisabled();
  });

  it('a file-provisioned rule in the group: conflict shown, apply refused with a clear message', async () => {
    peer.folders.set('tfdrift', { uid: 'tfdrift', title: 'TFDrift' });
    peer.seedRule(
      {
        uid: 'from-file',
        title: 'File rule',
        folderUID: 'tfdrift',
        ruleGroup: 'tfdrift',
        condition: 'A',
        for: '0s',
        noDataState: 'OK',
        execErrState: 'Error',
        data: [],
      },
      'file',
    );
    await renderPage();
    expect(screen.getByText('Rules provisioned outside TFDrift')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: /Apply/ }));
    await waitFor(() => expect(screen.getByText(/provenance conflict, 409/)).toBeInTheDocument(), LONG);
    expect(peer.rules.size).toBe(1);
  });

  it('403 and a missing datasource are reported with the URL and what to do', async () => {
    const locked = new GrafanaPeer({ token: 'admin', readOnlyToken: 'viewer' });
    installPeer(locked, { Authorization: 'Bearer viewer' });
    render(<AppHarness path="alert-rules" />);
    // Preflight names the unreadable policy tree with its status; the comparison's read fails the same way.
    await waitFor(
      () => expect(screen.getByTestId('preflight-policy-tree-policies')).toHaveTextContent('→ 403'),
      LONG,
    );
    expect(screen.getByTestId('preflight-policy-tree-policies')).toHaveAttribute('data-ok', 'false');
    expect(screen.getByText(/cannot list contact points \(403\)/)).toBeInTheDocument();

    installPeer(peer);
    await act(async () => {
      render(<AppHarness path="alert-rules" jsonData={{ lokiDatasourceUid: 'gone' }} />);
    });
    await waitFor(
      () =>
        expect(screen.getByTestId('preflight-datasource-gone')).toHaveTextContent(
          'Loki datasource "gone" does not exist in Grafana (GET /api/datasources/uid/gone → 404)',
        ),
      LONG,
    );
  });
});
