import React from 'react';

/** Alert rules page: presets, thresholds, maintenance windows, contact point, preview, diff, apply. */
export function AlertRulesPage() {
  return (
    <div data-testid="tfdrift-alert-rules-page">
      <h2>Alert rules</h2>
      <p>Set up Grafana-managed alert rules for Terraform drift.</p>
    </div>
  );
}
