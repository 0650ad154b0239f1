import React from 'react';
import { Alert, Badge, type BadgeColor } from '@grafana/ui';
import type { Change, Plan } from '@tfdrift/alert-rules';

const BADGE: Record<Change['action'], { text: string; color: BadgeColor }> = {
  create: { text: 'missing: will be created', color: 'blue' },
  update: { text: 'differs: will be updated', color: 'orange' },
  delete: { text: 'will be deleted', color: 'red' },
  unchanged: { text: 'up to date', color: 'green' },
};

function show(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}

/** What exists in Grafana compared with the settings above: status per resource and field diffs. */
export function PlanView({ plan }: { plan: Plan }) {
  return (
    <div data-testid="plan">
      {plan.conflicts.length > 0 && (
        <Alert severity="error" title="Rules provisioned outside TFDrift">
          {plan.conflicts.map((c) => `"${c.title}" (${c.uid}, provenance ${c.provenance})`).join(', ')}: Grafana will refuse
          to change them through the API. Remove them from file provisioning first.
        </Alert>
      )}
      <table className="filter-table">
        <thead>
          <tr>
            <th>Kind</th>
            <th>Name</th>
            <th>Status</th>
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
