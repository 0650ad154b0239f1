import { setBackendSrv } from '@grafana/runtime';
import type { DriftRecord } from '../../src/types/drift';
import { loadFixtureRecords } from '../fixtures/records';
import { GrafanaApiState, handleGrafanaApi } from '../peers/grafanaApi';
import { createBackendSrv } from './backendSrv';

// jsdom has no ResizeObserver; Grafana's PanelChrome (TruncatedText) needs one. No layout in jsdom, so
// observers never fire: panels render at width 0 (charts are checked in Chromium, test/browser).
if (typeof globalThis.ResizeObserver === 'undefined') {
  globalThis.ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
}

/** Installs a BackendSrv answered in process by the Grafana API slice and the Loki/Prometheus peers. */
export function installFakeGrafana(records: DriftRecord[] = loadFixtureRecords()): GrafanaApiState {
  const state: GrafanaApiState = { records, savedSettings: [], requests: [] };
  setBackendSrv(
    createBackendSrv((method, path, params, body) => handleGrafanaApi(method, path, params, body, state)),
  );
  return state;
}
