/**
 * The browser harness: mounts the plugin's App as Grafana would (plugin context, router under
 * /a/<id>/* on Grafana's location service, theme, global styles, the user's time zone) and supplies
 * the Grafana runtime piece the pages use, the BackendSrv, backed by the harness server (Grafana's
 * API slice in front of the Loki/Prometheus peers).
 * The page is the URL path (`/a/tfdrift-drift-app/three-way?account_id=…`; any other path but `/` shows
 * nothing, a blank Grafana to navigate from with `window.harnessNavigate(url)`); a hash such as
 * `#three-way?account_id=…` is accepted too. localStorage `harness.theme` (`dark` | `light`) and
 * `harness.timezone` (Grafana user preference: `browser`, `utc` or an IANA zone) set the user's
 * preferences.
 */
import React from 'react';
import { createRoot } from 'react-dom/client';
import { createTheme, setTimeZoneResolver, ThemeContext } from '@grafana/data';
import { locationService, PluginPageProps, setBackendSrv } from '@grafana/runtime';
import { setPluginPage } from 'grafana-runtime-plugin-page';
import { GlobalStyles } from '@grafana/ui';
import { AppHarness, appUrl } from '../harness/AppHarness';
import { createBackendSrv } from '../harness/backendSrv';
import { PLUGIN_BASE_URL } from '../../src/constants';

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
      // Loki answers some errors (and /config) as plain text.
    }
    return { status: response.status, body: parsed };
  }),
);

// Where Grafana serves its static files; @grafana/ui loads icons from <public path>build/img/icons/.
(window as unknown as { __grafana_public_path__: string }).__grafana_public_path__ = '/public/';

const timeZone = window.localStorage.getItem('harness.timezone');
if (timeZone) {
  setTimeZoneResolver(() => timeZone);
}

// Grafana's page chrome: the page's title and its actions toolbar.
function HarnessPluginPage({ children, actions }: PluginPageProps) {
  const page =
    locationService
      .getLocation()
      .pathname.slice(PLUGIN_BASE_URL.length + 1)
      .split('/')[0] || 'overview';
  return (
    <div>
      <div
        style={{
          display: 'flex',
          justifyContent: 'space-between',
          alignItems: 'center',
          marginBottom: 16,
          gap: 16,
          flexWrap: 'wrap',
        }}
      >
        <h1 style={{ margin: 0 }} data-testid="page-title">
          TFDrift · {page}
        </h1>
        <div>{actions}</div>
      </div>
      {children}
    </div>
  );
}
setPluginPage(HarnessPluginPage);

// Outside tests @grafana/runtime's locationService already wraps the window's history, as in Grafana.
const legacy = decodeURIComponent(window.location.hash.replace(/^#\/?/, ''));
if (legacy) {
  locationService.replace(appUrl(legacy));
} else if (window.location.pathname === '/') {
  locationService.replace(appUrl('overview'));
}
// In-app navigation as Grafana's router does it (benches time a page from here, not from the bundle's load).
(window as unknown as { harnessNavigate: (url: string) => void }).harnessNavigate = (url) =>
  locationService.push(url);

const theme = createTheme({
  colors: { mode: window.localStorage.getItem('harness.theme') === 'light' ? 'light' : 'dark' },
});

createRoot(document.getElementById('root')!).render(
  <ThemeContext.Provider value={theme}>
    <GlobalStyles />
    <div style={{ padding: 16 }}>
      <AppHarness path="" useCurrentLocation />
    </div>
  </ThemeContext.Provider>,
);
