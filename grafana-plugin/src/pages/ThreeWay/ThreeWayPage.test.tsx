import React from 'react';
import { render, screen, waitFor, within } from '@testing-library/react';
import { AppHarness } from '../../../test/harness/AppHarness';
import { installFakeGrafana } from '../../../test/harness/setupFake';
import { loadReplayRecords } from '../../../test/fixtures/records';
import { paramsFromState, stateFromParams } from './threeWayFilters';

const rowIds = () =>
  Array.from(screen.getByTestId('three-way-table').querySelectorAll('tbody tr')).map((tr) => tr.textContent);

describe('Three-way page', () => {
  it('counts every kind with a metric query and lists the open tab with status and detail links', async () => {
    const api = installFakeGrafana();
    render(<AppHarness path="three-way" />);
    await waitFor(() => expect(screen.getByTestId('count-unmanaged')).toHaveTextContent('3'));
    expect(screen.getByTestId('count-missing')).toHaveTextContent('1');
    // Detections in range: the instance-type drift counts although it was resolved later.
    expect(screen.getByTestId('count-modified')).toHaveTextContent('3');
    expect(screen.getByTestId('count-resolved')).toHaveTextContent('1');
    await waitFor(() => expect(rowIds()).toHaveLength(3));
    expect(within(screen.getByTestId('three-way-table')).getByText('mallory')).toBeInTheDocument();
    const count = api.requests.find((r) => r.path.endsWith('/loki/api/v1/query'))?.params.query;
    expect(count).toBe(
      'sum by (change_type, event_type) (count_over_time({job="tfdrift"} | json | __error__="" [24h]))',
    );
  });

  it('applies URL filters server-side as stream labels and json fields, and shows resolutions', async () => {
    const api = installFakeGrafana();
    render(
      <AppHarness path="three-way?account_id=210987654321&resource_type=aws_iam_role,aws_instance&tab=modified" />,
    );
    await waitFor(() => expect(screen.getByTestId('count-modified')).toHaveTextContent('1'));
    expect(screen.getByTestId('count-missing')).toHaveTextContent('1');
    expect(screen.getByTestId('count-unmanaged')).toHaveTextContent('0');
    await waitFor(() =>
      expect(
        within(screen.getByTestId('three-way-table')).getByText('resolved: state_caught_up'),
      ).toBeInTheDocument(),
    );
    const rows = api.requests.find((r) => r.path.endsWith('/loki/api/v1/query_range'))?.params.query;
    expect(rows).toBe(
      '{job="tfdrift", account_id="210987654321", change_type="modified"} | json | __error__="" | resource_type=~"aws_iam_role|aws_instance" | event_type="terraform_drift_detected"',
    );
  });

  it('round-trips its state through URL parameters', () => {
    const state = stateFromParams(
      new URLSearchParams('severity=critical,high&user=alice&region=&tab=missing&sort=user:asc&page=3'),
    );
    expect(state).toEqual({
      filters: { severity: ['critical', 'high'], user_name: ['alice'] },
      tab: 'missing',
      sort: { column: 'user', desc: false },
      page: 3,
    });
    expect(paramsFromState(state)).toEqual({
      account_id: null,
      region: null,
      provider: null,
      resource_type: null,
      severity: 'critical,high',
      user: 'alice',
      tab: 'missing',
      sort: 'user:asc',
      page: '3',
    });
    expect(stateFromParams(new URLSearchParams('tab=bogus&sort=nope&page=-2'))).toEqual({
      filters: {},
      tab: 'unmanaged',
      sort: { column: 'time', desc: true },
      page: 1,
    });
  });
});

describe('Three-way page on real exporter output', () => {
  it('sorts `tfdrift replay` records of the demo into the three kinds', async () => {
    installFakeGrafana(loadReplayRecords());
    render(<AppHarness path="three-way" />);
    await waitFor(() => expect(screen.getByTestId('count-modified')).toHaveTextContent('6'));
    expect(screen.getByTestId('count-unmanaged')).toHaveTextContent('3');
    expect(screen.getByTestId('count-missing')).toHaveTextContent('1');
    await waitFor(() =>
      expect(
        within(screen.getByTestId('three-way-table')).getByText(/malicious-iam-user/),
      ).toBeInTheDocument(),
    );
  });
});
