import React from 'react';
import { render, screen, waitFor } from '@testing-library/react';
import { AppHarness } from '../../../test/harness/AppHarness';
import { installFakeGrafana } from '../../../test/harness/setupFake';

describe('Overview page', () => {
  it('shows counts, breakdowns, open drifts and exporter health from Loki and Prometheus answers', async () => {
    const api = installFakeGrafana();
    render(<AppHarness path="overview" />);

    // 7 detections in the fixtures (the 8th record is a resolution, not counted).
    await waitFor(() => expect(screen.getByTestId('stat-total')).toHaveTextContent('7'));
    const bar = (list: string, label: string) =>
      screen.getByTestId(list).querySelector(`li[data-label="${label}"]`)?.getAttribute('data-value');
    expect(bar('by-change-type', 'modified')).toBe('3');
    expect(bar('by-change-type', 'unmanaged')).toBe('3');
    expect(bar('by-change-type', 'missing')).toBe('1');

    // Open drifts come from tfdrift_drifts_open: the resolved instance drift is not open.
    await waitFor(() => expect(screen.getByTestId('stat-open-modified')).toHaveTextContent('2'));
    expect(screen.getByTestId('stat-open-unmanaged')).toHaveTextContent('3');
    expect(screen.getByTestId('stat-open-missing')).toHaveTextContent('1');

    expect(bar('top-users', 'alice')).toBe('2');
    expect(bar('top-resource-types', 'aws_security_group')).toBe('1');
    expect(bar('by-account-region', '123456789012 / us-east-1')).toBe('3');

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
    // The range is Grafana's default (last 24 hours) unless the URL says otherwise.
    const sent = api.requests.find((r) => r.path.endsWith('/loki/api/v1/query'))!;
    expect(sent.params.query).toContain('[24h]');
  });

  it('uses the datasources and job label from jsonData', async () => {
    const api = installFakeGrafana();
    render(
      <AppHarness path="overview" jsonData={{ lokiDatasourceUid: 'missing-loki', jobLabel: 'drift' }} />,
    );
    // One page-level error naming the cause and the fix, not one per panel.
    await waitFor(() => expect(screen.getByTestId('page-error')).toBeInTheDocument());
    expect(screen.getAllByTestId('page-error')).toHaveLength(1);
    expect(screen.getByTestId('page-error')).toHaveTextContent(
      'Loki data source "missing-loki" is not configured',
    );
    expect(screen.getByTestId('page-error')).toHaveTextContent('Configuration page');
    expect(screen.queryByTestId('stat-total')).not.toBeInTheDocument();
    const sent = api.requests.find((r) => r.path.startsWith('/api/datasources/proxy/uid/missing-loki/'));
    expect(sent?.params.query).toContain('{job="drift"}');
  });
});
