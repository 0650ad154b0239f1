import React from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

export interface BarItem {
  label: string;
  value: number;
  color?: string;
}

/** Horizontal bars with counts: readable for "top N" answers without a panel runtime. */
export function BarList({
  items,
  testId,
  empty = 'No drifts in this range',
}: {
  items: BarItem[];
  testId?: string;
  empty?: string;
}) {
  const styles = useStyles2(getStyles);
  if (items.length === 0) {
    return <p className={styles.empty}>{empty}</p>;
  }
  const max = Math.max(...items.map((i) => i.value), 1);
  return (
    <ul className={styles.list} data-testid={testId}>
      {items.map((item) => (
        <li key={item.label} className={styles.row} data-label={item.label} data-value={item.value}>
          <span className={styles.label} title={item.label}>
            {item.label || '(none)'}
          </span>
          <span className={styles.track}>
            <span
              className={styles.bar}
              style={{ width: `${(item.value / max) * 100}%`, background: item.color }}
            />
          </span>
          <span className={styles.value}>{item.value}</span>
        </li>
      ))}
    </ul>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  list: css({ listStyle: 'none', margin: 0, padding: 0 }),
  row: css({
    display: 'grid',
    gridTemplateColumns: 'minmax(0, 2fr) 3fr auto',
    gap: theme.spacing(1),
    alignItems: 'center',
    padding: '2px 0',
  }),
  label: css({ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }),
  track: css({ background: theme.colors.background.secondary, height: 12, borderRadius: 2 }),
  bar: css({ display: 'block', height: '100%', borderRadius: 2, background: theme.colors.primary.main }),
  value: css({ fontVariantNumeric: 'tabular-nums', minWidth: 32, textAlign: 'right' }),
  empty: css({ color: theme.colors.text.secondary }),
});
