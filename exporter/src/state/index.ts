import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { StateResource, StateSnapshot } from './model.js';

/** Attributes that identify resources in audit records; each is indexed when a string. */
export const INDEXED_FIELDS = new Set([
  'id', 'arn', 'name', 'bucket', 'role', 'user', 'group', 'policy_arn', 'security_group_id', 'function_name',
  'self_link', 'instance_id', 'key_id', 'target_key_id', 'cluster_identifier', 'identifier', 'db_instance_identifier',
  'topic_arn', 'queue_url', 'repository', 'zone_id', 'vpc_id', 'subnet_id', 'route_table_id', 'network_acl_id',
  'allocation_id', 'rest_api_id', 'api_id', 'load_balancer_arn', 'launch_template_id', 'log_group_name',
  'table_name', 'project', 'network', 'zone', 'region', 'resource_group_name', 'unique_id',
  // azurerm resources keyed by another ARM ID than `id` (role definitions, Key Vault children, per-parent settings).
  'role_definition_resource_id', 'resource_versionless_id', 'resource_manager_versionless_id', 'key_vault_id', 'server_id',
  // AWS mapping tables (issue 4): Bedrock guardrails are named only by these.
  'guardrail_arn', 'guardrail_id',
]);

export interface ResourceLookup {
  /** Attribute compared first (indexed). */
  field: string;
  value: string;
  /** Further attributes that must also be equal (composite identities: role + policy_arn). */
  also?: Record<string, string>;
}

export interface IndexStats {
  resources: number;
  snapshots: number;
  keys: number;
  /** Keys naming more than one resource (e.g. the same `name` in two regions of one account). */
  ambiguousKeys: number;
  buildMs: number;
}

const WILDCARD = '*';
const SEP = '\u0000';
const GCP_API_PREFIX = /^https:\/\/[a-z0-9.-]+\.googleapis\.com\/(?:[a-z0-9]+\/)?v[0-9a-z.]+\//i;

/** The form in which values are keyed: ARM IDs are case-insensitive; GCP self_links match their path form. */
function normalise(provider: string, field: string, value: string): string {
  if (provider === 'azure') return value.toLowerCase();
  if (provider === 'gcp' && field === 'self_link') return value.replace(GCP_API_PREFIX, '');
  return value;
}

/** The account a resource names itself (ARN, GCP project, ARM subscription), or null when it does not say. */
export function namedAccount(res: StateResource): string | null {
  const a = res.attributes;
  if (res.provider === 'aws' && typeof a.arn === 'string') {
    const acct = a.arn.split(':', 5)[4];
    if (acct && /^\d{12}$/.test(acct)) return acct;
  } else if (res.provider === 'gcp' && typeof a.project === 'string' && a.project !== '') {
    return a.project;
  } else if (res.provider === 'azure' && typeof a.id === 'string') {
    const m = /^\/subscriptions\/([^/]+)/i.exec(a.id);
    if (m) return m[1].toLowerCase();
  }
  return null;
}

/**
 * The account a resource is looked up under: the account its source is bound to in the config
 * when it is (the operator's binding wins; the store warns when resources name another), else
 * the account the resource names itself, so unbound states that reach several accounts through
 * aliased providers route correctly.
 */
export function resourceAccount(res: StateResource): string {
  return res.source.accountId ?? namedAccount(res) ?? WILDCARD;
}

/** Accounts other than the bound one that a snapshot's resources name, with how many name each. */
export function foreignAccounts(snap: StateSnapshot): Map<string, number> {
  const out = new Map<string, number>();
  const bound = snap.source.accountId;
  if (bound === null) return out;
  for (const res of snap.resources) {
    if (res.provider !== snap.source.provider) continue;
    const named = namedAccount(res);
    if (named !== null && named !== bound) out.set(named, (out.get(named) ?? 0) + 1);
  }
  return out;
}

/** The region a resource lives in when the state says so (ARN, `region`/`location` attribute), else the source's. */
export function resourceRegion(res: StateResource): string | null {
  const a = res.attributes;
  if (typeof a.arn === 'string') {
    const region = a.arn.split(':', 4)[3];
    if (region) return region;
  }
  if (typeof a.region === 'string' && a.region !== '') return a.region;
  if (typeof a.location === 'string' && a.location !== '') return a.location.toLowerCase().replace(/\s+/g, '');
  return res.source.region;
}

/** Immutable index over all loaded snapshots; a reload builds a new one and swaps it in. */
export class StateIndex {
  /**
   * provider+account+type+field → value → resources. Nested maps key on the attribute value
   * string itself (its hash is cached in the string), so building allocates no key per value.
   */
  private readonly byKey = new Map<string, Map<string, StateResource[]>>();
  private keyCount = 0;
  private readonly accounts = new Set<string>();
  private ambiguous = 0;
  private count = 0;
  private buildTime = 0;
  readonly snapshots: readonly StateSnapshot[];

  /** Builds synchronously; `StateIndex.build` does the same work in slices that let the event loop run. */
  constructor(snapshots: readonly StateSnapshot[], deferred = false) {
    this.snapshots = snapshots;
    if (!deferred) for (const _ of this.fill()) void _;
  }

  /** Builds the index yielding to the event loop every `sliceMs`, for large reloads in a running daemon. */
  static async build(snapshots: readonly StateSnapshot[], sliceMs = 10): Promise<StateIndex> {
    const index = new StateIndex(snapshots, true);
    let sliceStart = performance.now();
    for (const _ of index.fill()) {
      if (performance.now() - sliceStart > sliceMs) {
        await yieldToLoop();
        sliceStart = performance.now();
      }
    }
    return index;
  }

  get resourceCount(): number {
    return this.count;
  }

  /** CPU time spent building (excludes time yielded to the event loop). */
  get buildMs(): number {
    return this.buildTime;
  }

  private *fill(): Generator<void> {
    let started = performance.now();
    const fields = INDEXED_FIELDS;
    for (const snap of this.snapshots) {
      this.accounts.add(`${snap.source.provider}|${snap.source.accountId ?? WILDCARD}`);
      const resources = snap.resources;
      for (let i = 0; i < resources.length; i++) {
        const res = resources[i];
        this.count++;
        const prefix = `${res.provider}${SEP}${resourceAccount(res)}${SEP}${res.type}${SEP}`;
        const attrs = res.attributes;
        // for-in over the object's own keys (enum cache) and a Set probe beat keyed loads of each indexed field name.
        for (const field in attrs) {
          if (!fields.has(field)) continue;
          const value = attrs[field];
          if (typeof value !== 'string' || value === '') continue;
          const group = prefix + field;
          let byValue = this.byKey.get(group);
          if (!byValue) this.byKey.set(group, (byValue = new Map()));
          const v = normalise(res.provider, field, value);
          const list = byValue.get(v);
          // Each resource reaches a (field, value) once: no duplicate check (it was O(n²) on shared values like policy_arn).
          if (!list) {
            byValue.set(v, [res]);
            this.keyCount++;
          } else {
            if (list.length === 1) this.ambiguous++;
            list.push(res);
          }
        }
        if ((i & 255) === 255) {
          this.buildTime += performance.now() - started;
          yield;
          started = performance.now();
        }
      }
    }
    this.buildTime += performance.now() - started;
  }

  private lookup(provider: string, account: string, type: string, field: string, value: string): StateResource[] | undefined {
    return this.byKey.get(`${provider}${SEP}${account}${SEP}${type}${SEP}${field}`)?.get(value);
  }

  /** True when at least one loaded state speaks for this account (or for any account). */
  coversAccount(provider: string, accountId: string | null): boolean {
    const acct = accountId !== null && provider === 'azure' ? accountId.toLowerCase() : accountId;
    return this.accounts.has(`${provider}|${WILDCARD}`) || (acct !== null && this.accounts.has(`${provider}|${acct}`));
  }

  /**
   * Resources of these types whose `lookup.field` equals the value, in this account (or in
   * states not bound to an account). `region`, when given, drops resources that state places
   * in another region, so a name reused across regions resolves to the right one.
   */
  find(provider: string, accountId: string | null, types: readonly string[], lookup: ResourceLookup, region?: string | null): StateResource[] {
    const acct = accountId !== null && provider === 'azure' ? accountId.toLowerCase() : accountId;
    const accounts = acct === null ? [WILDCARD] : [acct, WILDCARD];
    const value = normalise(provider, lookup.field, lookup.value);
    const out: StateResource[] = [];
    for (const account of accounts) {
      for (const type of types) {
        const hits = this.lookup(provider, account, type, lookup.field, value);
        if (!hits) continue;
        for (const res of hits) {
          const also = lookup.also;
          const ok =
            also === undefined ||
            Object.entries(also).every(([f, v]) => {
              const actual = res.attributes[f];
              return typeof actual === 'string' && normalise(provider, f, actual) === normalise(provider, f, v);
            });
          if (!ok || out.includes(res)) continue;
          if (region) {
            const where = resourceRegion(res);
            if (where !== null && where !== region && hits.length > 1) continue;
          }
          out.push(res);
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

  stats(): IndexStats {
    return { resources: this.resourceCount, snapshots: this.snapshots.length, keys: this.keyCount, ambiguousKeys: this.ambiguous, buildMs: this.buildMs };
  }
}
