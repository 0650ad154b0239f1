/**
 * The browser harness: mounts the plugin's App as Grafana would (plugin context, router under
 * /a/<id>/*, theme, global styles) and supplies the one Grafana runtime piece the pages use, the
 * BackendSrv, backed by the harness server (Grafana's API slice in front of the Loki/Prometheus peers).
 * The page to show is the URL hash, e.g. `#three-way?account_id=123456789012`.
 */
import React from 'react';
import { createRoot } from 'react-dom/client';
import { createTheme, ThemeContext } from '@grafana/data';
import { setBackendSrv } from '@grafana/runtime';
import { GlobalStyles } from '@grafana/ui';
import { AppHarness } from '../harness/AppHarness';
import { createBackendSrv } from '../harness/backendSrv';

setBackendSrv(
  createBackendSrv(async (method, path, params, body) => {
    const query = new URLSearchParams(params).toString();
    const response = await window.fetch(query ? `${path}?${query}` : path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
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
