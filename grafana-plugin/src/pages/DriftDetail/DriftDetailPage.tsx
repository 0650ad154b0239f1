import React, { useMemo, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Alert, Badge, Button, ClipboardButton, Input, Stack, useStyles2 } from '@grafana/ui';
import { lokiLogs } from '../../api/client';
import type { LogEntry } from '../../api/parse';
import { RangePicker } from '../../components/common/RangePicker';
import { Section } from '../../components/common/Section';
import { SeverityBadge } from '../../components/common/SeverityBadge';
import { ValueDiff } from '../../components/common/ValueDiff';
import { useAsync } from '../../hooks/useAsync';
import { driftHistoryQuery, driftLogQuery } from '../../queries/logql';
import type { DriftRecord } from '../../types/drift';
import { groupDrifts } from '../../utils/drifts';
import { useAppSettings } from '../../utils/settings';
import { formatAge, formatTime, isRangeKey, RangeKey, windowFor } from '../../utils/time';
import { driftDetailUrl } from '../../utils/utils.routing';

export function DriftDetailPage() {
  const { driftId } = useParams<{ driftId?: string }>();
  const [params, setParams] = useSearchParams();
  const range: RangeKey = isRangeKey(params.get('range')) ? (params.get('range') as RangeKey) : '7d';
  const [now, setNow] = useState(() => Date.now());
  const window = useMemo(() => windowFor(range, now), [range, now]);
  return (
    <PluginPage
      actions={
        <Stack gap={1} alignItems="center">
          <RangePicker value={range} onChange={(r) => setParams({ range: r })} />
          <Button size="sm" variant="secondary" icon="sync" onClick={() => setNow(Date.now())}>
            Refresh
          </Button>
        </Stack>
      }
    >
      {driftId ? <DriftDetail driftId={driftId} window={window} /> : <DriftPicker window={window} />}
    </PluginPage>
  );
}

/** Without a drift_id: find one by id, or pick one of the latest drifts. */
function DriftPicker({ window }: { window: { from: number; to: number } }) {
  const settings = useAppSettings();
  const navigate = useNavigate();
  const [id, setId] = useState('');
  const recent = useAsync(
    () => lokiLogs(settings.lokiDatasourceUid, driftLogQuery({ job: settings.jobLabel }), window, 200),
    [settings, window],
  );
  const rows = groupDrifts(recent.value ?? []).slice(0, 20);
  return (
    <Stack direction="column" gap={2}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (id.trim()) {
            navigate(driftDetailUrl(id.trim()));
          }
        }}
      >
        <Stack gap={1}>
          <Input
            aria-label="drift_id"
            placeholder="drift_id"
            value={id}
            onChange={(e) => setId(e.currentTarget.value)}
            width={50}
          />
          <Button type="submit">Show drift</Button>
        </Stack>
      </form>
      <Section
        title="Latest drifts"
        testId="recent-drifts"
        loading={recent.loading && !recent.value}
        error={recent.error}
      >
        <ul>
          {rows.map((r) => (
            <li key={r.driftId}>
              <Link to={driftDetailUrl(r.driftId)}>
                {r.record.change_type} {r.record.resource_type} {r.record.resource_id}
              </Link>{' '}
              ({formatTime(r.lastSeen)})
            </li>
          ))}
        </ul>
      </Section>
    </Stack>
  );
}

function DriftDetail({ driftId, window }: { driftId: string; window: { from: number; to: number } }) {
  const settings = useAppSettings();
  const styles = useStyles2(getStyles);
  const history = useAsync(
    () => lokiLogs(settings.lokiDatasourceUid, driftHistoryQuery(settings.jobLabel, driftId), window, 1000),
    [settings, driftId, window],
  );
  const entries: LogEntry[] = (history.value ?? []).filter((e) => e.record?.drift_id === driftId);
  const latest = entries[0]?.record ?? null;
  const detection =
    entries.find((e) => e.record?.event_type === 'terraform_drift_detected')?.record ?? latest;

  if (history.loading && !history.value) {
    return <Section title={`Drift ${driftId}`} loading />;
  }
  if (history.error) {
    return <Section title={`Drift ${driftId}`} error={history.error} />;
  }
  if (!detection || !latest) {
    return (
      <Alert severity="info" title="No records for this drift">
        No drift record with drift_id <code>{driftId}</code> in the selected range. Try a longer range.
      </Alert>
    );
  }
  const resolved = latest.event_type === 'terraform_drift_resolved';
  return (
    <div className={styles.page} data-testid="drift-detail">
      <div className={styles.title}>
        <h2 data-testid="drift-title">
          {detection.resource_type} <code>{detection.resource_id ?? detection.resource_address}</code>
        </h2>
        <Stack gap={1}>
          <SeverityBadge severity={detection.severity} />
          <Badge text={detection.change_type} color="blue" />
          <Badge
            data-testid="drift-status"
            text={resolved ? 'resolved' : 'open'}
            color={resolved ? 'green' : 'red'}
          />
        </Stack>
      </div>
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
              ['Changed at (audit event)', formatTime(detection.event?.time)],
              ['Detected at', formatTime(detection.detected_at)],
              ['Detection lag', lag(detection)],
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
          detection.changes.map((c) => <ValueDiff key={c.attribute} change={c} />)
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
          <pre data-testid="suggested-fix">{detection.suggested_fix}</pre>
        ) : (
          <p>None</p>
        )}
      </Section>
      <Section title="Audit event" testId="drift-event">
        <Facts facts={[['Event id', detection.event?.id]]} />
        <details>
          <summary>Drift record (JSON)</summary>
          <pre>{JSON.stringify(detection, null, 2)}</pre>
        </details>
      </Section>
      <Section title="History" testId="drift-history">
        <table className={styles.table}>
          <thead>
            <tr>
              <th>Time</th>
              <th>Event</th>
              <th>By</th>
              <th>API call</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e, i) => (
              <tr key={i} data-event-type={e.record!.event_type}>
                <td>{formatTime(e.record!.detected_at)}</td>
                <td>{e.record!.event_type === 'terraform_drift_resolved' ? 'resolved' : 'detected'}</td>
                <td>{e.record!.user?.name ?? '—'}</td>
                <td>{e.record!.event?.name ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
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
    h2: { margin: 0 },
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
    dd: { margin: 0, wordBreak: 'break-all' },
  }),
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
