import React from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { Alert, LoadingPlaceholder, useStyles2 } from '@grafana/ui';

interface Props {
  title: string;
  testId?: string;
  loading?: boolean;
  error?: string;
  children?: React.ReactNode;
  actions?: React.ReactNode;
}

/** A titled panel-like box with loading and error states, used by every page. */
export function Section({ title, testId, loading, error, children, actions }: Props) {
  const styles = useStyles2(getStyles);
  return (
    <section className={styles.box} data-testid={testId} aria-label={title}>
      <div className={styles.header}>
        <h3 className={styles.title}>{title}</h3>
        {actions}
      </div>
      {error ? (
        <Alert severity="error" title={`${title}: query failed`}>
          {error}
        </Alert>
      ) : loading ? (
        <LoadingPlaceholder text="Loading…" />
      ) : (
        children
      )}
    </section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  box: css({
    background: theme.colors.background.primary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(2),
    minWidth: 0,
  }),
  header: css({
    display: 'flex',
    justifyContent: 'space-between',
    alignItems: 'center',
    marginBottom: theme.spacing(1),
  }),
  title: css({ fontSize: theme.typography.h5.fontSize, margin: 0 }),
});
