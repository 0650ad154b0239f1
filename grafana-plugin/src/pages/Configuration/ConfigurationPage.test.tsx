import React from 'react';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AppHarness } from '../../../test/harness/AppHarness';
import { installDataSourceSrv } from '../../../test/harness/dataSourceSrv';
import { installFakeGrafana } from '../../../test/harness/setupFake';
import { DATASOURCES } from '../../../test/peers/grafanaApi';
import { resetPublishedSettings } from '../../utils/settings';

const LONG = { timeout: 20_000 };
jest.setTimeout(60_000);

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

afterEach(() => resetPublishedSettings());

/** The option labels a data source picker offers, once its menu is open. */
async function pickerOptions(kind: 'loki' | 'prometheus'): Promise<string[]> {
  await userEvent.click(within(screen.getByTestId(`${kind}-datasource`)).getByRole('combobox'));
  const menu = await screen.findByRole('listbox', undefined, LONG);
  return within(menu)
    .getAllByRole('option')
    .map((o) => o.textContent ?? '');
}

describe('Configuration page', () => {
  beforeEach(() => {
    installDataSourceSrv([
      ...DATASOURCES,
      { uid: 'loki-archive', name: 'Loki archive', type: 'loki' },
      { uid: 'tempo', name: 'Tempo', type: 'tempo' },
    ]);
  });

  it("offers only Loki data sources for Loki and Prometheus ones for Prometheus, in Grafana's picker", async () => {
    installFakeGrafana();
    render(<AppHarness path="configuration" jsonData={{ jobLabel: 'tfdrift' }} />);
    await screen.findByLabelText('Job label', undefined, LONG);
    expect(await pickerOptions('loki')).toEqual(['Loki', 'Loki archive']);
    await userEvent.keyboard('{Escape}');
    expect(await pickerOptions('prometheus')).toEqual(['Prometheus']);
  });

  it('saves the picked data sources and job label, and the app uses them without a reload', async () => {
    const api = installFakeGrafana();
    const { unmount } = render(<AppHarness path="configuration" jsonData={{ jobLabel: 'tfdrift' }} />);
    const job = await screen.findByLabelText('Job label', undefined, LONG);
    await pickerOptions('loki');
    await userEvent.click(screen.getByRole('option', { name: /Loki archive/ }));
    await userEvent.clear(job);
    await userEvent.type(job, 'drift-prod');
    await userEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    // Wait on what the page shows, not on the request having been sent.
    expect(await screen.findByTestId('settings-status', undefined, LONG)).toHaveTextContent(
      'Settings saved. Every page of the app uses them now.',
    );
    expect(api.savedSettings).toEqual([
      {
        enabled: true,
        pinned: true,
        jsonData: { lokiDatasourceUid: 'loki-archive', prometheusDatasourceUid: 'prometheus', jobLabel: 'drift-prod' },
      },
    ]);
    unmount();

    // Grafana still hands the app the plugin meta it loaded before the save: the saved settings win.
    render(<AppHarness path="alert-rules" jsonData={{ jobLabel: 'tfdrift' }} />);
    const intro = await screen.findByText(/Grafana-managed alert rules on TFDrift/, undefined, LONG);
    expect(intro).toHaveTextContent('datasource loki-archive, job drift-prod');
  });

  it('shows a configured data source that no longer exists as not found', async () => {
    installFakeGrafana();
    render(<AppHarness path="configuration" jsonData={{ lokiDatasourceUid: 'gone' }} />);
    expect(await screen.findByText('gone - not found', undefined, LONG)).toBeInTheDocument();
  });
});
