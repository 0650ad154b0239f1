import React, { useState } from 'react';
import { Link, useLocation, useParams } from 'react-router-dom';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { config, PluginPage } from '@grafana/runtime';
import { Alert, Badge, ClipboardButton, LinkButton, Stack, useStyles2 } from '@grafana/ui';
import { lokiLogs, TimeWindow } from '../../api/client';
import { classifyError } from '../../api/problems';
import { PageError } from '../../components/common/PageState';
import { Section } from '../../components/common/Section';
import { SeverityBadge } from '../../components/common/SeverityBadge';
import { ValueDiff } from '../../components/common/ValueDiff';
import { Panel, Skeleton } from '../../components/panels/Panel';
import { TimeControls } from '../../components/time/TimeControls';
import { ROUTES } from '../../constants';
import { useAsync } from '../../hooks/useAsync';
import { usePageTime } from '../../hooks/useTimeRange';
import { exploreUrl } from '../../queries/explore';
import { driftHistoryQuery, resourceDriftsQuery } from '../../queries/logql';
import type { DriftRecord } from '../../types/drift';
import { groupDrifts } from '../../utils/drifts';
import { useAppSettings } from '../../utils/settings';
import { formatAge, formatTime } from '../../utils/time';
import { driftDetailUrl, prefixRoute } from '../../utils/utils.routing';
import { DriftPicker } from './DriftPicker';
import { searchDrift } from './search';

const DETAIL_TIME = { from: 'now-7d', to: 'now' };

export function DriftDetailPage() {
  const { driftId } = useParams<{ driftId?: string }>();
  const time = usePageTime(DETAIL_TIME);
  return (
    <PluginPage actions={<TimeControls time={time} />}>
      {driftId ? <DriftDetail driftId={driftId} time={time} /> : <DriftPicker time={time} />}
    </PluginPage>
  );
}

type PageTimeT = ReturnType<typeof usePageTime>;

const days = (ms: number) => Math.round(ms / 86_400_000);

function DriftDetail({ driftId, time }: { driftId: string; time: PageTimeT }) {
  const settings = useAppSettings();
  const styles = useStyles2(getStyles);
  const location = useLocation();
  const uid = settings.lokiDatasourceUid;
  const [progress, setProgress] = useState<TimeWindow[]>([]);
  const search = useAsync(
    // The search's end is the "now" its ages are measured from (render stays pure).
    async () => ({
      ...(await searchDrift(uid, settings.jobLabel, driftId, time.window, setProgress)),
      finishedAt: Date.now(),
    }),
    [uid, settings.jobLabel, driftId, time.window],
  );
  const result = search.value;
  const entries = result?.entries ?? [];
  const latest = entries[0]?.record ?? null;
  const detection =
    entries.find((e) => e.record?.event_type === 'terraform_drift_detected')?.record ?? latest;
  const searchedFrom = result?.searched.at(-1)?.from ?? progress.at(-1)?.from;
  const foundWindow: TimeWindow | undefined =
    entries.length > 0
      ? {
          from: entries[entries.length - 1].time - 60_000,
          to: Math.max(entries[0].time + 60_000, time.window.to),
        }
      : undefined;

  const back = new URLSearchParams(location.search).get('back');
  const threeWayHref = `${prefixRoute(ROUTES.ThreeWay)}?${
    back ??
    new URLSearchParams({
      ...(detection?.account_id ? { account_id: detection.account_id } : {}),
      ...(detection ? { tab: detection.change_type } : {}),
    }).toString()
  }`;

  const otherQuery = detection ? resourceDriftsQuery(settings.jobLabel, detection) : undefined;
  const others = useAsync(async () => {
    if (!otherQuery || !foundWindow) {
      return [];
    }
    const window = {
      from: Math.min(foundWindow.from, time.window.from),
      to: Math.max(foundWindow.to, Date.now()),
    };
    return groupDrifts(await lokiLogs(uid, otherQuery, window, 1000)).filter((r) => r.driftId !== driftId);
  }, [uid, otherQuery, foundWindow?.from]);

  if (search.error) {
    return <PageError problem={classifyError(search.cause, 'Loki', uid)} onRetry={time.refreshNow} />;
  }
  if (search.loading && !result) {
    return (
      <div data-testid="drift-searching">
        <p className={styles.muted}>
          Searching for drift <code>{driftId}</code>
          {searchedFrom !== undefined && ` — looked back to ${formatTime(searchedFrom, time.timeZone)}`}…
        </p>
        <Skeleton lines={6} />
      </div>
    );
  }
  if (!detection || !latest || !result) {
    return (
      <Alert severity="info" title="No records for this drift" data-testid="drift-not-found">
        No drift record with drift_id <code>{driftId}</code> from{' '}
        {formatTime(searchedFrom ?? time.window.from, time.timeZone)} to{' '}
        {formatTime(time.window.to, time.timeZone)}: searched back{' '}
        {days(time.window.to - (searchedFrom ?? time.window.from))} days,{' '}
        {result?.limitReason === 'retention'
          ? `Loki's retention (${days(result.limitMs)} days).`
          : `as far as this page looks when Loki's retention is not limited or not readable (${days(result?.limitMs ?? 0)} days).`}{' '}
        Check the drift_id, or whether the exporter writes to this Loki with{' '}
        <code>job=&quot;{settings.jobLabel}&quot;</code>.
      </Alert>
    );
  }
  const resolved = latest.event_type === 'terraform_drift_resolved';
  const historyQuery = driftHistoryQuery(settings.jobLabel, driftId);
  const exploreRange = { raw: { from: String(foundWindow!.from), to: String(foundWindow!.to) } };
  const explore = `${config.appSubUrl ?? ''}${exploreUrl([{ datasource: { type: 'loki', uid }, expr: historyQuery }], exploreRange)}`;
  return (
    <div className={styles.page} data-testid="drift-detail">
      <div className={styles.title}>
        <h2 data-testid="drift-title">
          {detection.resource_type} <code>{detection.resource_id ?? detection.resource_address}</code>
        </h2>
        <Stack gap={1} alignItems="center">
          <SeverityBadge severity={detection.severity} />
          <Badge text={detection.change_type} color="blue" />
          <Badge
            data-testid="drift-status"
            text={resolved ? `resolved${latest.resolution ? `: ${latest.resolution}` : ''}` : 'open'}
            color={resolved ? 'green' : 'red'}
          />
        </Stack>
      </div>
      <Stack gap={1} wrap="wrap" alignItems="center">
        <LinkButton
          size="sm"
          variant="secondary"
          icon="arrow-left"
          href={threeWayHref}
          data-testid="back-to-three-way"
        >
          Back to three-way view
        </LinkButton>
        <LinkButton size="sm" variant="secondary" icon="compass" href={explore} data-testid="explore-drift">
          Explore this drift&apos;s log lines
        </LinkButton>
        <span className={styles.muted} data-testid="search-extent">
          Found {formatAge((result.finishedAt - entries[entries.length - 1].time) / 1000)} ago; searched back{' '}
          {days(time.window.to - result.searched[result.searched.length - 1].from)} days in{' '}
          {result.searched.length} {result.searched.length === 1 ? 'window' : 'windows'}.
        </span>
      </Stack>
      <div className={styles.grid}>
        <Section title="Who" testId="drift-who">
          <Facts
            facts={[
              ['User', detection.user?.name],
              ['Identity type', detection.user?.type],
              ['ARN', detection.user?.arn],
              ['Principal', detection.user?.principal_id],
              ['Original user', detection.user?.original_user],
            ]}
          />
        </Section>
        <Section title="When" testId="drift-when">
          <Facts
            facts={[
              ['Changed at (audit event)', formatTime(detection.event?.time, time.timeZone)],
              ['Detected at', formatTime(detection.detected_at, time.timeZone)],
              ['Detection lag', lag(detection)],
              [
                'Resolved',
                resolved
                  ? `${formatTime(latest.detected_at, time.timeZone)} (${latest.resolution ?? 'no reason given'})`
                  : 'not yet',
              ],
            ]}
          />
        </Section>
        <Section title="Where" testId="drift-where">
          <Facts
            facts={[
              ['Provider', detection.provider],
              ['Account', detection.account_id],
              ['Region', detection.region],
              ['Resource address', detection.resource_address],
              ['State', detection.state_source],
            ]}
          />
        </Section>
        <Section title="How" testId="drift-how">
          <Facts
            facts={[
              ['API call', detection.event?.name],
              ['Service', detection.event?.source],
              ['Source IP', detection.source_ip],
              ['User agent', detection.user_agent],
              [
                'Falco rule',
                detection.falco
                  ? `${detection.falco.rule} (${detection.falco.priority}, ${detection.falco.hostname})`
                  : null,
              ],
              ['Exporter', detection.exporter],
            ]}
          />
        </Section>
      </div>
      <Section title="Expected vs actual" testId="drift-diff">
        {detection.changes.length === 0 ? (
          <p>
            {detection.change_type === 'unmanaged'
              ? 'No Terraform state manages this resource.'
              : detection.change_type === 'missing'
                ? 'The resource is in Terraform state but was deleted in the cloud.'
                : 'No attribute changes recorded.'}
          </p>
        ) : (
          detection.changes.map((c, i) => <ValueDiff key={`${c.attribute}-${i}`} change={c} />)
        )}
      </Section>
      <Section
        title="Suggested fix"
        testId="drift-fix"
        actions={
          detection.suggested_fix ? (
            <ClipboardButton
              size="sm"
              icon="copy"
              variant="secondary"
              getText={() => detection.suggested_fix ?? ''}
            >
              Copy
            </ClipboardButton>
          ) : undefined
        }
      >
        {detection.suggested_fix ? (
          <pre data-testid="suggested-fix" className={styles.pre}>
            {detection.suggested_fix}
          </pre>
        ) : (
          <p>None</p>
        )}
      </Section>
      <Section title="Audit event" testId="drift-event">
        <Facts facts={[['Event id', detection.event?.id]]} />
        <details>
          <summary>Drift record (JSON)</summary>
          <pre className={styles.pre}>{JSON.stringify(detection, null, 2)}</pre>
        </details>
      </Section>
      <Panel
        title="History"
        testId="drift-history"
        range={{ ...time.range, raw: exploreRange.raw }}
        explore={[{ datasource: { type: 'loki', uid }, expr: historyQuery }]}
      >
        <table className={styles.table}>
          <thead>
            <tr>
              <th>Time</th>
              <th>Event</th>
              <th>By</th>
              <th>API call</th>
              <th>Exporter</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e, i) => (
              <tr key={i} data-event-type={e.record!.event_type}>
                <td>{formatTime(e.record!.detected_at, time.timeZone)}</td>
                <td>
                  {e.record!.event_type === 'terraform_drift_resolved'
                    ? `resolved (${e.record!.resolution ?? '—'})`
                    : 'detected'}
                </td>
                <td>{e.record!.user?.name ?? '—'}</td>
                <td>{e.record!.event?.name ?? '—'}</td>
                <td>{e.record!.exporter ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Panel>
      <Panel
        title="Other drifts of this resource"
        testId="drift-others"
        range={time.range}
        loading={others.loading && !others.value}
        explore={otherQuery ? [{ datasource: { type: 'loki', uid }, expr: otherQuery }] : undefined}
      >
        {(others.value ?? []).length === 0 ? (
          <p className={styles.muted}>None found around this drift.</p>
        ) : (
          <ul>
            {others.value!.map((r) => (
              <li key={r.driftId}>
                <Link to={`${driftDetailUrl(r.driftId)}${location.search}`}>
                  {r.record.change_type} ·{' '}
                  {r.record.changes.map((c) => c.attribute).join(', ') || r.record.event?.name}
                </Link>{' '}
                {r.resolved ? '(resolved)' : '(open)'} — {formatTime(r.lastSeen, time.timeZone)}
              </li>
            ))}
          </ul>
        )}
      </Panel>
    </div>
  );
}

function lag(r: DriftRecord): string {
  const t = r.event?.time ? Date.parse(r.event.time) : NaN;
  const d = Date.parse(r.detected_at);
  if (Number.isNaN(t) || Number.isNaN(d)) {
    return '—';
  }
  // Live detection lags seconds to minutes; replayed audit logs can be days old.
  return d - t < 60_000 ? `${Math.round((d - t) / 100) / 10}s` : formatAge((d - t) / 1000);
}

function Facts({ facts }: { facts: Array<[string, string | null | undefined]> }) {
  const styles = useStyles2(getStyles);
  return (
    <dl className={styles.facts}>
      {facts.map(([k, v]) => (
        <React.Fragment key={k}>
          <dt>{k}</dt>
          <dd>{v ?? '—'}</dd>
        </React.Fragment>
      ))}
    </dl>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  page: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(2) }),
  title: css({
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: theme.spacing(2),
    h2: { margin: 0, overflowWrap: 'anywhere' },
  }),
  grid: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(320px, 1fr))',
    gap: theme.spacing(2),
  }),
  facts: css({
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    gap: theme.spacing(0.5, 2),
    margin: 0,
    dt: { color: theme.colors.text.secondary },
    dd: { margin: 0, overflowWrap: 'anywhere' },
  }),
  pre: css({ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }),
  muted: css({ color: theme.colors.text.secondary }),
  table: css({
    width: '100%',
    borderCollapse: 'collapse',
    'th, td': {
      textAlign: 'left',
      padding: theme.spacing(0.5, 1),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
    },
  }),
});
