import React, { useLayoutEffect, useState } from 'react';
import { Route, Router, Routes } from 'react-router-dom';
import { AppPluginMeta, PluginContextProvider, PluginType } from '@grafana/data';
import { HistoryWrapper, locationService, setLocationService } from '@grafana/runtime';
import App from '../../src/components/App/App';
import { PLUGIN_BASE_URL, PLUGIN_ID } from '../../src/constants';

/** Plugin meta as Grafana passes it to an app (jsonData is what the Configuration page saves). */
export function pluginMeta(jsonData: Record<string, unknown> = {}): AppPluginMeta {
  return {
    id: PLUGIN_ID,
    name: 'TFDrift',
    type: PluginType.app,
    enabled: true,
    jsonData,
    module: '',
    baseUrl: `public/plugins/${PLUGIN_ID}`,
    info: {
      author: { name: 'TFDrift' },
      description: '',
      links: [],
      logos: { small: '', large: '' },
      screenshots: [],
      updated: '',
      version: '0.1.0',
    },
  } as AppPluginMeta;
}

/** The app URL of a page path such as `three-way?account_id=1`. */
export function appUrl(path: string): string {
  return `${PLUGIN_BASE_URL}/${path.replace(/^\//, '')}`;
}

/**
 * Installs Grafana's location service at `path` (Grafana's router and `locationService` share one
 * history, so `locationService.partial({from, to})` is what react-router's hooks then see). Under jest
 * HistoryWrapper keeps a memory history, in a browser the window's history.
 */
export function installLocation(path?: string): void {
  const service = new HistoryWrapper();
  if (path !== undefined) {
    service.replace(appUrl(path));
  }
  setLocationService(service);
}

type HistoryLocation = { pathname: string; search: string; hash: string; state: unknown; key?: string };

/** react-router v6 on Grafana's history (history v4: `listen(location)`), as Grafana mounts app pages. */
export function LocationServiceRouter({ children }: { children: React.ReactNode }) {
  const history = locationService.getHistory();
  const [location, setLocation] = useState<HistoryLocation>(history.location);
  useLayoutEffect(() => history.listen((l: HistoryLocation) => setLocation(l)), [history]);
  return (
    <Router
      location={{ ...location, key: location.key ?? 'default' }}
      navigator={history as unknown as React.ComponentProps<typeof Router>['navigator']}
      future={{ v7_relativeSplatPath: true }}
    >
      {children}
    </Router>
  );
}

/**
 * The app mounted the way Grafana mounts it: under /a/<id>/* with the plugin context around it, on
 * Grafana's location service. `path` installs a fresh memory history at that page; pass
 * `useCurrentLocation` to keep a location service installed before (the browser harness).
 */
export function AppHarness({
  path,
  jsonData,
  useCurrentLocation,
}: {
  path: string;
  jsonData?: Record<string, unknown>;
  useCurrentLocation?: boolean;
}) {
  const meta = pluginMeta(jsonData);
  useState(() => (useCurrentLocation ? undefined : installLocation(path)));
  return (
    <PluginContextProvider meta={meta}>
      <LocationServiceRouter>
        <Routes>
          <Route
            path={`${PLUGIN_BASE_URL}/*`}
            element={
              <React.Suspense fallback="Loading…">
                <App
                  basename={PLUGIN_BASE_URL}
                  meta={meta}
                  path={PLUGIN_BASE_URL}
                  onNavChanged={() => {}}
                  query={{}}
                />
              </React.Suspense>
            }
          />
        </Routes>
      </LocationServiceRouter>
    </PluginContextProvider>
  );
}
