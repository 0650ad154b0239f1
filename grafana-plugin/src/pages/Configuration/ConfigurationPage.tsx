import React, { useState } from 'react';
import { Link } from 'react-router-dom';
import { PluginPage } from '@grafana/runtime';
import { Stack } from '@grafana/ui';
import { SettingsForm } from '../../components/AppConfig/SettingsForm';
import { PLUGIN_BASE_URL, ROUTES } from '../../constants';
import { useAppSettings } from '../../utils/settings';

/** The Configuration page inside the app: the same form as the plugin's config tab. */
export function ConfigurationPage() {
  const settings = useAppSettings();
  const [saved, setSaved] = useState(false);
  return (
    <PluginPage>
      <Stack direction="column" gap={2}>
        <p>
          Pick the Loki and Prometheus data sources that hold TFDrift&apos;s drift records and metrics. Saved in
          the plugin&apos;s jsonData; every page of the app uses the new settings as soon as they are saved.
        </p>
        <SettingsForm initial={settings} onSaved={() => setSaved(true)} />
        {saved && (
          <p>
            Next: <Link to={`${PLUGIN_BASE_URL}/${ROUTES.Overview}`}>see the drift overview</Link> or{' '}
            <Link to={`${PLUGIN_BASE_URL}/${ROUTES.AlertRules}`}>set up alert rules</Link> with these settings.
          </p>
        )}
      </Stack>
    </PluginPage>
  );
}
