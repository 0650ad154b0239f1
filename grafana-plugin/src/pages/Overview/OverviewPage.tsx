import React, { useMemo } from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Badge, LinkButton, Stack, useStyles2, useTheme2 } from '@grafana/ui';
import { classifyError, firstProblem } from '../../api/problems';
import { NoDataState, PageError } from '../../components/common/PageState';
import { BarGaugeList } from '../../components/panels/BarGaugeList';
import { BarTimeSeries } from '../../components/panels/BarTimeSeries';
import { barSeriesFrames } from '../../components/panels/frames';
import { Panel } from '../../components/panels/Panel';
import { TimeControls } from '../../components/time/TimeControls';
import { ROUTES } from '../../constants';
import { useAsync } from '../../hooks/useAsync';
import { usePageTime } from '../../hooks/useTimeRange';
import type { ExploreTarget } from '../../queries/explore';
import { CHANGE_TYPES, SEVERITIES } from '../../types/drift';
import { CHANGE_TYPE_COLORS, SEVERITY_COLORS } from '../../utils/colors';
import { useAppSettings } from '../../utils/settings';
import { formatAge, urlTimeValue } from '../../utils/time';
import { prefixRoute } from '../../utils/utils.routing';
import { loadHealth, loadOverview, overviewQueries, sumOf, valueFor } from './overviewData';

/** A state older than this is flagged stale: drift against an old state is guesswork. */
const STALE_STATE_SECONDS = 3600;
const NO_FILTERS = {};

export function OverviewPage() {
  const settings = useAppSettings();
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  const time = usePageTime();
  const { window, range, timeZone } = time;
  const queries = useMemo(() => overviewQueries(settings, NO_FILTERS, window), [settings, window]);

  const logs = useAsync(() => loadOverview(settings, queries, window), [settings, queries, window]);
  const health = useAsync(() => loadHealth(settings, queries, window.to), [settings, queries, window]);
  const data = logs.error ? undefined : logs.value;
  const h = health.error ? undefined : health.value;
  const problem = firstProblem(
    logs.error ? classifyError(logs.cause, 'Loki', settings.lokiDatasourceUid) : undefined,
    health.error ? classifyError(health.cause, 'Prometheus', settings.prometheusDatasourceUid) : undefined,
  );
  const lokiDown = !!logs.error;

  const loki = (expr: string): ExploreTarget[] => [
    { datasource: { type: 'loki', uid: settings.lokiDatasourceUid }, expr },
  ];
  const prom = (expr: string): ExploreTarget[] => [
    { datasource: { type: 'prometheus', uid: settings.prometheusDatasourceUid }, expr },
  ];
  const threeWayLink = (changeType: string) =>
    `${prefixRoute(ROUTES.ThreeWay)}?tab=${changeType}&from=${encodeURIComponent(urlTimeValue(range.raw.from))}&to=${encodeURIComponent(urlTimeValue(range.raw.to))}`;
  const total = data ? sumOf(data.byChangeType) : undefined;

  return (
    <PluginPage
      actions={
        <Stack gap={1} alignItems="center">
          <TimeControls time={time} loading={logs.loading || health.loading} />
          <LinkButton size="md" variant="secondary" icon="apps" href="/d/tfdrift-overview">
            Dashboard
          </LinkButton>
        </Stack>
      }
    >
      {problem && <PageError problem={problem} onRetry={time.refreshNow} />}
      {data && total === 0 && !problem && (
        <NoDataState everWritten={data.everWritten} job={settings.jobLabel} />
      )}
      {!lokiDown && (
        <>
          <div className={styles.stats} data-testid="overview-stats">
            <Panel
              title="Drifts detected"
              testId="panel-total"
              range={range}
              loading={logs.loading && !data}
              explore={loki(queries.byChangeType)}
              description="Detections in the time range (Loki, exact count)"
            >
              <Stat value={total} testId="stat-total" />
            </Panel>
            {CHANGE_TYPES.map((c) => (
              <Panel
                key={c}
                title={`Open ${c}`}
                testId={`panel-open-${c}`}
                range={range}
                loading={health.loading && !h}
                explore={prom(queries.open)}
                description="Open now (tfdrift_drifts_open); opens the three-way view"
              >
                <a href={threeWayLink(c)} className={styles.statLink}>
                  <Stat
                    value={h ? valueFor(h.open, 'change_type', c) : undefined}
                    testId={`stat-open-${c}`}
                  />
                </a>
              </Panel>
            ))}
          </div>

          <div className={styles.wide}>
            <Panel
              title="Drifts over time by severity"
              testId="panel-over-time"
              range={range}
              height={300}
              loading={logs.loading && !data}
              explore={loki(queries.overTime)}
            >
              {(width, height) =>
                data && (
                  <div
                    data-testid="over-time-chart"
                    data-total={String(
                      data.overTime.reduce((a, s) => a + s.points.reduce((b, p) => b + p[1], 0), 0),
                    )}
                  >
                    <BarTimeSeries
                      frames={barSeriesFrames({
                        series: data.overTime,
                        labelKey: 'severity',
                        colors: SEVERITY_COLORS,
                        order: SEVERITIES,
                        theme,
                        timeZone,
                      })}
                      timeRange={range}
                      timeZone={timeZone}
                      width={width}
                      height={height}
                      emptyText="No drifts detected in this time range"
                    />
                  </div>
                )
              }
            </Panel>
          </div>

          <div className={styles.grid}>
            <Breakdown
              title="By change type"
              testId="by-change-type"
              loading={logs.loading && !data}
              range={range}
              explore={loki(queries.byChangeType)}
              items={(data?.byChangeType ?? []).map((s) => ({
                label: s.labels.change_type ?? '',
                value: s.value,
                color: CHANGE_TYPE_COLORS[s.labels.change_type ?? ''],
                href: threeWayLink(s.labels.change_type ?? ''),
              }))}
            />
            <Breakdown
              title="By account and region"
              testId="by-account-region"
              loading={logs.loading && !data}
              range={range}
              explore={loki(queries.byAccountRegion)}
              items={(data?.byAccountRegion ?? []).map((s) => ({
                label: `${s.labels.account_id ?? ''} / ${s.labels.region ?? ''}`,
                value: s.value,
              }))}
            />
            <Breakdown
              title="Top resource types"
              testId="top-resource-types"
              loading={logs.loading && !data}
              range={range}
              explore={loki(queries.topResourceTypes)}
              items={(data?.topResourceTypes ?? []).map((s) => ({
                label: s.labels.resource_type ?? '',
                value: s.value,
              }))}
            />
            <Breakdown
              title="Top users"
              testId="top-users"
              loading={logs.loading && !data}
              range={range}
              explore={loki(queries.topUsers)}
              items={(data?.topUsers ?? []).map((s) => ({
                label: s.labels.user_name || '(unknown)',
                value: s.value,
              }))}
            />
            <Panel
              title="Exporter health"
              testId="panel-health"
              range={range}
              loading={health.loading && !h}
              explore={prom(queries.inputs)}
            >
              {h && (
                <div className={styles.health}>
                  <div>
                    <h4 className={styles.sub}>Inputs</h4>
                    {h.inputs.length === 0 && (
                      <p>No exporter metrics: is Prometheus scraping the exporter?</p>
                    )}
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
            </Panel>
          </div>
        </>
      )}
    </PluginPage>
  );
}

function Breakdown(props: {
  title: string;
  testId: string;
  loading: boolean;
  range: React.ComponentProps<typeof Panel>['range'];
  explore: ExploreTarget[];
  items: Array<{ label: string; value: number; color?: string; href?: string }>;
}) {
  const items = [...props.items].sort((a, b) => b.value - a.value);
  return (
    <Panel
      title={props.title}
      testId={`panel-${props.testId}`}
      range={props.range}
      loading={props.loading}
      explore={props.explore}
    >
      {(width: number) =>
        items.length === 0 ? (
          <p data-testid={props.testId}>None in this range</p>
        ) : (
          <BarGaugeList items={items} width={width - 16} testId={props.testId} />
        )
      }
    </Panel>
  );
}

function Stat({ value, testId }: { value?: number; testId: string }) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.statValue} data-testid={testId}>
      {value === undefined ? '—' : value.toLocaleString('en-US')}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  stats: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(4, minmax(0, 1fr))',
    gap: theme.spacing(1),
    marginBottom: theme.spacing(1),
  }),
  statLink: css({ display: 'block', '&:hover': { textDecoration: 'none' } }),
  statValue: css({
    fontSize: theme.typography.h1.fontSize,
    fontWeight: theme.typography.fontWeightMedium,
    color: theme.colors.text.maxContrast,
  }),
  wide: css({ marginBottom: theme.spacing(1) }),
  grid: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(400px, 1fr))',
    gap: theme.spacing(1),
  }),
  health: css({ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: theme.spacing(2) }),
  sub: css({ fontSize: theme.typography.body.fontSize, color: theme.colors.text.secondary }),
});
