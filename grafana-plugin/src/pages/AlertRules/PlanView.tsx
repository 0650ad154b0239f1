import React from 'react';
import { Alert, Badge, type BadgeColor } from '@grafana/ui';
import type { Change, Plan, RuleState } from '@tfdrift/alert-rules';

const BADGE: Record<Change['action'], { text: string; color: BadgeColor }> = {
  create: { text: 'missing: will be created', color: 'blue' },
  update: { text: 'differs: will be updated', color: 'orange' },
  delete: { text: 'will be deleted', color: 'red' },
  unchanged: { text: 'up to date', color: 'green' },
};

function show(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}

function evaluation(change: Change, states: Map<string, RuleState> | undefined): string {
  if (change.kind !== 'rule' || change.action === 'create' || !states) {
    return '';
  }
  const s = states.get(change.id) ?? states.get(`title:${change.title}`);
  if (!s) {
    return 'not evaluated yet';
  }
  if (s.health === 'error') {
    return `error${s.lastError ? `: ${s.lastError}` : ''}`;
  }
  const state = s.state === 'inactive' ? 'normal' : s.state;
  return s.activeAlerts > 0
    ? `${state} (${s.activeAlerts} alert${s.activeAlerts === 1 ? '' : 's'})`
    : s.health === 'nodata'
      ? `${state}, no data`
      : state;
}

/**
 * What exists in Grafana compared with the settings above: status per resource, field diffs,
 * and for existing rules how Grafana's evaluator last saw them.
 */
export function PlanView({ plan, states }: { plan: Plan; states?: Map<string, RuleState> }) {
  return (
    <div data-testid="plan">
      {plan.conflicts.length > 0 && (
        <Alert severity="error" title="Rules provisioned outside TFDrift">
          {plan.conflicts.map((c) => `"${c.title}" (${c.uid}, provenance ${c.provenance})`).join(', ')}:
          Grafana will refuse to change them through the API. Remove them from file provisioning first.
        </Alert>
      )}
      <table className="filter-table">
        <thead>
          <tr>
            <th>Kind</th>
            <th>Name</th>
            <th>Status</th>
            <th>Evaluation</th>
            <th>Differences</th>
          </tr>
        </thead>
        <tbody>
          {plan.changes.map((c) => (
            <tr key={`${c.kind}:${c.id}`} data-testid={`plan-${c.kind}-${c.id}`} data-action={c.action}>
              <td>{c.kind}</td>
              <td>{c.title}</td>
              <td>
                <Badge text={BADGE[c.action].text} color={BADGE[c.action].color} />
              </td>
              <td data-testid={`evaluation-${c.id}`}>{evaluation(c, states)}</td>
              <td>
                {c.fields.map((f) => (
                  <div key={f.path}>
                    <code>{f.path}</code>: {show(f.before)} → {show(f.after)}
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
