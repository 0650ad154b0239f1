import { useMemo } from 'react';
import { usePluginContext } from '@grafana/data';

/**
 * The plugin's settings, stored in the app plugin's jsonData (Configuration page).
 * Shared by every page, including the Alert rules page: use `useAppSettings()`.
 */
export interface AppSettings {
  lokiDatasourceUid: string;
  prometheusDatasourceUid: string;
  /** Value of the Loki stream label `job` and the Prometheus scrape job. */
  jobLabel: string;
}

/** Defaults match provisioning/grafana/datasources/*.yaml and the exporter's default Loki label. */
export const DEFAULT_SETTINGS: AppSettings = {
  lokiDatasourceUid: 'loki',
  prometheusDatasourceUid: 'prometheus',
  jobLabel: 'tfdrift',
};

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Settings from raw jsonData: blank or missing values fall back to the defaults. */
export function settingsFromJsonData(jsonData: unknown): AppSettings {
  const data = (jsonData && typeof jsonData === 'object' ? jsonData : {}) as Record<string, unknown>;
  return {
    lokiDatasourceUid: nonEmpty(data.lokiDatasourceUid) ?? DEFAULT_SETTINGS.lokiDatasourceUid,
    prometheusDatasourceUid:
      nonEmpty(data.prometheusDatasourceUid) ?? DEFAULT_SETTINGS.prometheusDatasourceUid,
    jobLabel: nonEmpty(data.jobLabel) ?? DEFAULT_SETTINGS.jobLabel,
  };
}

/**
 * `{ lokiDatasourceUid, prometheusDatasourceUid, jobLabel }` from the plugin's jsonData.
 * Grafana wraps every app page in a PluginContext, so this works on any page of the plugin.
 */
export function useAppSettings(): AppSettings {
  const context = usePluginContext();
  const jsonData = context?.meta?.jsonData;
  return useMemo(() => settingsFromJsonData(jsonData), [jsonData]);
}
