import React, { useState } from 'react';
import { lastValueFrom } from 'rxjs';
import { css } from '@emotion/css';
import { GrafanaTheme2, SelectableValue } from '@grafana/data';
import { getBackendSrv } from '@grafana/runtime';
import { Alert, Button, Field, FieldSet, Input, Select, useStyles2 } from '@grafana/ui';
import { errorMessage } from '../../api/client';
import { PLUGIN_ID } from '../../constants';
import { useAsync } from '../../hooks/useAsync';
import { AppSettings, DEFAULT_SETTINGS } from '../../utils/settings';

interface DatasourceInfo {
  uid: string;
  name: string;
  type: string;
}

/** Datasources of a type as select options; keeps the current uid even when it is not (yet) provisioned. */
export function datasourceOptions(
  list: DatasourceInfo[],
  type: string,
  current: string,
): Array<SelectableValue<string>> {
  const options = list
    .filter((d) => d.type === type)
    .map((d) => ({ label: `${d.name} (${d.uid})`, value: d.uid }));
  if (current && !options.some((o) => o.value === current)) {
    options.push({ label: `${current} (not found)`, value: current });
  }
  return options;
}

/** Saves the settings in the app plugin's jsonData, keeping the plugin enabled and pinned. */
export async function saveSettings(settings: AppSettings): Promise<void> {
  await lastValueFrom(
    getBackendSrv().fetch({
      url: `/api/plugins/${PLUGIN_ID}/settings`,
      method: 'POST',
      data: { enabled: true, pinned: true, jsonData: settings },
      showErrorAlert: false,
    }),
  );
}

interface Props {
  initial: AppSettings;
  /** Called after a successful save (the config page reloads so that Grafana reads the new jsonData). */
  onSaved?: () => void;
}

export function SettingsForm({ initial, onSaved }: Props) {
  const styles = useStyles2(getStyles);
  const [form, setForm] = useState<AppSettings>(initial);
  const [status, setStatus] = useState<{ ok: boolean; message: string } | undefined>();
  const [saving, setSaving] = useState(false);
  const datasources = useAsync(() => getBackendSrv().get<DatasourceInfo[]>('/api/datasources'), []);
  const list = datasources.value ?? [];

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setSaving(true);
    try {
      await saveSettings({ ...form, jobLabel: form.jobLabel.trim() || DEFAULT_SETTINGS.jobLabel });
      setStatus({ ok: true, message: 'Settings saved.' });
      onSaved?.();
    } catch (err) {
      setStatus({ ok: false, message: errorMessage(err) });
    } finally {
      setSaving(false);
    }
  };

  return (
    <form onSubmit={submit} className={styles.form} data-testid="settings-form">
      <FieldSet label="Datasources">
        {datasources.error && (
          <Alert severity="warning" title="Could not list datasources">
            {datasources.error}
          </Alert>
        )}
        <Field label="Loki" description="Where the exporter writes drift records (one JSON line per drift).">
          <Select
            inputId="tfdrift-loki-ds"
            aria-label="Loki datasource"
            width={50}
            isLoading={datasources.loading}
            options={datasourceOptions(list, 'loki', form.lokiDatasourceUid)}
            value={form.lokiDatasourceUid}
            onChange={(v) => setForm({ ...form, lokiDatasourceUid: v.value ?? '' })}
          />
        </Field>
        <Field label="Prometheus" description="Scrapes the exporter's /metrics (tfdrift_* metrics).">
          <Select
            inputId="tfdrift-prom-ds"
            aria-label="Prometheus datasource"
            width={50}
            isLoading={datasources.loading}
            options={datasourceOptions(list, 'prometheus', form.prometheusDatasourceUid)}
            value={form.prometheusDatasourceUid}
            onChange={(v) => setForm({ ...form, prometheusDatasourceUid: v.value ?? '' })}
          />
        </Field>
        <Field
          label="Job label"
          description="The Loki stream label job of drift records (exporter outputs.loki.labels.job)."
        >
          <Input
            id="tfdrift-job"
            aria-label="Job label"
            width={30}
            value={form.jobLabel}
            onChange={(e) => setForm({ ...form, jobLabel: e.currentTarget.value })}
          />
        </Field>
      </FieldSet>
      {status && (
        <Alert
          severity={status.ok ? 'success' : 'error'}
          title={status.ok ? 'Saved' : 'Save failed'}
          data-testid="settings-status"
        >
          {status.message}
        </Alert>
      )}
      <Button type="submit" disabled={saving}>
        Save settings
      </Button>
    </form>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  form: css({ maxWidth: 720, display: 'flex', flexDirection: 'column', gap: theme.spacing(2) }),
});
