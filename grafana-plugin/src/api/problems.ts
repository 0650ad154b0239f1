/**
 * What went wrong talking to a data source, named by cause with its fix, so a page shows one
 * explanation instead of the same error in every panel.
 */
export type ProblemKind = 'not-configured' | 'unreachable' | 'rejected' | 'error';

export interface PageProblem {
  kind: ProblemKind;
  /** Which data source: "Loki" or "Prometheus". */
  source: string;
  title: string;
  /** What to do about it. */
  fix: string;
  /** The data source's own message. */
  detail: string;
}

/** An error from the data source proxy, keeping the HTTP status for classification. */
export class QueryError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly datasourceUid: string,
  ) {
    super(message);
    this.name = 'QueryError';
  }
}

export function classifyError(err: unknown, source: string, uid: string): PageProblem {
  const status = err instanceof QueryError ? err.status : undefined;
  const detail = err instanceof Error ? err.message : String(err);
  if (status === 404 && /data ?source not found/i.test(detail)) {
    return {
      kind: 'not-configured',
      source,
      title: `${source} data source "${uid}" is not configured`,
      fix: `Pick the ${source} data source on the Configuration page, or provision one with uid "${uid}".`,
      detail,
    };
  }
  if (status === undefined || status === 0 || status === 502 || status === 503 || status === 504) {
    return {
      kind: 'unreachable',
      source,
      title: `${source} is unreachable`,
      fix: `Grafana could not reach ${source} through data source "${uid}": check that ${source} is running and that the data source URL in Grafana points at it (Connections → Data sources → Save & test).`,
      detail,
    };
  }
  if (status >= 400 && status < 500) {
    return {
      kind: 'rejected',
      source,
      title: `${source} rejected the query (${status})`,
      fix:
        status === 401 || status === 403
          ? `Check the credentials of data source "${uid}" and your Grafana permissions on it.`
          : `Check that data source "${uid}" is a ${source} data source and that its limits allow the range (try a shorter time range).`,
      detail,
    };
  }
  return {
    kind: 'error',
    source,
    title: `${source} answered an error (${status})`,
    fix: `Look at ${source}'s logs; retry with the refresh button.`,
    detail,
  };
}

/** The first problem of several query results (Loki before Prometheus as callers order them). */
export function firstProblem(...problems: Array<PageProblem | undefined>): PageProblem | undefined {
  return problems.find((p) => p !== undefined);
}
