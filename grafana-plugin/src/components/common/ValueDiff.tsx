import React from 'react';
import { css, cx } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import type { AttributeChange } from '../../types/drift';
import { diffValues } from '../../utils/diff';

/** Expected (Terraform state) vs actual (cloud) of one attribute as a unified line diff. */
export function ValueDiff({ change }: { change: AttributeChange }) {
  const styles = useStyles2(getStyles);
  const lines = diffValues(change.expected, change.actual);
  return (
    <div className={styles.box} data-testid={`diff-${change.attribute}`}>
      <div className={styles.head}>
        <code>{change.attribute}</code>
        <span className={styles.legend}>
          <span className={styles.removed}>− expected (state)</span>{' '}
          <span className={styles.added}>+ actual (cloud)</span>
        </span>
      </div>
      {change.detail && (
        <p className={styles.detail} data-testid={`diff-detail-${change.attribute}`}>
          {change.detail}
        </p>
      )}
      <pre className={styles.pre}>
        {lines.map((l, i) => (
          <div
            key={i}
            data-diff={l.kind}
            className={cx(
              styles.line,
              l.kind === 'removed' && styles.removed,
              l.kind === 'added' && styles.added,
            )}
          >
            {l.kind === 'removed' ? '- ' : l.kind === 'added' ? '+ ' : '  '}
            {l.text}
          </div>
        ))}
      </pre>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  box: css({ marginBottom: theme.spacing(2) }),
  head: css({ display: 'flex', justifyContent: 'space-between', marginBottom: theme.spacing(0.5) }),
  legend: css({ fontSize: theme.typography.bodySmall.fontSize }),
  detail: css({ color: theme.colors.text.secondary, margin: theme.spacing(0, 0, 0.5) }),
  pre: css({ margin: 0, padding: theme.spacing(1), maxHeight: 400, overflow: 'auto' }),
  line: css({ whiteSpace: 'pre-wrap' }),
  removed: css({ color: theme.colors.error.text, background: theme.colors.error.transparent }),
  added: css({ color: theme.colors.success.text, background: theme.colors.success.transparent }),
});
