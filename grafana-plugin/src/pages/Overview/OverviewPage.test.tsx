import React from 'react';
import { render, screen, waitFor, within } from '@testing-library/react';
import { AppHarness } from '../../../test/harness/AppHarness';
import { installFakeGrafana } from '../../../test/harness/setupFake';

describe('Overview page', () => {
  it('shows counts, breakdowns, open drifts and exporter health from Loki and Prometheus answers', async () => {
    const api = installFakeGrafana();
    render(<AppHarness path="overview" />);

    // 7 detections in the fixtures (the 8th record is a resolution, not counted).
    await waitFor(() => expect(screen.getByTestId('stat-total')).toHaveTextContent('7'));
    const byChange = within(screen.getByTestId('by-change-type'));
    expect(byChange.getByText('modified').closest('li')).toHaveAttribute('data-value', '3');
    expect(byChange.getByText('unmanaged').closest('li')).toHaveAttribute('data-value', '3');
    expect(byChange.getByText('missing').closest('li')).toHaveAttribute('data-value', '1');

    // Open drifts come from tfdrift_drifts_open: the resolved instance drift is not open.
    await waitFor(() => expect(screen.getByTestId('stat-open-modified')).toHaveTextContent('2'));
    expect(screen.getByTestId('stat-open-unmanaged')).toHaveTextContent('3');
    expect(screen.getByTestId('stat-open-missing')).toHaveTextContent('1');

    const users = within(screen.getByTestId('top-users'));
    expect(users.getByText('alice').closest('li')).toHaveAttribute('data-value', '2');
    expect(
      within(screen.getByTestId('top-resource-types')).getByText('aws_security_group'),
    ).toBeInTheDocument();
    expect(
      within(screen.getByTestId('by-account-region')).getByText('123456789012 / us-east-1').closest('li'),
    ).toHaveAttribute('data-value', '3');
    expect(screen.getByTestId('over-time-chart')).toHaveAttribute('data-total', '7');

    expect(screen.getByTestId('input-falco_http')).toHaveTextContent('connected');
    expect(screen.getByTestId('input-falco_grpc')).toHaveTextContent('disconnected');
    expect(screen.getByTestId('state-staging')).toHaveTextContent('stale');
    expect(screen.getByTestId('state-prod')).toHaveTextContent('fresh');

    // Every Loki query went through the datasource proxy of the default uid, label filters first.
    const lokiQueries = api.requests
      .filter((r) => r.path.startsWith('/api/datasources/proxy/uid/loki/'))
      .map((r) => r.params.query);
    expect(lokiQueries.length).toBeGreaterThanOrEqual(5);
    lokiQueries.forEach((q) => expect(q).toMatch(/\{job="tfdrift"\} \| json \| __error__=""/));
  });

  it('uses the datasources and job label from jsonData', async () => {
    const api = installFakeGrafana();
    render(
      <AppHarness path="overview" jsonData={{ lokiDatasourceUid: 'missing-loki', jobLabel: 'drift' }} />,
    );
    await waitFor(() => expect(screen.getAllByText(/query failed/).length).toBeGreaterThan(0));
    expect(screen.getAllByText(/Data source not found/).length).toBeGreaterThan(0);
    const sent = api.requests.find((r) => r.path.startsWith('/api/datasources/proxy/uid/missing-loki/'));
    expect(sent?.params.query).toContain('{job="drift"}');
  });
});
