import type { ChangeType } from '../types/drift';
import type { DriftFilters } from './filters';
import { DETECTED, driftLogQuery, recordCountBy } from './logql';

/**
 * The three-way view's queries. Counts are metric queries (exact whatever the number of lines);
 * rows are log lines, read page by page.
 */

/** Detections and resolutions in the range, per change type: `sum by (change_type, event_type) (…)`. */
export function threeWayCountQuery(job: string, filters: DriftFilters, range: string): string {
  return recordCountBy({
    job,
    filters: { ...filters, change_type: undefined },
    by: ['change_type', 'event_type'],
    range,
  });
}

/** Detection lines of one change type (newest first when read backward). */
export function threeWayRowsQuery(job: string, filters: DriftFilters, changeType: ChangeType): string {
  return driftLogQuery({ job, filters: { ...filters, change_type: [changeType] }, fieldFilters: [DETECTED] });
}

/** Resolutions of the given drift ids (the rows on screen), to show which are closed and why. */
export function resolutionsQuery(job: string, changeType: ChangeType, driftIds: string[]): string {
  return driftLogQuery({
    job,
    filters: { change_type: [changeType] },
    lineContainsAny: driftIds,
    fieldFilters: [{ label: 'event_type', op: '=', value: 'terraform_drift_resolved' }],
  });
}
