import { execFileSync } from 'child_process';
import fs from 'fs';
import path from 'path';
import { parse } from 'yaml';
import pluginJson from '../plugin.json';
import { DEFAULT_SETTINGS } from '../utils/settings';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const read = (rel: string) => parse(fs.readFileSync(path.join(repoRoot, rel), 'utf8'));

describe('provisioning', () => {
  it('defines the Loki and Prometheus datasources of the stack under the uids the plugin defaults to', () => {
    const { datasources } = read('provisioning/grafana/datasources/datasources.yaml');
    expect(
      datasources.map((d: { uid: string; type: string; url: string }) => [d.uid, d.type, d.url]),
    ).toEqual([
      [DEFAULT_SETTINGS.lokiDatasourceUid, 'loki', 'http://loki:3100'],
      [DEFAULT_SETTINGS.prometheusDatasourceUid, 'prometheus', 'http://prometheus:9090'],
    ]);
  });

  it('enables the app plugin with its default settings', () => {
    const { apps } = read('provisioning/grafana/plugins/app.yaml');
    expect(apps).toEqual([{ type: pluginJson.id, org_id: 1, disabled: false, jsonData: DEFAULT_SETTINGS }]);
  });

  it('has a file dashboards provider', () => {
    const { providers } = read('provisioning/grafana/dashboards/tfdrift.yaml');
    expect(providers[0]).toMatchObject({
      type: 'file',
      folder: 'TFDrift',
      options: { path: '/var/lib/grafana/dashboards/tfdrift' },
    });
  });

  it('scrapes the exporter at tfdrift:9464/metrics with a config promtool accepts', () => {
    const config = read('provisioning/prometheus/prometheus.yml');
    const job = config.scrape_configs.find((j: { job_name: string }) => j.job_name === 'tfdrift');
    expect(job).toMatchObject({ metrics_path: '/metrics', static_configs: [{ targets: ['tfdrift:9464'] }] });
    // promtool is Debian's prometheus package, which .ci/run installs.
    const out = execFileSync(
      'promtool',
      ['check', 'config', path.join(repoRoot, 'provisioning/prometheus/prometheus.yml')],
      {
        encoding: 'utf8',
      },
    );
    expect(out).toContain('SUCCESS');
  });
});
