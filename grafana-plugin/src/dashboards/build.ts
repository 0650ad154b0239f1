import type { DriftFilters } from '../queries/filters';
import { driftCountBy, driftLogQuery, overviewLogQueries } from '../queries/logql';
import { eventLagP95, inputConnected, openDriftsBy, stateAgeSeconds } from '../queries/promql';
import { ROUTES, PLUGIN_BASE_URL } from '../constants';
import {
  barGauge,
  labelVariable,
  logs,
  lokiTarget,
  Panel,
  promTarget,
  stat,
  table,
  timeSeriesBars,
} from './panels';

/**
 * The dashboards in the repository's dashboards/ folder are generated from these functions, which use
 * the same query builders as the plugin's pages (`npm run dashboards -w tfdrift-drift-app`).
 */
const JOB = 'tfdrift';

function dashboard(uid: string, title: string, description: string, panels: Panel[], variables: unknown[]) {
  return {
    uid,
    title,
    description,
    tags: ['tfdrift', 'terraform', 'drift'],
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-24h', to: 'now' },
    refresh: '1m',
    timezone: 'utc',
    templating: { list: variables },
    annotations: { list: [] },
    links: [
      {
        title: 'Three-way view',
        type: 'link',
        url: `${PLUGIN_BASE_URL}/${ROUTES.ThreeWay}`,
        icon: 'external link',
        targetBlank: false,
      },
      { title: 'TFDrift dashboards', type: 'dashboards', tags: ['tfdrift'], asDropdown: true },
    ],
    panels,
  };
}

export function overviewDashboard() {
  const filters: DriftFilters = {
    provider: { variable: 'provider' },
    account_id: { variable: 'account_id' },
    region: { variable: 'region' },
    severity: { variable: 'severity' },
  };
  const q = overviewLogQueries(JOB, filters, '$__range');
  const panels: Panel[] = [
    stat(
      1,
      'Open unmanaged',
      { x: 0, y: 0, w: 6, h: 4 },
      promTarget('A', openDriftsBy({ ...filters, change_type: ['unmanaged'] }, []), 'instant'),
    ),
    stat(
      2,
      'Open missing',
      { x: 6, y: 0, w: 6, h: 4 },
      promTarget('A', openDriftsBy({ ...filters, change_type: ['missing'] }, []), 'instant'),
    ),
    stat(
      3,
      'Open modified',
      { x: 12, y: 0, w: 6, h: 4 },
      promTarget('A', openDriftsBy({ ...filters, change_type: ['modified'] }, []), 'instant'),
    ),
    stat(
      4,
      'Drifts detected in range',
      { x: 18, y: 0, w: 6, h: 4 },
      lokiTarget('A', driftCountBy({ job: JOB, filters, by: [], range: '$__range' }), 'instant'),
    ),
    timeSeriesBars(
      5,
      'Drifts over time by severity',
      { x: 0, y: 4, w: 16, h: 8 },
      lokiTarget(
        'A',
        driftCountBy({ job: JOB, filters, by: ['severity'], range: '$__auto' }),
        'range',
        '{{severity}}',
      ),
    ),
    barGauge(
      6,
      'By change type',
      { x: 16, y: 4, w: 8, h: 8 },
      lokiTarget('A', q.byChangeType, 'instant', '{{change_type}}'),
    ),
    table(
      7,
      'By account and region',
      { x: 0, y: 12, w: 8, h: 8 },
      lokiTarget('A', q.byAccountRegion, 'instant'),
    ),
    barGauge(
      8,
      'Top resource types',
      { x: 8, y: 12, w: 8, h: 8 },
      lokiTarget('A', q.topResourceTypes, 'instant', '{{resource_type}}'),
    ),
    barGauge(
      9,
      'Top users',
      { x: 16, y: 12, w: 8, h: 8 },
      lokiTarget('A', q.topUsers, 'instant', '{{user_name}}'),
    ),
    stat(
      10,
      'Inputs connected',
      { x: 0, y: 20, w: 8, h: 4 },
      promTarget('A', inputConnected(), 'instant', '{{input}}'),
      {
        fieldConfig: {
          defaults: {
            mappings: [
              {
                type: 'value',
                options: {
                  '0': { text: 'disconnected', color: 'red' },
                  '1': { text: 'connected', color: 'green' },
                },
              },
            ],
          },
          overrides: [],
        },
      },
    ),
    stat(
      11,
      'Since last state load',
      { x: 8, y: 20, w: 8, h: 4 },
      promTarget('A', stateAgeSeconds(), 'instant', '{{state}}'),
      {
        fieldConfig: {
          defaults: {
            unit: 's',
            thresholds: {
              mode: 'absolute',
              steps: [
                { color: 'green', value: null },
                { color: 'orange', value: 3600 },
              ],
            },
          },
          overrides: [],
        },
      },
    ),
    stat(
      12,
      'Detection lag p95',
      { x: 16, y: 20, w: 8, h: 4 },
      promTarget('A', eventLagP95('$__rate_interval'), 'instant'),
      {
        fieldConfig: { defaults: { unit: 's' }, overrides: [] },
      },
    ),
    logs(
      13,
      'Latest drift records',
      { x: 0, y: 24, w: 24, h: 10 },
      lokiTarget('A', driftLogQuery({ job: JOB, filters }), 'range'),
    ),
  ];
  const variables = [
    labelVariable('provider', 'Provider', JOB),
    labelVariable('account_id', 'Account', JOB),
    labelVariable('region', 'Region', JOB),
    labelVariable('severity', 'Severity', JOB),
  ];
  return dashboard(
    'tfdrift-overview',
    'TFDrift overview',
    'Terraform drift across every account: detected drifts from Loki, open drifts and exporter health from Prometheus.',
    panels,
    variables,
  );
}

export function accountDashboard() {
  const filters: DriftFilters = { account_id: { variable: 'account_id' }, region: { variable: 'region' } };
  const q = overviewLogQueries(JOB, filters, '$__range');
  const panels: Panel[] = [
    stat(
      1,
      'Open drifts by change type',
      { x: 0, y: 0, w: 12, h: 4 },
      promTarget('A', openDriftsBy(filters, ['change_type']), 'instant', '{{change_type}}'),
    ),
    stat(
      2,
      'Drifts detected in range',
      { x: 12, y: 0, w: 12, h: 4 },
      lokiTarget('A', driftCountBy({ job: JOB, filters, by: [], range: '$__range' }), 'instant'),
    ),
    timeSeriesBars(
      3,
      'Drifts over time by severity',
      { x: 0, y: 4, w: 24, h: 8 },
      lokiTarget(
        'A',
        driftCountBy({ job: JOB, filters, by: ['severity'], range: '$__auto' }),
        'range',
        '{{severity}}',
      ),
    ),
    barGauge(
      4,
      'By change type',
      { x: 0, y: 12, w: 8, h: 8 },
      lokiTarget('A', q.byChangeType, 'instant', '{{change_type}}'),
    ),
    barGauge(
      5,
      'Top resource types',
      { x: 8, y: 12, w: 8, h: 8 },
      lokiTarget('A', q.topResourceTypes, 'instant', '{{resource_type}}'),
    ),
    barGauge(
      6,
      'Top users',
      { x: 16, y: 12, w: 8, h: 8 },
      lokiTarget('A', q.topUsers, 'instant', '{{user_name}}'),
    ),
    logs(
      7,
      'Drift records',
      { x: 0, y: 20, w: 24, h: 12 },
      lokiTarget('A', driftLogQuery({ job: JOB, filters }), 'range'),
    ),
  ];
  const variables = [
    labelVariable('account_id', 'Account', JOB, false),
    labelVariable('region', 'Region', JOB),
  ];
  return dashboard(
    'tfdrift-account',
    'TFDrift per account',
    'Terraform drift in one account (AWS account, GCP project or Azure subscription).',
    panels,
    variables,
  );
}

/** File name (in dashboards/) → dashboard JSON. */
export function allDashboards(): Record<string, unknown> {
  return { 'tfdrift-overview.json': overviewDashboard(), 'tfdrift-account.json': accountDashboard() };
}

export function serialize(dashboard: unknown): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}
