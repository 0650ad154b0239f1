import React from 'react';
import { render, screen, waitFor, within } from '@testing-library/react';
import { AppHarness } from '../../../test/harness/AppHarness';
import { installFakeGrafana } from '../../../test/harness/setupFake';
import { loadReplayRecords } from '../../../test/fixtures/records';
import { paramsFromState, stateFromParams } from './threeWayFilters';

const rowsOf = (changeType: string) =>
  Array.from(screen.getByTestId(`column-${changeType}`).querySelectorAll('tbody tr')).map((tr) =>
    tr.getAttribute('data-drift-id'),
  );

describe('Three-way page', () => {
  it('lists open unmanaged, missing and modified drifts side by side with counts and detail links', async () => {
    installFakeGrafana();
    render(<AppHarness path="three-way" />);
    await waitFor(() => expect(screen.getByTestId('count-unmanaged')).toHaveTextContent('3'));
    expect(screen.getByTestId('count-missing')).toHaveTextContent('1');
    // The instance-type drift was resolved later, so only two modified drifts are open.
    expect(screen.getByTestId('count-modified')).toHaveTextContent('2');
    expect(rowsOf('modified').sort()).toEqual(['9f3c1a7e5b2d4c60', 'e5d4c3b2a1908f7e']);
    const link = within(screen.getByTestId('column-missing')).getByRole('link', { name: /aws_iam_role/ });
    expect(link).toHaveAttribute('href', '/a/tfdrift-drift-app/drift/c4e8a2f06d1b9357');
    expect(within(screen.getByTestId('column-unmanaged')).getByText('mallory')).toBeInTheDocument();
  });

  it('applies URL filters server-side as stream labels and json fields', async () => {
    const api = installFakeGrafana();
    render(
      <AppHarness path="three-way?account_id=123456789012&resource_type=aws_s3_bucket,aws_security_group&resolved=1" />,
    );
    await waitFor(() => expect(screen.getByTestId('count-unmanaged')).toHaveTextContent('1'));
    expect(screen.getByTestId('count-modified')).toHaveTextContent('1');
    expect(screen.getByTestId('count-missing')).toHaveTextContent('0');
    const query = api.requests.find((r) => r.path.endsWith('/loki/api/v1/query_range'))?.params.query;
    expect(query).toBe(
      '{job="tfdrift", account_id="123456789012"} | json | __error__="" | resource_type=~"aws_s3_bucket|aws_security_group"',
    );
  });

  it('shows resolved drifts when asked', async () => {
    installFakeGrafana();
    render(<AppHarness path="three-way?resolved=1" />);
    await waitFor(() => expect(screen.getByTestId('count-modified')).toHaveTextContent('3'));
    expect(within(screen.getByTestId('column-modified')).getByText('resolved')).toBeInTheDocument();
  });

  it('round-trips its state through URL parameters', () => {
    const state = stateFromParams(new URLSearchParams('severity=critical,high&range=7d&region=&resolved=1'));
    expect(state).toEqual({ filters: { severity: ['critical', 'high'] }, range: '7d', showResolved: true });
    expect(paramsFromState(state)).toEqual({ range: '7d', severity: 'critical,high', resolved: '1' });
    expect(stateFromParams(new URLSearchParams('range=bogus')).range).toBe('24h');
  });
});

describe('Three-way page on real exporter output', () => {
  it('sorts `tfdrift replay` records of the demo into the three columns', async () => {
    installFakeGrafana(loadReplayRecords());
    render(<AppHarness path="three-way" />);
    await waitFor(() => expect(screen.getByTestId('count-modified')).toHaveTextContent('6'));
    expect(screen.getByTestId('count-unmanaged')).toHaveTextContent('3');
    expect(screen.getByTestId('count-missing')).toHaveTextContent('1');
    expect(
      within(screen.getByTestId('column-unmanaged')).getByText(/malicious-iam-user/),
    ).toBeInTheDocument();
  });
});
