import React from 'react';
import { AppPluginMeta, PluginConfigPageProps } from '@grafana/data';
import { useSettingsFrom } from '../../utils/settings';
import { SettingsForm } from './SettingsForm';

export type AppConfigProps = PluginConfigPageProps<AppPluginMeta<Record<string, unknown>>>;

/** The plugin's configuration tab (Administration → Plugins → TFDrift). */
export default function AppConfig({ plugin }: AppConfigProps) {
  const settings = useSettingsFrom(plugin.meta.jsonData);
  const wasEnabled = plugin.meta.enabled;
  return (
    <SettingsForm
      initial={settings}
      // Settings apply without a reload; only enabling the app needs one, for Grafana's navigation.
      onSaved={() => {
        if (!wasEnabled) {
          window.location.reload();
        }
      }}
    />
  );
}
