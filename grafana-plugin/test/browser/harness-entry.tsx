/**
 * The browser harness: mounts the plugin's App as Grafana would (plugin context, router under
 * /a/<id>/*, theme, global styles) and supplies the one Grafana runtime piece the pages use, the
 * BackendSrv, backed by the harness server (Grafana's API slice in front of the Loki/Prometheus peers).
 * The page to show is the URL hash, e.g. `#three-way?account_id=123456789012`.
 */
import React from 'react';
import { createRoot } from 'react-dom/client';
import { createTheme, ThemeContext } from '@grafana/data';
import { PluginPageProps, setBackendSrv } from '@grafana/runtime';
import { setPluginPage } from 'grafana-runtime-plugin-page';
import { GlobalStyles } from '@grafana/ui';
import { AppHarness } from '../harness/AppHarness';
import { createBackendSrv } from '../harness/backendSrv';

setBackendSrv(
  createBackendSrv(async (method, path, params, body, headers) => {
    const query = new URLSearchParams(params).toString();
    const response = await window.fetch(query ? `${path}?${query}` : path, {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Loki answers some errors as plain text.
    }
    return { status: response.status, body: parsed };
  }),
);

// Grafana's page chrome: the page's title (from the URL here) and its actions toolbar.
function HarnessPluginPage({ children, actions }: PluginPageProps) {
  return (
    <div>
      <div
        style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', marginBottom: 16 }}
      >
        <h1 style={{ margin: 0 }} data-testid="page-title">
          TFDrift · {path.split(/[/?]/)[0]}
        </h1>
        <div>{actions}</div>
      </div>
      {children}
    </div>
  );
}
setPluginPage(HarnessPluginPage);

const theme = createTheme({ colors: { mode: 'dark' } });
const path = decodeURIComponent(window.location.hash.replace(/^#\/?/, '')) || 'overview';

createRoot(document.getElementById('root')!).render(
  <ThemeContext.Provider value={theme}>
    <GlobalStyles />
    <div style={{ padding: 16 }}>
      <AppHarness path={path} />
    </div>
  </ThemeContext.Provider>,
);
