import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { ControlledCollapse, useStyles2 } from '@grafana/ui';
import type { BuiltAlerting } from '@tfdrift/alert-rules';

interface Condition {
  conditions: Array<{ evaluator: { type: string; params: number[] } }>;
}

/**
 * The rules Apply would write, each collapsible: a one-line summary, the query, and the exact
 * JSON sent to Grafana, wrapped so the page never grows wider than the window.
 */
export function RulePreview({ built }: { built: BuiltAlerting }) {
  const styles = useStyles2(getStyles);
  return (
    <ControlledCollapse label={`Rules to apply (${built.group.rules.length})`} isOpen>
      <div data-testid="preview" className={styles.preview}>
        {built.group.rules.map((r) => {
          const evaluator = (r.data[2].model as unknown as Condition).conditions[0].evaluator;
          return (
            <details key={r.uid} data-testid={`preview-${r.labels.tfdrift_alert}`} className={styles.rule}>
              <summary>
                {r.title} — {evaluator.type} {evaluator.params[0]}, severity {r.labels.severity}
              </summary>
              <pre className={styles.code}>{String(r.data[0].model.expr)}</pre>
              <div>
                UID <code>{r.uid}</code> · for {r.for} · {r.annotations.summary}
              </div>
              <pre className={styles.code} data-testid={`preview-json-${r.labels.tfdrift_alert}`}>
                {JSON.stringify(r, null, 2)}
              </pre>
            </details>
          );
        })}
      </div>
    </ControlledCollapse>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  preview: css({ minWidth: 0 }),
  rule: css({ marginBottom: theme.spacing(1), overflowWrap: 'anywhere' }),
  // Long LogQL lines and JSON strings wrap; `anywhere` breaks only where nothing else fits.
  code: css({ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', maxWidth: '100%' }),
});
