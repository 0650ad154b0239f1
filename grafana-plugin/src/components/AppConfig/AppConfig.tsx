import React from 'react';
import { AppPluginMeta, PluginConfigPageProps } from '@grafana/data';
import { settingsFromJsonData } from '../../utils/settings';
import { SettingsForm } from './SettingsForm';

export type AppConfigProps = PluginConfigPageProps<AppPluginMeta<Record<string, unknown>>>;

/** The plugin's configuration tab (Administration → Plugins → TFDrift). */
export default function AppConfig({ plugin }: AppConfigProps) {
  // Grafana reads jsonData when it loads the plugin, so reload after saving (as the template does).
  return (
    <SettingsForm
      initial={settingsFromJsonData(plugin.meta.jsonData)}
      onSaved={() => window.location.reload()}
    />
  );
}
