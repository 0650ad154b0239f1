import React from 'react';
import { render, screen, waitFor } from '@testing-library/react';
import pluginJson from '../../plugin.json';
import { ROUTES } from '../../constants';
import { AppHarness } from '../../../test/harness/AppHarness';
import { installFakeGrafana } from '../../../test/harness/setupFake';

describe('App routing', () => {
  it('declares one plugin.json page per route', () => {
    const pages = pluginJson.includes.filter((i) => i.type === 'page').map((i) => i.path);
    expect(pages).toEqual(Object.values(ROUTES).map((r) => `/a/%PLUGIN_ID%/${r}`));
  });

  it('routes alert-rules to the Alert rules page', async () => {
    installFakeGrafana();
    render(<AppHarness path={ROUTES.AlertRules} />);
    await waitFor(() => expect(screen.getAllByText(/Alert rules/i).length).toBeGreaterThan(0));
  });

  it('falls back to the Overview for unknown paths', async () => {
    installFakeGrafana();
    render(<AppHarness path="nowhere" />);
    await waitFor(() => expect(screen.getByTestId('overview-stats')).toBeInTheDocument());
  });
});
