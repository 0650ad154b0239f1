import { lokiInstant, lokiRange, promInstant, stepSeconds, TimeWindow } from '../../api/client';
import type { Sample, Series } from '../../api/parse';
import type { DriftFilters } from '../../queries/filters';
import { driftCountBy, overviewLogQueries } from '../../queries/logql';
import { inputConnected, openDriftsBy, stateAgeSeconds } from '../../queries/promql';
import type { AppSettings } from '../../utils/settings';
import { durationFor } from '../../utils/time';

export interface OverviewData {
  overTime: Series[];
  stepMs: number;
  byChangeType: Sample[];
  byAccountRegion: Sample[];
  topResourceTypes: Sample[];
  topUsers: Sample[];
}

export interface HealthData {
  open: Sample[];
  inputs: Sample[];
  stateAges: Sample[];
}

/** Every LogQL panel of the Overview page, in parallel. */
export async function loadOverview(
  settings: AppSettings,
  filters: DriftFilters,
  window: TimeWindow,
): Promise<OverviewData> {
  const uid = settings.lokiDatasourceUid;
  const queries = overviewLogQueries(settings.jobLabel, filters, durationFor(window.to - window.from));
  const step = stepSeconds(window, 48);
  const overTimeQuery = driftCountBy({
    job: settings.jobLabel,
    filters,
    by: ['severity'],
    range: durationFor(step * 1000),
  });
  const [overTime, byChangeType, byAccountRegion, topResourceTypes, topUsers] = await Promise.all([
    lokiRange(uid, overTimeQuery, window, step),
    lokiInstant(uid, queries.byChangeType, window.to),
    lokiInstant(uid, queries.byAccountRegion, window.to),
    lokiInstant(uid, queries.topResourceTypes, window.to),
    lokiInstant(uid, queries.topUsers, window.to),
  ]);
  return { overTime, stepMs: step * 1000, byChangeType, byAccountRegion, topResourceTypes, topUsers };
}

/** Open drifts and exporter health from Prometheus. */
export async function loadHealth(
  settings: AppSettings,
  filters: DriftFilters,
  now: number,
): Promise<HealthData> {
  const uid = settings.prometheusDatasourceUid;
  const [open, inputs, stateAges] = await Promise.all([
    promInstant(uid, openDriftsBy(filters, ['change_type']), now),
    promInstant(uid, inputConnected(), now),
    promInstant(uid, stateAgeSeconds(), now),
  ]);
  return { open, inputs, stateAges };
}

export const sumOf = (samples: Sample[]) => samples.reduce((a, s) => a + s.value, 0);

export const valueFor = (samples: Sample[], label: string, value: string) =>
  samples.filter((s) => s.labels[label] === value).reduce((a, s) => a + s.value, 0);
