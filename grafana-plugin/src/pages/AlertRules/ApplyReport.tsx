import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, Icon, Stack, useStyles2 } from '@grafana/ui';
import { appliedSummary, type ApplyFailedError, type PreflightCheck } from '@tfdrift/alert-rules';

/** How the last Apply ended. */
export type ApplyOutcome =
  | { kind: 'applied'; count: number }
  | { kind: 'preflight'; checks: PreflightCheck[] }
  | { kind: 'failed'; error: ApplyFailedError };

/** The preflight checks, failures first: what was checked and what was found. */
export function PreflightList({ checks }: { checks: PreflightCheck[] }) {
  const styles = useStyles2(getStyles);
  const sorted = [...checks.filter((c) => !c.ok), ...checks.filter((c) => c.ok)];
  return (
    <ul className={styles.list} data-testid="preflight">
      {sorted.map((c) => (
        <li key={`${c.subject}:${c.target}`} data-testid={`preflight-${c.subject}-${c.target}`} data-ok={String(c.ok)}>
          <Icon name={c.ok ? 'check' : 'exclamation-triangle'} className={c.ok ? styles.ok : styles.failed} /> {c.message}
        </li>
      ))}
    </ul>
  );
}

/**
 * The result of Apply. A preflight failure says nothing was written and why; a write failing
 * midway names the failed step and Grafana's answer, and summarizes Grafana as read again
 * afterwards (the plan below shows it resource by resource), with a retry.
 */
export function ApplyReport({ outcome, onRetry, busy }: { outcome: ApplyOutcome; onRetry: () => void; busy: boolean }) {
  if (outcome.kind === 'applied') {
    return (
      <Alert
        severity="success"
        title={outcome.count === 0 ? 'Nothing to change: Grafana already matches.' : `Applied ${outcome.count} change(s).`}
        data-testid="apply-result"
      />
    );
  }
  if (outcome.kind === 'preflight') {
    return (
      <Alert severity="error" title="Nothing was written to Grafana: preflight found a problem" data-testid="apply-result">
        <PreflightList checks={outcome.checks} />
        Fix the problems above, then apply again.
      </Alert>
    );
  }
  const { error } = outcome;
  const step = error.failed.map((c) => `${c.kind} ${c.title}`).join(', ');
  return (
    <Alert severity="error" title={`Apply stopped at ${step}`} data-testid="apply-result">
      <Stack direction="column" gap={1}>
        <div data-testid="apply-cause">Grafana answered: {error.writeError.message}</div>
        <div data-testid="apply-written">
          Written before the failure:{' '}
          {error.written.length ? error.written.map((c) => `${c.kind} ${c.title}`).join(', ') : 'nothing'}.
        </div>
        <div data-testid="apply-reread">
          {error.state
            ? appliedSummary(error.state)
            : `Grafana could not be read again (${error.reReadError?.message ?? 'unknown error'}): compare again before retrying.`}
        </div>
        <div>
          <Button variant="primary" icon="repeat" onClick={onRetry} disabled={busy}>
            Retry apply
          </Button>
        </div>
      </Stack>
    </Alert>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  list: css({ listStyle: 'none', margin: theme.spacing(1, 0), padding: 0, overflowWrap: 'anywhere' }),
  ok: css({ color: theme.colors.success.text }),
  failed: css({ color: theme.colors.error.text }),
});
