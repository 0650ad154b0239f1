import React, { useMemo } from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { Badge, useStyles2 } from '@grafana/ui';
import { SeverityBadge } from '../../components/common/SeverityBadge';
import { formatTime } from '../../utils/time';
import { DriftRow, resourceLabel } from './rows';

/**
 * The three-way table's columns (InteractiveTable): resource, severity, account, region, user, status
 * (with the resolution), detected. `depsKey` changes when `detailUrl` does.
 */
export function useDriftColumns(
  resolutions: Map<string, string> | undefined,
  timeZone: string,
  detailUrl: (row: DriftRow) => string,
  depsKey: string,
) {
  const styles = useStyles2(getStyles);
  return useMemo(
    () => [
      {
        id: 'resource',
        header: 'Resource',
        sortType: 'string' as const,
        cell: ({ row }: { row: { original: DriftRow } }) => (
          <Truncated text={resourceLabel(row.original.record)} max={WIDTH.resource}>
            <a href={detailUrl(row.original)} onClick={(e) => e.preventDefault()} className={styles.link}>
              {row.original.record.resource_type}{' '}
              <span className={styles.muted}>
                {row.original.record.resource_id ?? row.original.record.resource_address}
              </span>
            </a>
          </Truncated>
        ),
      },
      {
        id: 'severity',
        header: 'Severity',
        sortType: 'string' as const,
        disableGrow: true,
        cell: ({ row }: { row: { original: DriftRow } }) => (
          <SeverityBadge severity={row.original.record.severity} />
        ),
      },
      {
        id: 'account',
        header: 'Account',
        sortType: 'string' as const,
        disableGrow: true,
        cell: ({ row }: { row: { original: DriftRow } }) => (
          <Truncated text={row.original.record.account_id ?? '—'} max={WIDTH.account} />
        ),
      },
      {
        id: 'region',
        header: 'Region',
        sortType: 'string' as const,
        disableGrow: true,
        cell: ({ row }: { row: { original: DriftRow } }) => (
          <Truncated text={row.original.record.region ?? '—'} max={WIDTH.region} />
        ),
      },
      {
        id: 'user',
        header: 'User',
        sortType: 'string' as const,
        cell: ({ row }: { row: { original: DriftRow } }) => (
          <Truncated text={row.original.record.user?.name ?? '—'} max={WIDTH.user} />
        ),
      },
      {
        id: 'status',
        header: 'Status',
        disableGrow: true,
        cell: ({ row }: { row: { original: DriftRow } }) => {
          const why = resolutions?.get(row.original.driftId);
          return (
            <span className={styles.nowrap}>
              {why ? <Badge text={`resolved: ${why}`} color="green" /> : <Badge text="open" color="orange" />}
            </span>
          );
        },
      },
      {
        id: 'time',
        header: 'Detected',
        sortType: 'number' as const,
        disableGrow: true,
        cell: ({ row }: { row: { original: DriftRow } }) => (
          <span className={styles.nowrap}>{formatTime(row.original.time, timeZone)}</span>
        ),
      },
    ],
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [resolutions, timeZone, depsKey, styles],
  );
}

/**
 * One line, cut with an ellipsis at `max` (a CSS width), the whole value in the browser's tooltip
 * (`title`): a Grafana Tooltip per cell would cost a popper per cell on every page of 50 rows.
 */
function Truncated({ text, children, max }: { text: string; children?: React.ReactNode; max: string }) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.truncate} style={{ maxWidth: max }} title={text}>
      {children ?? text}
    </div>
  );
}

/** Column widths that keep all seven columns on screen from 1280 px up. */
const WIDTH = {
  resource: 'min(460px, 24vw)',
  account: 'min(220px, 9vw)',
  region: 'min(180px, 10vw)',
  user: 'min(260px, 11vw)',
};

const getStyles = (theme: GrafanaTheme2) => ({
  truncate: css({ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }),
  link: css({ color: theme.colors.text.link }),
  muted: css({ color: theme.colors.text.secondary }),
  nowrap: css({ whiteSpace: 'nowrap' }),
});
