import React from 'react';
import { Checkbox, Input } from '@grafana/ui';
import { RULE_KEYS, type RuleKey, type RuleTuning, type Tuning } from '@tfdrift/alert-rules';

export const RULE_LABELS: Record<RuleKey, string> = {
  critical: 'Critical drift',
  high: 'High drift',
  drift_rate: 'Drift rate (any severity)',
  unmanaged_production: 'Unmanaged resource in production',
  iam_change: 'IAM change',
  public_exposure: 'Public exposure',
  exporter_down: 'Exporter down (Prometheus)',
  state_stale: 'Terraform state stale (Prometheus)',
  no_state_for_account: 'Events of an account without state (Prometheus)',
};

const THRESHOLD_HELP: Partial<Record<RuleKey, string>> = {
  exporter_down: 'fires when fewer exporters are up',
  state_stale: 'seconds since last successful load',
  no_state_for_account: 'suppressed events in the window',
};

interface Props {
  tuning: Tuning;
  onChange: (key: RuleKey, patch: Partial<RuleTuning>) => void;
}

/** One row per rule: enabled, threshold ("fires when above"), look-back window and pending period. */
export function ThresholdsEditor({ tuning, onChange }: Props) {
  return (
    <table className="filter-table" data-testid="thresholds">
      <thead>
        <tr>
          <th>Rule</th>
          <th>On</th>
          <th>Fires when above</th>
          <th>Window</th>
          <th>Pending for</th>
          <th>Severity</th>
        </tr>
      </thead>
      <tbody>
        {RULE_KEYS.map((key) => {
          const t = tuning[key];
          return (
            <tr key={key} data-testid={`threshold-row-${key}`}>
              <td>{RULE_LABELS[key]}</td>
              <td>
                <Checkbox
                  aria-label={`enabled ${key}`}
                  value={t.enabled}
                  onChange={(e) => onChange(key, { enabled: e.currentTarget.checked })}
                />
              </td>
              <td>
                <Input
                  aria-label={`threshold ${key}`}
                  type="number"
                  min={0}
                  width={12}
                  value={String(t.threshold)}
                  title={THRESHOLD_HELP[key]}
                  onChange={(e) => onChange(key, { threshold: Number(e.currentTarget.value) })}
                />
              </td>
              <td>
                <Input
                  aria-label={`window ${key}`}
                  width={10}
                  value={t.window}
                  onChange={(e) => onChange(key, { window: e.currentTarget.value.trim() })}
                />
              </td>
              <td>
                <Input
                  aria-label={`for ${key}`}
                  width={10}
                  value={t.for}
                  onChange={(e) => onChange(key, { for: e.currentTarget.value.trim() })}
                />
              </td>
              <td>{t.severity}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
