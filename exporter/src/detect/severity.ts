import type { Severity } from '../model/drift.js';
import type { DriftDraft } from './detector.js';

/** Any address with prefix length 0 is the whole internet (`0.0.0.0/0`, `::/0`, or `1.2.3.4/0`). */
const PUBLIC_CIDR = /from [0-9a-fA-F:.]+\/0$/;

function hasPublicIngress(d: DriftDraft): boolean {
  return d.changes.some(
    (c) => c.attribute === 'ingress' && Array.isArray(c.actual) && c.actual.some((r) => typeof r === 'string' && PUBLIC_CIDR.test(r)),
  );
}

function hasWildcardPrincipal(d: DriftDraft): boolean {
  return d.changes.some((c) => /"Principal":\{"AWS":\["\*"\]\}|"Principal":"\*"/.test(JSON.stringify(c.actual ?? null)));
}

/** Default severity; configurable rules (detect/rules) come first when configured. */
export function defaultSeverity(d: DriftDraft): Severity {
  if (hasPublicIngress(d) || hasWildcardPrincipal(d)) return 'critical';
  if (/^aws_(iam_|cloudtrail|kms_)/.test(d.resourceType)) return d.changeType === 'unmanaged' ? 'high' : 'critical';
  if (d.changeType === 'missing') return 'high';
  if (/security_group|network_acl|s3_bucket/.test(d.resourceType)) return 'high';
  if (d.changes.length > 0 && d.changes.every((c) => c.attribute === 'tags' || c.attribute === 'tags_all')) return 'low';
  return 'medium';
}
