import React from 'react';
import { Alert, EmptyState } from '@grafana/ui';
import type { PageProblem } from '../../api/problems';

/** The one page-level error: what is wrong, with which data source, and how to fix it. */
export function PageError({ problem, onRetry }: { problem: PageProblem; onRetry?: () => void }) {
  return (
    <Alert
      severity="error"
      title={problem.title}
      data-testid="page-error"
      buttonContent={onRetry ? 'Retry' : undefined}
      onRemove={onRetry}
    >
      <p>{problem.fix}</p>
      <p>
        {problem.source} said: <code>{problem.detail}</code>
      </p>
    </Alert>
  );
}

/** No TFDrift record at all (or none in the range): what to do next. */
export function NoDataState({ everWritten, job }: { everWritten: boolean; job: string }) {
  return (
    <div data-testid="empty-state">
      {everWritten ? (
        <EmptyState variant="not-found" message="No drift in this time range">
          Widen the time range with the picker above, or clear the filters.
        </EmptyState>
      ) : (
        <EmptyState variant="call-to-action" message="No TFDrift data yet">
          <p>
            Loki has no stream with <code>job=&quot;{job}&quot;</code>. Point Falco&apos;s{' '}
            <code>http_output</code> at the exporter (<code>http://&lt;exporter&gt;:9464/falco</code>), or try
            it with the bundled demo: <code>LOKI_URL=http://&lt;loki&gt;:3100 npx tfdrift demo</code>.
          </p>
        </EmptyState>
      )}
    </div>
  );
}
