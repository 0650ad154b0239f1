import React from 'react';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AppHarness } from '../../../test/harness/AppHarness';
import { installFakeGrafana } from '../../../test/harness/setupFake';
import { datasourceOptions } from '../../components/AppConfig/SettingsForm';

describe('Configuration page', () => {
  it('saves the job label and datasources into the plugin jsonData', async () => {
    const api = installFakeGrafana();
    render(<AppHarness path="configuration" jsonData={{ jobLabel: 'tfdrift' }} />);
    const job = await screen.findByLabelText('Job label');
    await waitFor(() => expect(api.requests.some((r) => r.path === '/api/datasources')).toBe(true));
    expect(screen.getByText('Loki (loki)')).toBeInTheDocument();
    expect(screen.getByText('Prometheus (prometheus)')).toBeInTheDocument();
    await userEvent.clear(job);
    await userEvent.type(job, 'drift-prod');
    await userEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(screen.getByTestId('settings-status')).toHaveTextContent('Settings saved.'));
    expect(api.savedSettings).toEqual([
      {
        enabled: true,
        pinned: true,
        jsonData: {
          lokiDatasourceUid: 'loki',
          prometheusDatasourceUid: 'prometheus',
          jobLabel: 'drift-prod',
        },
      },
    ]);
  });

  it('offers datasources of the right type and keeps an unknown configured uid visible', () => {
    const list = [
      { uid: 'l1', name: 'Loki A', type: 'loki' },
      { uid: 'p1', name: 'Prom', type: 'prometheus' },
    ];
    expect(datasourceOptions(list, 'loki', 'l1')).toEqual([{ label: 'Loki A (l1)', value: 'l1' }]);
    expect(datasourceOptions(list, 'prometheus', 'gone')).toEqual([
      { label: 'Prom (p1)', value: 'p1' },
      { label: 'gone (not found)', value: 'gone' },
    ]);
  });
});
