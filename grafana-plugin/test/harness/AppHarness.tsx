import React from 'react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { AppPluginMeta, PluginContextProvider, PluginType } from '@grafana/data';
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

/** The app mounted the way Grafana mounts it: under /a/<id>/* with the plugin context around it. */
export function AppHarness({ path, jsonData }: { path: string; jsonData?: Record<string, unknown> }) {
  const meta = pluginMeta(jsonData);
  return (
    <PluginContextProvider meta={meta}>
      <MemoryRouter
        future={{ v7_startTransition: true, v7_relativeSplatPath: true }}
        initialEntries={[`${PLUGIN_BASE_URL}/${path.replace(/^\//, '')}`]}
      >
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
      </MemoryRouter>
    </PluginContextProvider>
  );
}
