import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Badge, Card, Stack, useStyles2, type BadgeColor } from '@grafana/ui';
import type { Change, Plan, RuleState } from '@tfdrift/alert-rules';

const BADGE: Record<Change['action'], { text: string; color: BadgeColor }> = {
  create: { text: 'missing: will be created', color: 'blue' },
  update: { text: 'differs: will be updated', color: 'orange' },
  delete: { text: 'will be deleted', color: 'red' },
  unchanged: { text: 'up to date', color: 'green' },
};

/** After a failed apply the same comparison answers "is it applied?". */
const REREAD_BADGE: Record<Change['action'], { text: string; color: BadgeColor }> = {
  create: { text: 'not applied: missing', color: 'red' },
  update: { text: 'not applied: differs', color: 'red' },
  delete: { text: 'not applied: still present', color: 'red' },
  unchanged: { text: 'applied', color: 'green' },
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

interface Props {
  plan: Plan;
  states?: Map<string, RuleState>;
  /** The plan is Grafana read again after a failed apply: label each resource applied or not. */
  afterFailure?: boolean;
}

/**
 * What exists in Grafana compared with the settings above, one card per resource: status, field
 * diffs (wrapped, never wider than the page) and, for existing rules, how Grafana evaluates them.
 */
export function PlanView({ plan, states, afterFailure }: Props) {
  const styles = useStyles2(getStyles);
  const badges = afterFailure ? REREAD_BADGE : BADGE;
  return (
    <div data-testid="plan" className={styles.plan}>
      {plan.conflicts.length > 0 && (
        <Alert severity="error" title="Rules provisioned outside TFDrift">
          {plan.conflicts.map((c) => `"${c.title}" (${c.uid}, provenance ${c.provenance})`).join(', ')}:
          Grafana will refuse to change them through the API. Remove them from file provisioning first.
        </Alert>
      )}
      <Stack direction="column" gap={0}>
        {plan.changes.map((c) => {
          const evaluated = evaluation(c, states);
          return (
            <Card
              key={`${c.kind}:${c.id}`}
              isCompact
              data-testid={`plan-${c.kind}-${c.id}`}
              data-action={c.action}
              data-applied={String(c.action === 'unchanged')}
            >
              <Card.Heading>{c.title}</Card.Heading>
              <Card.Meta>
                {[c.kind, <code key="id">{c.id}</code>, ...(evaluated ? [<span key="eval" data-testid={`evaluation-${c.id}`}>{evaluated}</span>] : [])]}
              </Card.Meta>
              <Card.Tags>
                <Badge text={badges[c.action].text} color={badges[c.action].color} />
              </Card.Tags>
              {c.fields.length > 0 && (
                <Card.Description>
                  {c.fields.map((f) => (
                    <div key={f.path} className={styles.field}>
                      <code>{f.path}</code>: {show(f.before)} → {show(f.after)}
                    </div>
                  ))}
                </Card.Description>
              )}
            </Card>
          );
        })}
      </Stack>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  plan: css({ minWidth: 0, maxWidth: '100%' }),
  // JSON values can be long single tokens: wrap anywhere instead of widening the page.
  field: css({ overflowWrap: 'anywhere', fontFamily: theme.typography.fontFamilyMonospace, fontSize: theme.typography.bodySmall.fontSize }),
});
