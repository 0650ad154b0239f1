import React from 'react';
import { PluginPage } from '@grafana/runtime';
import { SettingsForm } from '../../components/AppConfig/SettingsForm';
import { useAppSettings } from '../../utils/settings';

/** The Configuration page inside the app: the same form as the plugin's config tab. */
export function ConfigurationPage() {
  const settings = useAppSettings();
  return (
    <PluginPage>
      <p>
        Pick the Loki and Prometheus datasources that hold TFDrift's drift records and metrics. Saved in the
        plugin's jsonData.
      </p>
      <SettingsForm initial={settings} />
    </PluginPage>
  );
}
