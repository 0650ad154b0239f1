import type { TimeRange } from '@grafana/data';
import { urlTimeValue } from '../utils/time';

export type ExploreDatasource = { type: 'loki' | 'prometheus'; uid: string };

export interface ExploreTarget {
  datasource: ExploreDatasource;
  /** LogQL or PromQL, exactly as the page ran it. */
  expr: string;
}

/**
 * A Grafana Explore URL (schemaVersion 1, one pane) running `targets` over the page's range, so
 * "Explore" in a panel menu opens the same query the panel shows.
 */
export function exploreUrl(targets: ExploreTarget[], range: Pick<TimeRange, 'raw'>, orgId?: number): string {
  const first = targets[0]?.datasource;
  const pane = {
    datasource: first?.uid,
    queries: targets.map((t, i) => ({
      refId: String.fromCharCode(65 + i),
      datasource: { type: t.datasource.type, uid: t.datasource.uid },
      expr: t.expr,
      queryType: 'range',
      editorMode: 'code',
    })),
    range: { from: urlTimeValue(range.raw.from), to: urlTimeValue(range.raw.to) },
  };
  const params = new URLSearchParams({ schemaVersion: '1', panes: JSON.stringify({ a: pane }) });
  if (orgId !== undefined) {
    params.set('orgId', String(orgId));
  }
  return `/explore?${params.toString()}`;
}
