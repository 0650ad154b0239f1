// Grafana sets its page chrome with setPluginPage, which @grafana/runtime does not export publicly;
// bundle.ts aliases this name to the module inside @grafana/runtime's ESM build (same instance).
declare module 'grafana-runtime-plugin-page' {
  import type { ComponentType } from 'react';
  import type { PluginPageProps } from '@grafana/runtime';
  export function setPluginPage(component: ComponentType<PluginPageProps>): void;
}
