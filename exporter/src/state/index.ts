import type { StateResource, StateSnapshot } from './model.js';

/** Attributes that identify resources in audit records; each is indexed when a string. */
export const INDEXED_FIELDS = new Set([
  'id', 'arn', 'name', 'bucket', 'role', 'user', 'group', 'policy_arn', 'security_group_id', 'function_name',
  'self_link', 'instance_id', 'key_id', 'target_key_id', 'cluster_identifier', 'identifier', 'db_instance_identifier',
  'topic_arn', 'queue_url', 'repository', 'zone_id', 'vpc_id', 'subnet_id', 'route_table_id', 'network_acl_id',
  'allocation_id', 'rest_api_id', 'api_id', 'load_balancer_arn', 'launch_template_id', 'log_group_name',
  'table_name', 'project', 'network', 'zone', 'region', 'resource_group_name', 'unique_id',
]);

export interface ResourceLookup {
  /** Attribute compared first (indexed). */
  field: string;
  value: string;
  /** Further attributes that must also be equal (composite identities: role + policy_arn). */
  also?: Record<string, string>;
}

const WILDCARD = '*';

function normalise(provider: string, value: string): string {
  // ARM IDs are case-insensitive; Azure itself returns them in varying case.
  return provider === 'azure' ? value.toLowerCase() : value;
}

/** Immutable index over all loaded snapshots; a reload builds a new one and swaps it in. */
export class StateIndex {
  private readonly byKey = new Map<string, StateResource[]>();
  private readonly accounts = new Set<string>();
  readonly snapshots: readonly StateSnapshot[];
  readonly resourceCount: number;

  constructor(snapshots: readonly StateSnapshot[]) {
    this.snapshots = snapshots;
    let count = 0;
    for (const snap of snapshots) {
      this.accounts.add(`${snap.source.provider}|${snap.source.accountId ?? WILDCARD}`);
      for (const res of snap.resources) {
        count++;
        const account = snap.source.accountId ?? WILDCARD;
        for (const [field, value] of Object.entries(res.attributes)) {
          if (typeof value !== 'string' || value === '' || !INDEXED_FIELDS.has(field)) continue;
          const key = this.key(res.provider, account, res.type, field, normalise(res.provider, value));
          const list = this.byKey.get(key);
          if (list) list.push(res);
          else this.byKey.set(key, [res]);
        }
      }
    }
    this.resourceCount = count;
  }

  private key(provider: string, account: string, type: string, field: string, value: string): string {
    return `${provider}\u0000${account}\u0000${type}\u0000${field}\u0000${value}`;
  }

  /** True when at least one loaded state speaks for this account (or for any account). */
  coversAccount(provider: string, accountId: string | null): boolean {
    return this.accounts.has(`${provider}|${WILDCARD}`) || (accountId !== null && this.accounts.has(`${provider}|${accountId}`));
  }

  find(provider: string, accountId: string | null, types: readonly string[], lookup: ResourceLookup): StateResource[] {
    const accounts = accountId === null ? [WILDCARD] : [accountId, WILDCARD];
    const value = normalise(provider, lookup.value);
    const out: StateResource[] = [];
    for (const account of accounts) {
      for (const type of types) {
        for (const res of this.byKey.get(this.key(provider, account, type, lookup.field, value)) ?? []) {
          const also = lookup.also ?? {};
          const ok = Object.entries(also).every(([f, v]) => {
            const actual = res.attributes[f];
            return typeof actual === 'string' && normalise(provider, actual) === normalise(provider, v);
          });
          if (ok && !out.includes(res)) out.push(res);
        }
      }
    }
    return out;
  }

  /** Resources per type, for `state inspect` and metrics. */
  countsByType(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const snap of this.snapshots) for (const r of snap.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    return counts;
  }
}
