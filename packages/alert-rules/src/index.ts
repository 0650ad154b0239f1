/**
 * @tfdrift/alert-rules: Grafana-managed alert rules for TFDrift, built from a preset plus user
 * edits (pure, browser-safe) and applied through Grafana's alerting provisioning HTTP API.
 */
export * from './grafana-types.js';
export * from './presets.js';
export * from './duration.js';
export * from './queries.js';
export * from './uid.js';
export * from './maintenance.js';
export * from './build.js';
export * from './diff.js';
export * from './errors.js';
export * from './client.js';
export * from './apply.js';
export * from './format.js';
export * from './applied.js';
export * from './presets-table.js';
export * from './preflight.js';
