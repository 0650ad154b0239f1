import React from 'react';
import { Link } from 'react-router-dom';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { Badge, useStyles2 } from '@grafana/ui';
import type { DriftRow } from '../../utils/drifts';
import { formatTime } from '../../utils/time';
import { driftDetailUrl } from '../../utils/utils.routing';
import { SeverityBadge } from './SeverityBadge';

/** Drifts of one change type: resource, where, who, when; each row links to the drift's detail. */
export function DriftTable({ rows, testId }: { rows: DriftRow[]; testId?: string }) {
  const styles = useStyles2(getStyles);
  if (rows.length === 0) {
    return <p className={styles.empty}>None</p>;
  }
  return (
    <table className={styles.table} data-testid={testId}>
      <thead>
        <tr>
          <th>Resource</th>
          <th>Severity</th>
          <th>Account / region</th>
          <th>By</th>
          <th>Last seen</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(({ driftId, record, resolved, lastSeen }) => (
          <tr key={driftId} data-drift-id={driftId}>
            <td>
              <Link to={driftDetailUrl(driftId)} className={styles.link}>
                {record.resource_type ?? '?'}{' '}
                <span className={styles.id}>{record.resource_id ?? record.resource_address ?? ''}</span>
              </Link>
              {resolved && <Badge text="resolved" color="green" className={styles.badge} />}
            </td>
            <td>
              <SeverityBadge severity={record.severity} />
            </td>
            <td>
              {record.account_id ?? '—'}
              <div className={styles.muted}>{record.region ?? ''}</div>
            </td>
            <td>{record.user?.name ?? '—'}</td>
            <td className={styles.muted}>{formatTime(lastSeen)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  table: css({
    width: '100%',
    borderCollapse: 'collapse',
    fontSize: theme.typography.bodySmall.fontSize,
    'th, td': {
      textAlign: 'left',
      padding: theme.spacing(0.5, 1),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
      verticalAlign: 'top',
    },
    th: { color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightMedium },
  }),
  link: css({ color: theme.colors.text.link, wordBreak: 'break-all' }),
  id: css({ color: theme.colors.text.secondary }),
  muted: css({ color: theme.colors.text.secondary }),
  badge: css({ marginLeft: theme.spacing(1) }),
  empty: css({ color: theme.colors.text.secondary }),
});
