import React, { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { Button, Input, Stack } from '@grafana/ui';
import { lokiLogs } from '../../api/client';
import { classifyError } from '../../api/problems';
import { PageError } from '../../components/common/PageState';
import { Panel } from '../../components/panels/Panel';
import { useAsync } from '../../hooks/useAsync';
import type { PageTime } from '../../hooks/useTimeRange';
import { DETECTED, driftLogQuery } from '../../queries/logql';
import { groupDrifts } from '../../utils/drifts';
import { useAppSettings } from '../../utils/settings';
import { formatTime } from '../../utils/time';
import { driftDetailUrl } from '../../utils/utils.routing';

/** Without a drift_id: find one by id, or pick one of the latest drifts. */
export function DriftPicker({ time }: { time: PageTime }) {
  const settings = useAppSettings();
  const navigate = useNavigate();
  const [id, setId] = useState('');
  const query = driftLogQuery({ job: settings.jobLabel, fieldFilters: [DETECTED] });
  const recent = useAsync(
    () => lokiLogs(settings.lokiDatasourceUid, query, time.window, 200),
    [settings, query, time.window],
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
      {recent.error && (
        <PageError
          problem={classifyError(recent.cause, 'Loki', settings.lokiDatasourceUid)}
          onRetry={time.refreshNow}
        />
      )}
      <Panel
        title="Latest drifts"
        testId="recent-drifts"
        range={time.range}
        loading={recent.loading && !recent.value}
        explore={[{ datasource: { type: 'loki', uid: settings.lokiDatasourceUid }, expr: query }]}
      >
        {rows.length === 0 ? (
          <p>No drift in this range: widen the time range.</p>
        ) : (
          <ul>
            {rows.map((r) => (
              <li key={r.driftId}>
                <Link to={driftDetailUrl(r.driftId)}>
                  {r.record.change_type} {r.record.resource_type} {r.record.resource_id}
                </Link>{' '}
                ({formatTime(r.lastSeen, time.timeZone)})
              </li>
            ))}
          </ul>
        )}
      </Panel>
    </Stack>
  );
}
