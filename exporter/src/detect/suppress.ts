import type { AuditEvent } from '../model/event.js';
import type { DetectionConfig } from './config.js';
import type { DriftDraft } from './detector.js';
import { matchesAny } from './glob.js';
import { IgnoreRules } from './ignore.js';
import { inWindow } from './windows.js';

/** Terraform's and OpenTofu's own API calls are the intended state, never drift. */
export function isTerraformCall(userAgent: string | null): boolean {
  return userAgent !== null && /(^|[\s(])(Terraform\/|OpenTofu\/|APN\/1\.0 HashiCorp\/1\.0 Terraform)|\bterraform-provider-[a-z]+\//i.test(userAgent);
}

/** AWS acting on its own behalf: service principals and service-linked roles (autoscaling …). */
export function isServicePrincipal(e: AuditEvent): boolean {
  if (e.principal.type === 'AWSService') return true;
  const arn = e.principal.arn ?? '';
  if (/:assumed-role\/AWSServiceRoleFor[^/]+\//.test(arn) || /:role\/aws-service-role\//.test(arn)) return true;
  if (e.provider === 'gcp' && /@(cloudservices|container-engine-robot|compute-system)\.iam\.gserviceaccount\.com$|^service-\d+@/.test(e.principal.name ?? '')) return true;
  return false;
}

/** Event-level suppression (before detection): returns the reason, or null to go on. */
export function eventSuppression(e: AuditEvent, cfg: DetectionConfig): string | null {
  if (cfg.suppress.terraform_user_agent && isTerraformCall(e.userAgent)) return 'terraform';
  if (cfg.suppress.principals.length > 0 && [e.principal.name, e.principal.arn, e.principal.originalUser].some((p) => p !== null && matchesAny(p, cfg.suppress.principals)))
    return 'ci_principal';
  if (cfg.suppress.service_principals && isServicePrincipal(e)) return 'service_principal';
  if (cfg.maintenance_windows.length > 0) {
    const at = e.eventTime ? new Date(e.eventTime) : new Date();
    if (!Number.isNaN(at.getTime()) && cfg.maintenance_windows.some((w) => inWindow(w, at, e.accountId))) return 'maintenance_window';
  }
  return null;
}

/** Drift-level ignore rules: drop ignored attributes; a draft with nothing left is suppressed. */
export function applyIgnoreRules(d: DriftDraft, rules: IgnoreRules): DriftDraft | null {
  if (rules.size === 0) return d;
  if (rules.ignoresResource(d.resourceType, d.resourceId)) return null;
  if (d.changeType !== 'modified' || d.changes.length === 0) return d;
  const changes = d.changes.filter((c) => !rules.ignoresAttribute(d.resourceType, d.resourceId, c.attribute));
  return changes.length === 0 ? null : { ...d, changes };
}
