import { useMemo, useSyncExternalStore } from 'react';
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

/*
 * Settings saved in this browser session. Grafana hands apps the plugin meta it loaded at start
 * (and caches it), so after a save the meta is stale until a reload; the saved settings win over
 * it, and every page that uses them re-renders at once.
 */
let saved: AppSettings | undefined;
const listeners = new Set<() => void>();

/** Makes freshly saved settings the ones every page of the app uses, without a reload. */
export function publishSettings(settings: AppSettings): void {
  saved = { ...settings };
  listeners.forEach((listener) => listener());
}

/** Forgets settings saved in this session (tests: each render starts from its own jsonData). */
export function resetPublishedSettings(): void {
  saved = undefined;
  listeners.forEach((listener) => listener());
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The settings in effect: saved in this session, else from the given plugin jsonData. */
export function useSettingsFrom(jsonData: unknown): AppSettings {
  const published = useSyncExternalStore(subscribe, () => saved);
  return useMemo(() => published ?? settingsFromJsonData(jsonData), [published, jsonData]);
}

/**
 * `{ lokiDatasourceUid, prometheusDatasourceUid, jobLabel }` from the plugin's jsonData, or as
 * saved on the Configuration page since. Grafana wraps every app page in a PluginContext, so
 * this works on any page of the plugin.
 */
export function useAppSettings(): AppSettings {
  const context = usePluginContext();
  return useSettingsFrom(context?.meta?.jsonData);
}
