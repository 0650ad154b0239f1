import {
  lokiInstant,
  lokiLabelValues,
  lokiRange,
  promInstant,
  stepSeconds,
  TimeWindow,
} from '../../api/client';
import type { Sample, Series } from '../../api/parse';
import type { DriftFilters } from '../../queries/filters';
import { driftCountBy, overviewLogQueries } from '../../queries/logql';
import { inputConnected, openDriftsBy, stateAgeSeconds } from '../../queries/promql';
import type { AppSettings } from '../../utils/settings';
import { durationFor } from '../../utils/time';

/** How far back "has TFDrift ever written to this Loki?" looks when the range is empty. */
export const EVER_WRITTEN_LOOKBACK_MS = 30 * 86_400_000;

/** Every query of the Overview page, as run (the panels' "Explore" opens the same text). */
export function overviewQueries(settings: AppSettings, filters: DriftFilters, window: TimeWindow) {
  const step = stepSeconds(window, 48);
  return {
    ...overviewLogQueries(settings.jobLabel, filters, durationFor(window.to - window.from)),
    overTime: driftCountBy({
      job: settings.jobLabel,
      filters,
      by: ['severity'],
      range: durationFor(step * 1000),
    }),
    stepSeconds: step,
    open: openDriftsBy(filters, ['change_type']),
    inputs: inputConnected(),
    stateAges: stateAgeSeconds(),
  };
}

export type OverviewQueries = ReturnType<typeof overviewQueries>;

export interface OverviewData {
  overTime: Series[];
  stepMs: number;
  byChangeType: Sample[];
  byAccountRegion: Sample[];
  topResourceTypes: Sample[];
  topUsers: Sample[];
  /** False when Loki has no stream of the job label at all in the last 30 days (set only when the range is empty). */
  everWritten: boolean;
}

export interface HealthData {
  open: Sample[];
  inputs: Sample[];
  stateAges: Sample[];
}

/** Every LogQL panel of the Overview page, in parallel. */
export async function loadOverview(
  settings: AppSettings,
  queries: OverviewQueries,
  window: TimeWindow,
): Promise<OverviewData> {
  const uid = settings.lokiDatasourceUid;
  const [overTime, byChangeType, byAccountRegion, topResourceTypes, topUsers] = await Promise.all([
    lokiRange(uid, queries.overTime, window, queries.stepSeconds),
    lokiInstant(uid, queries.byChangeType, window.to),
    lokiInstant(uid, queries.byAccountRegion, window.to),
    lokiInstant(uid, queries.topResourceTypes, window.to),
    lokiInstant(uid, queries.topUsers, window.to),
  ]);
  let everWritten = true;
  if (sumOf(byChangeType) === 0) {
    const jobs = await lokiLabelValues(uid, 'job', {
      from: window.to - EVER_WRITTEN_LOOKBACK_MS,
      to: Math.max(window.to, Date.now()),
    });
    everWritten = jobs.includes(settings.jobLabel);
  }
  return {
    overTime,
    stepMs: queries.stepSeconds * 1000,
    byChangeType,
    byAccountRegion,
    topResourceTypes,
    topUsers,
    everWritten,
  };
}

/** Open drifts and exporter health from Prometheus. */
export async function loadHealth(
  settings: AppSettings,
  queries: OverviewQueries,
  now: number,
): Promise<HealthData> {
  const uid = settings.prometheusDatasourceUid;
  const [open, inputs, stateAges] = await Promise.all([
    promInstant(uid, queries.open, now),
    promInstant(uid, queries.inputs, now),
    promInstant(uid, queries.stateAges, now),
  ]);
  return { open, inputs, stateAges };
}

export const sumOf = (samples: Sample[]) => samples.reduce((a, s) => a + s.value, 0);

export const valueFor = (samples: Sample[], label: string, value: string) =>
  samples.filter((s) => s.labels[label] === value).reduce((a, s) => a + s.value, 0);
