import { COMPARATORS } from '../../detect/compare.js';
import { isRecord } from '../../util/paths.js';

/**
 * GCP-specific comparators, registered into the shared comparator table (additive: new
 * names only). Both sides of a comparison (state attribute, audit-log value) pass through
 * the same normaliser, so they must accept both spellings.
 */

/** IAM bindings as a sorted set of `role member`: policy_data JSON, `{bindings}`, delta lists, or strings. */
export function normaliseIamBindings(value: unknown): string[] {
  let v = value;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t.startsWith('{') || t.startsWith('[')) {
      try {
        v = JSON.parse(t);
      } catch {
        return [t];
      }
    } else return t === '' ? [] : [t];
  }
  const out = new Set<string>();
  const visit = (x: unknown): void => {
    if (Array.isArray(x)) return x.forEach(visit);
    if (typeof x === 'string') return void out.add(x);
    if (!isRecord(x)) return;
    if (Array.isArray(x.bindings)) return visit(x.bindings);
    const role = typeof x.role === 'string' ? x.role : null;
    if (!role) return;
    if (typeof x.member === 'string') out.add(`${role} ${x.member}`);
    if (Array.isArray(x.members)) for (const m of x.members) if (typeof m === 'string') out.add(`${role} ${m}`);
  };
  visit(v);
  return [...out].sort();
}

/**
 * Firewall allow/deny rules as `proto:ports` strings. The API (and audit logs) spell them
 * `alloweds: [{IPProtocol, ports}]`; the google provider `allow: [{protocol, ports}]`.
 */
export function normaliseFirewallRules(value: unknown): string[] {
  const out = new Set<string>();
  for (const rule of Array.isArray(value) ? value : value === null || value === undefined ? [] : [value]) {
    if (!isRecord(rule)) continue;
    const proto = String(rule.IPProtocol ?? rule.ipProtocol ?? rule.protocol ?? 'all').toLowerCase();
    const ports = Array.isArray(rule.ports) ? rule.ports.map(String) : [];
    if (ports.length === 0) out.add(`${proto}:all`);
    for (const p of ports) out.add(`${proto}:${p}`);
  }
  return [...out].sort();
}

/** `zones/us-central1-a/machineTypes/e2-small` and `e2-small` are the same machine type. */
export function lastSegmentValue(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? null;
  const parts = value.split('/');
  return parts[parts.length - 1];
}

/** GCE metadata `{items: [{key, value}]}` (API) or a map (provider); the ssh keys live there too. */
export function normaliseMetadata(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const items = isRecord(value) && Array.isArray(value.items) ? value.items : Array.isArray(value) ? value : null;
  if (items) {
    for (const it of items) if (isRecord(it) && typeof it.key === 'string') out[it.key] = it.value === undefined || it.value === null ? '' : String(it.value);
  } else if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) if (k !== 'fingerprint' && k !== 'kind') out[k] = v === null || v === undefined ? '' : String(v);
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Network tags: `{items: [...], fingerprint}` (API) or a list (provider). */
function normaliseTagItems(value: unknown): string[] {
  const list = isRecord(value) && Array.isArray(value.items) ? value.items : Array.isArray(value) ? value : [];
  return [...new Set(list.filter((x): x is string => typeof x === 'string'))].sort();
}

/**
 * VPC flow logs on or off: the provider models them as a `log_config` block (present = on), the
 * API as `logConfig.enable` or the older `enableFlowLogs`.
 */
export function flowLogsEnabled(value: unknown): boolean | null {
  if (Array.isArray(value)) return value.length > 0;
  if (isRecord(value)) return 'enable' in value ? value.enable === true || value.enable === 'true' : Object.keys(value).length > 0;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return null;
}

export function registerGcpComparators(): void {
  COMPARATORS.gcp_flow_logs_enabled ??= { normalise: flowLogsEnabled };
  COMPARATORS.gcp_iam_bindings ??= { normalise: normaliseIamBindings };
  COMPARATORS.gcp_firewall_rules ??= { normalise: normaliseFirewallRules };
  COMPARATORS.gcp_last_segment ??= { normalise: lastSegmentValue };
  COMPARATORS.gcp_metadata ??= { normalise: normaliseMetadata };
  COMPARATORS.gcp_network_tags ??= { normalise: normaliseTagItems };
}
