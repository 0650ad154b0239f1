import React from 'react';
import type { RuleKey } from '@tfdrift/alert-rules';
import { RULE_LABELS } from './ThresholdsEditor';

/** The rules' `runbook_url` annotations point here (`#runbook-<rule>`), so a notification always has a next step. */
const RUNBOOKS: Record<RuleKey, string> = {
  critical:
    'Open the drift view from the notification. For each resource: ask the named user why, then either revert with terraform apply or bring the change into code and import it. Critical drift usually touches network exposure, encryption or IAM.',
  high: 'Same as critical, within the working day. Several high drifts from one user often mean a console hot-fix during an incident: fold it into code.',
  drift_rate:
    'Many changes outside Terraform in a short time: an incident, a migration, or automation writing to managed resources. Find the top users and user agents in the overview and agree who owns the resources.',
  unmanaged_production:
    'A resource no loaded state manages appeared in a production account. Check the state sources are complete (tfdrift state inspect), then import the resource into Terraform or delete it.',
  iam_change:
    'Identity or permission changed outside Terraform. Verify with the user through a second channel; if unexpected, treat it as a security incident (revoke sessions, review CloudTrail/audit logs for the principal).',
  public_exposure:
    'Something became reachable from the internet (0.0.0.0/0, ::/0, allUsers, "*"). Close it first (revert the rule or policy), then ask why; re-apply Terraform to restore the intended state.',
  exporter_down:
    'Prometheus sees no healthy exporter: drift is not being detected. Check the exporter process and logs, /healthz and /readyz, and the Prometheus scrape target for the job.',
  state_stale:
    'A Terraform state has not loaded successfully for longer than the threshold: comparisons use old state. Check tfdrift_state_load_errors_total, backend credentials and the exporter logs.',
  no_state_for_account:
    'Write events arrive from an account, project or subscription that no loaded state covers; they are suppressed, not reported as drift. Add a state for it (states[].account_id, project_id or subscription_id in the exporter config) or stop forwarding its events. tfdrift state inspect shows the account each state covers.',
};

export function Runbooks() {
  return (
    <div data-testid="runbooks">
      {(Object.keys(RUNBOOKS) as RuleKey[]).map((key) => (
        <section key={key} id={`runbook-${key.replace(/_/g, '-')}`}>
          <h4>{RULE_LABELS[key]}</h4>
          <p>{RUNBOOKS[key]}</p>
        </section>
      ))}
    </div>
  );
}
