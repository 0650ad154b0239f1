import React from 'react';
import { render, screen, waitFor, within } from '@testing-library/react';
import { AppHarness } from '../../../test/harness/AppHarness';
import { installFakeGrafana } from '../../../test/harness/setupFake';
import { loadFixtureRecords, loadReplayRecords } from '../../../test/fixtures/records';

describe('Drift detail page', () => {
  it('shows who, when, where, how, the diff, the fix and the audit event of a drift', async () => {
    const api = installFakeGrafana();
    render(<AppHarness path="drift/9f3c1a7e5b2d4c60" />);
    await waitFor(() => expect(screen.getByTestId('drift-detail')).toBeInTheDocument());
    expect(screen.getByTestId('drift-title')).toHaveTextContent('aws_security_group sg-0123456789abcdef0');
    expect(
      within(screen.getByTestId('drift-who')).getByText('arn:aws:sts::123456789012:assumed-role/Admin/alice'),
    ).toBeInTheDocument();
    expect(
      within(screen.getByTestId('drift-where')).getByText('module.net.aws_security_group.web'),
    ).toBeInTheDocument();
    expect(
      within(screen.getByTestId('drift-how')).getByText('AuthorizeSecurityGroupIngress'),
    ).toBeInTheDocument();
    expect(within(screen.getByTestId('drift-how')).getByText('203.0.113.42')).toBeInTheDocument();
    expect(within(screen.getByTestId('drift-when')).getByText('22.1s')).toBeInTheDocument();

    const diff = screen.getByTestId('diff-ingress');
    const added = Array.from(diff.querySelectorAll('[data-diff="added"]')).map((l) => l.textContent);
    expect(added.join('\n')).toContain('"0.0.0.0/0"');
    expect(added.join('\n')).toContain('"from_port": 22');
    expect(diff.querySelectorAll('[data-diff="removed"]')).toHaveLength(0);

    expect(screen.getByTestId('suggested-fix')).toHaveTextContent(
      "terraform apply -target='module.net.aws_security_group.web'",
    );
    expect(screen.getByRole('button', { name: /copy/i })).toBeInTheDocument();
    expect(
      within(screen.getByTestId('drift-event')).getByText('5d1f2c3b-7a8e-4f90-b1c2-d3e4f5a6b7c8'),
    ).toBeInTheDocument();
    expect(screen.getByTestId('drift-status')).toHaveTextContent('open');

    const query = api.requests.find((r) => r.path.endsWith('/loki/api/v1/query_range'))?.params.query;
    expect(query).toBe(
      '{job="tfdrift"} |= "9f3c1a7e5b2d4c60" | json | __error__="" | drift_id="9f3c1a7e5b2d4c60"',
    );
  });

  it('shows the history including the resolution, and the change as a scalar diff', async () => {
    installFakeGrafana();
    render(<AppHarness path="drift/71a0f3d9b5c2e864" />);
    await waitFor(() =>
      expect(screen.getByTestId('drift-status')).toHaveTextContent('resolved: state_caught_up'),
    );
    const rows = Array.from(screen.getByTestId('drift-history').querySelectorAll('tbody tr')).map((r) =>
      r.getAttribute('data-event-type'),
    );
    expect(rows).toEqual(['terraform_drift_resolved', 'terraform_drift_detected']);
    const diff = screen.getByTestId('diff-instance_type');
    expect(diff.querySelector('[data-diff="removed"]')).toHaveTextContent('"t3.micro"');
    expect(diff.querySelector('[data-diff="added"]')).toHaveTextContent('"t3.large"');
  });

  it('explains unmanaged resources and unknown drift ids', async () => {
    installFakeGrafana();
    const { unmount } = render(<AppHarness path="drift/2b7d9e41c0a85f13" />);
    await waitFor(() =>
      expect(screen.getByText('No Terraform state manages this resource.')).toBeInTheDocument(),
    );
    unmount();
    render(<AppHarness path="drift/doesnotexist" />);
    await waitFor(() => expect(screen.getByText('No records for this drift')).toBeInTheDocument());
    // The peer's Loki keeps 90 days (retention_period 2160h in its /config): the page says how far it looked.
    expect(screen.getByTestId('drift-not-found')).toHaveTextContent(
      "searched back 90 days, Loki's retention (90 days)",
    );
  });

  it('finds a drift 30 days old by searching back in widening windows, with links around it', async () => {
    const records = loadFixtureRecords();
    const old = Date.now() - 30 * 86_400_000;
    const aged = records.map((r) =>
      r.drift_id === '9f3c1a7e5b2d4c60' ? { ...r, detected_at: new Date(old).toISOString() } : r,
    );
    const api = installFakeGrafana(aged);
    render(<AppHarness path="drift/9f3c1a7e5b2d4c60?back=account_id%3D123456789012%26tab%3Dmodified" />);
    await waitFor(() => expect(screen.getByTestId('drift-detail')).toBeInTheDocument());
    expect(screen.getByTestId('drift-title')).toHaveTextContent('sg-0123456789abcdef0');
    expect(screen.getByTestId('search-extent')).toHaveTextContent(
      /Found 30d ago; searched back 3\d days in 4 windows/,
    );
    const windows = api.requests.filter((r) => r.params.query?.includes('|= "9f3c1a7e5b2d4c60"'));
    expect(windows).toHaveLength(4);
    expect(screen.getByTestId('back-to-three-way')).toHaveAttribute(
      'href',
      '/a/tfdrift-drift-app/three-way?account_id=123456789012&tab=modified',
    );
    const explore = new URL(screen.getByTestId('explore-drift').getAttribute('href')!, 'http://grafana');
    expect(explore.pathname).toBe('/explore');
    const pane = JSON.parse(explore.searchParams.get('panes')!).a;
    expect(pane.queries[0].expr).toBe(windows[0].params.query);
    expect(Number(pane.range.from)).toBeLessThanOrEqual(old);
  });

  it('lists the latest drifts when no drift_id is given', async () => {
    installFakeGrafana();
    render(<AppHarness path="drift" />);
    await waitFor(() =>
      expect(within(screen.getByTestId('recent-drifts')).getAllByRole('link')).toHaveLength(7),
    );
  });
});

describe('Drift detail on real exporter output', () => {
  it('shows the port-22 ingress drift that `tfdrift replay` found in the demo', async () => {
    installFakeGrafana(loadReplayRecords());
    render(<AppHarness path="drift/c937adc3d84da0db2f667beb47e32415" />);
    await waitFor(() => expect(screen.getByTestId('drift-detail')).toBeInTheDocument());
    expect(screen.getByTestId('drift-title')).toHaveTextContent('aws_security_group sg-003dc7f1f1c686164');
    const added = Array.from(screen.getByTestId('diff-ingress').querySelectorAll('[data-diff="added"]')).map(
      (l) => l.textContent,
    );
    expect(added.join('\n')).toContain('"tcp 22 from 208.236.235.254/0"');
    expect(within(screen.getByTestId('drift-who')).getByText('christophe')).toBeInTheDocument();
    expect(screen.getByTestId('suggested-fix')).toHaveTextContent(
      "terraform apply -target='module.network.aws_security_group.web'",
    );
  });
});
