import React, { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Badge, Button, LinkButton, Stack, useStyles2 } from '@grafana/ui';
import { BarList } from '../../components/charts/BarList';
import { StackedBars } from '../../components/charts/StackedBars';
import { RangePicker } from '../../components/common/RangePicker';
import { Section } from '../../components/common/Section';
import { SEVERITY_COLORS } from '../../components/common/SeverityBadge';
import { ROUTES } from '../../constants';
import { useAsync } from '../../hooks/useAsync';
import { CHANGE_TYPES, SEVERITIES } from '../../types/drift';
import { useAppSettings } from '../../utils/settings';
import { DEFAULT_RANGE, formatAge, isRangeKey, RangeKey, windowFor } from '../../utils/time';
import { prefixRoute } from '../../utils/utils.routing';
import { loadHealth, loadOverview, sumOf, valueFor } from './overviewData';

/** A state older than this is flagged stale: drift against an old state is guesswork. */
const STALE_STATE_SECONDS = 3600;

const CHANGE_COLORS: Record<string, string> = {
  unmanaged: '#ff9830',
  missing: '#e02f44',
  modified: '#5794f2',
};

export function OverviewPage() {
  const settings = useAppSettings();
  const styles = useStyles2(getStyles);
  const [params, setParams] = useSearchParams();
  const range: RangeKey = isRangeKey(params.get('range')) ? (params.get('range') as RangeKey) : DEFAULT_RANGE;
  const [now, setNow] = useState(() => Date.now());
  const window = useMemo(() => windowFor(range, now), [range, now]);
  const filters = useMemo(() => ({}), []);

  const logs = useAsync(() => loadOverview(settings, filters, window), [settings, filters, window]);
  const health = useAsync(() => loadHealth(settings, filters, now), [settings, filters, now]);
  const data = logs.value;
  const h = health.value;

  const setRange = (r: RangeKey) => setParams((p) => ({ ...Object.fromEntries(p), range: r }));

  return (
    <PluginPage
      actions={
        <Stack gap={1} alignItems="center">
          <RangePicker value={range} onChange={setRange} />
          <Button size="sm" variant="secondary" icon="sync" onClick={() => setNow(Date.now())}>
            Refresh
          </Button>
          <LinkButton size="sm" variant="secondary" icon="apps" href="/d/tfdrift-overview">
            Dashboard
          </LinkButton>
        </Stack>
      }
    >
      <div className={styles.stats} data-testid="overview-stats">
        <Stat
          label={`Drifts detected (${range})`}
          value={data ? sumOf(data.byChangeType) : undefined}
          testId="stat-total"
        />
        {CHANGE_TYPES.map((c) => (
          <Stat
            key={c}
            label={`Open ${c}`}
            value={h ? valueFor(h.open, 'change_type', c) : undefined}
            testId={`stat-open-${c}`}
            href={`${prefixRoute(ROUTES.ThreeWay)}?range=${range}`}
          />
        ))}
      </div>

      <div className={styles.grid}>
        <Section
          title="Drifts over time by severity"
          testId="panel-over-time"
          loading={logs.loading && !data}
          error={logs.error}
        >
          {data && (
            <StackedBars
              series={data.overTime}
              seriesLabel="severity"
              colors={SEVERITY_COLORS}
              order={SEVERITIES}
              from={window.from}
              to={window.to}
              stepMs={data.stepMs}
              testId="over-time-chart"
            />
          )}
        </Section>
        <Section
          title="By change type"
          testId="panel-change-type"
          loading={logs.loading && !data}
          error={logs.error}
        >
          {data && (
            <BarList
              testId="by-change-type"
              items={data.byChangeType
                .map((s) => ({
                  label: s.labels.change_type ?? '',
                  value: s.value,
                  color: CHANGE_COLORS[s.labels.change_type ?? ''],
                }))
                .sort((a, b) => b.value - a.value)}
            />
          )}
        </Section>
        <Section
          title="By account and region"
          testId="panel-account-region"
          loading={logs.loading && !data}
          error={logs.error}
        >
          {data && (
            <BarList
              testId="by-account-region"
              items={data.byAccountRegion
                .map((s) => ({
                  label: `${s.labels.account_id ?? ''} / ${s.labels.region ?? ''}`,
                  value: s.value,
                }))
                .sort((a, b) => b.value - a.value)}
            />
          )}
        </Section>
        <Section
          title="Top resource types"
          testId="panel-resource-types"
          loading={logs.loading && !data}
          error={logs.error}
        >
          {data && (
            <BarList
              testId="top-resource-types"
              items={data.topResourceTypes
                .map((s) => ({ label: s.labels.resource_type ?? '', value: s.value }))
                .sort((a, b) => b.value - a.value)}
            />
          )}
        </Section>
        <Section title="Top users" testId="panel-users" loading={logs.loading && !data} error={logs.error}>
          {data && (
            <BarList
              testId="top-users"
              items={data.topUsers
                .map((s) => ({ label: s.labels.user_name ?? '', value: s.value }))
                .sort((a, b) => b.value - a.value)}
            />
          )}
        </Section>
        <Section
          title="Exporter health"
          testId="panel-health"
          loading={health.loading && !h}
          error={health.error}
        >
          {h && (
            <div className={styles.health}>
              <div>
                <h4 className={styles.sub}>Inputs</h4>
                {h.inputs.length === 0 && <p>No exporter metrics: is Prometheus scraping the exporter?</p>}
                {h.inputs.map((s) => (
                  <div key={s.labels.input} data-testid={`input-${s.labels.input}`}>
                    {s.labels.input}:{' '}
                    <Badge
                      text={s.value >= 1 ? 'connected' : 'disconnected'}
                      color={s.value >= 1 ? 'green' : 'red'}
                    />
                  </div>
                ))}
              </div>
              <div>
                <h4 className={styles.sub}>Terraform states (last successful load)</h4>
                {h.stateAges.map((s) => {
                  const stale = s.value > STALE_STATE_SECONDS;
                  return (
                    <div key={s.labels.state} data-testid={`state-${s.labels.state}`}>
                      {s.labels.state}: {formatAge(s.value)} ago{' '}
                      <Badge text={stale ? 'stale' : 'fresh'} color={stale ? 'orange' : 'green'} />
                    </div>
                  );
                })}
              </div>
            </div>
          )}
        </Section>
      </div>
    </PluginPage>
  );
}

function Stat({
  label,
  value,
  testId,
  href,
}: {
  label: string;
  value?: number;
  testId: string;
  href?: string;
}) {
  const styles = useStyles2(getStyles);
  const body = (
    <>
      <div className={styles.statValue} data-testid={testId}>
        {value === undefined ? '…' : value}
      </div>
      <div className={styles.statLabel}>{label}</div>
    </>
  );
  return href ? (
    <a className={styles.stat} href={href}>
      {body}
    </a>
  ) : (
    <div className={styles.stat}>{body}</div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  stats: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(4, minmax(0, 1fr))',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(2),
  }),
  stat: css({
    display: 'block',
    background: theme.colors.background.primary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(2),
  }),
  statValue: css({ fontSize: theme.typography.h1.fontSize, fontWeight: theme.typography.fontWeightMedium }),
  statLabel: css({ color: theme.colors.text.secondary }),
  grid: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(420px, 1fr))',
    gap: theme.spacing(2),
  }),
  health: css({ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: theme.spacing(2) }),
  sub: css({ fontSize: theme.typography.body.fontSize, color: theme.colors.text.secondary }),
});
