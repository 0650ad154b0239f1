/** Inputs shared by the golden and apply tests. */
import type { AlertRulesOptions } from '../src/index.js';

export function goldenOptions(preset: 'small' | 'large'): AlertRulesOptions {
  return {
    preset,
    lokiDatasourceUid: 'loki',
    prometheusDatasourceUid: 'prometheus',
    jobLabel: 'tfdrift',
    team: 'platform',
    productionAccounts: ['123456789012', '210987654321'],
    contactPoint: 'platform-slack',
    grafanaUrl: 'https://grafana.example.com',
    maintenanceWindows: [
      { kind: 'weekly', weekdays: ['saturday'], startTime: '22:00', endTime: '02:00', location: 'Europe/Berlin' },
      { kind: 'once', start: '2026-12-30T18:00', end: '2027-01-02T06:00', location: 'America/New_York' },
    ],
  };
}
