import React, { useState } from 'react';
import { lastValueFrom } from 'rxjs';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { DataSourcePicker, getBackendSrv } from '@grafana/runtime';
import { Alert, Button, Field, FieldSet, Input, useStyles2 } from '@grafana/ui';
import { errorMessage } from '../../api/client';
import { PLUGIN_ID } from '../../constants';
import { AppSettings, DEFAULT_SETTINGS, publishSettings } from '../../utils/settings';

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
  /** Called after a successful save, with what was saved. */
  onSaved?: (settings: AppSettings) => void;
}

/**
 * The plugin's settings: Grafana's own data source pickers (one for Loki, one for Prometheus,
 * each offering only data sources of that type) and the job label. A saved change applies to
 * every page of the app at once.
 */
export function SettingsForm({ initial, onSaved }: Props) {
  const styles = useStyles2(getStyles);
  const [form, setForm] = useState<AppSettings>(initial);
  const [status, setStatus] = useState<{ ok: boolean; message: string } | undefined>();
  const [saving, setSaving] = useState(false);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setSaving(true);
    setStatus(undefined);
    const next = { ...form, jobLabel: form.jobLabel.trim() || DEFAULT_SETTINGS.jobLabel };
    try {
      await saveSettings(next);
      publishSettings(next);
      setStatus({ ok: true, message: 'Settings saved. Every page of the app uses them now.' });
      onSaved?.(next);
    } catch (err) {
      setStatus({ ok: false, message: errorMessage(err) });
    } finally {
      setSaving(false);
    }
  };

  return (
    <form onSubmit={submit} className={styles.form} data-testid="settings-form">
      <FieldSet label="Data sources">
        <Field label="Loki" htmlFor="tfdrift-loki-ds" description="Where the exporter writes drift records (one JSON line per drift).">
          <div data-testid="loki-datasource">
            <DataSourcePicker
              inputId="tfdrift-loki-ds"
              type="loki"
              noDefault
              width={50}
              current={form.lokiDatasourceUid}
              onChange={(ds) => setForm({ ...form, lokiDatasourceUid: ds.uid })}
            />
          </div>
        </Field>
        <Field label="Prometheus" htmlFor="tfdrift-prom-ds" description="Scrapes the exporter's /metrics (tfdrift_* metrics).">
          <div data-testid="prometheus-datasource">
            <DataSourcePicker
              inputId="tfdrift-prom-ds"
              type="prometheus"
              noDefault
              width={50}
              current={form.prometheusDatasourceUid}
              onChange={(ds) => setForm({ ...form, prometheusDatasourceUid: ds.uid })}
            />
          </div>
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
