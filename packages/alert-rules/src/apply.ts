/**
 * Plan, apply and delete TFDrift's alerting resources through the provisioning API.
 * `plan` only reads; `apply` writes exactly what the plan says, in an order Grafana accepts
 * (folder → mute timing → rules → policy → removal of a mute timing nothing refers to any more).
 */
import type { BuiltAlerting } from './build.js';
import { RULE_JOB_LABEL } from './build.js';
import type { GrafanaClient } from './client.js';
import { diffMuteTiming, diffRoute, diffRule, findOwnRoute, normalizeExistingRule, withOwnRoute, type FieldChange } from './diff.js';
import { GrafanaApiError } from './errors.js';
import type { AlertRuleGroup, MuteTimeInterval, ProvisionedAlertRule, Route } from './grafana-types.js';
import { PreflightError, runPreflight, type PreflightCheck, type PreflightReads } from './preflight.js';

export type ChangeKind = 'folder' | 'rule' | 'rule-group' | 'mute-timing' | 'policy';
export type ChangeAction = 'create' | 'update' | 'delete' | 'unchanged';

export interface Change {
  kind: ChangeKind;
  action: ChangeAction;
  /** UID or name. */
  id: string;
  title: string;
  fields: FieldChange[];
}

export interface ProvenanceConflict {
  uid: string;
  title: string;
  provenance: string;
}

export interface Plan {
  built: BuiltAlerting;
  changes: Change[];
  hasChanges: boolean;
  /** Rules in the group that Grafana will not let TFDrift overwrite (provisioned from files, ...). */
  conflicts: ProvenanceConflict[];
  /** The checks that passed before this plan was read (empty for `readAlerting`). */
  preflight: PreflightCheck[];
  /** What Grafana holds now, for apply. */
  current: {
    group?: AlertRuleGroup;
    policyTree: Route;
    muteTiming?: MuteTimeInterval;
  };
}

/** Provenances a write with X-Disable-Provenance may replace (none, or set by this same API). */
const REPLACEABLE_PROVENANCE = new Set(['', 'api', 'none']);

function isManaged(rule: ProvisionedAlertRule, built: BuiltAlerting): boolean {
  return Object.values(built.allRuleUids).includes(rule.uid) || rule.labels[RULE_JOB_LABEL] === built.route.object_matchers?.[0]?.[2];
}

/**
 * Reads Grafana and compares it with `built` (what `applyPlan` would write). Preflight runs
 * first: a problem any write would hit throws `PreflightError` (listing every check) before
 * anything is written.
 */
export async function planAlerting(client: GrafanaClient, built: BuiltAlerting): Promise<Plan> {
  const { checks, reads } = await runPreflight(client, built);
  if (checks.some((c) => !c.ok)) {
    throw new PreflightError(checks);
  }
  return { ...(await readAlerting(client, built, reads)), preflight: checks };
}

/** The comparison alone, without preflight: what Grafana holds now, resource by resource. */
export async function readAlerting(client: GrafanaClient, built: BuiltAlerting, reads: PreflightReads = {}): Promise<Plan> {
  const changes: Change[] = [];

  const folder = 'folder' in reads ? reads.folder : await client.getFolder(built.folder.uid);
  changes.push({ kind: 'folder', action: folder ? 'unchanged' : 'create', id: built.folder.uid, title: built.folder.title, fields: [] });

  const group = folder ? await client.getRuleGroup(built.folder.uid, built.group.title) : undefined;
  const existing = (group?.rules ?? []).map((r) => normalizeExistingRule(r as unknown as Record<string, unknown>));
  const byUid = new Map(existing.map((r) => [r.uid, r]));
  const conflicts: ProvenanceConflict[] = existing
    .filter((r) => r.provenance !== undefined && !REPLACEABLE_PROVENANCE.has(r.provenance))
    .map((r) => ({ uid: r.uid, title: r.title, provenance: r.provenance ?? '' }));

  for (const rule of built.group.rules) {
    const current = byUid.get(rule.uid);
    if (!current) {
      changes.push({ kind: 'rule', action: 'create', id: rule.uid, title: rule.title, fields: [] });
      continue;
    }
    const fields = diffRule(current, rule);
    changes.push({ kind: 'rule', action: fields.length ? 'update' : 'unchanged', id: rule.uid, title: rule.title, fields });
  }
  const wanted = new Set(built.group.rules.map((r) => r.uid));
  for (const rule of existing) {
    if (isManaged(rule, built) && !wanted.has(rule.uid)) {
      changes.push({ kind: 'rule', action: 'delete', id: rule.uid, title: rule.title, fields: [] });
    }
  }
  if (group && group.interval !== built.group.interval) {
    changes.push({
      kind: 'rule-group', action: 'update', id: built.group.title, title: `rule group ${built.group.title}`,
      fields: [{ path: 'interval', before: group.interval, after: built.group.interval }],
    });
  }

  const muteTimings = await client.listMuteTimings();
  const currentMute = muteTimings.find((m) => m.name === built.muteTimingName);
  if (built.muteTiming) {
    const fields = currentMute ? diffMuteTiming(currentMute, built.muteTiming) : [];
    const action: ChangeAction = !currentMute ? 'create' : fields.length ? 'update' : 'unchanged';
    changes.push({ kind: 'mute-timing', action, id: built.muteTiming.name, title: `mute timing ${built.muteTiming.name}`, fields });
  } else if (currentMute) {
    changes.push({ kind: 'mute-timing', action: 'delete', id: currentMute.name, title: `mute timing ${currentMute.name}`, fields: [] });
  }

  const policyTree = reads.policyTree ?? (await client.getPolicyTree());
  const index = findOwnRoute(policyTree, built.route);
  const currentRoute = index >= 0 ? policyTree.routes?.[index] : undefined;
  const routeFields = diffRoute(currentRoute, built.route);
  changes.push({
    kind: 'policy', action: !currentRoute ? 'create' : routeFields.length ? 'update' : 'unchanged',
    id: 'policies', title: 'notification policy route for TFDrift alerts', fields: routeFields,
  });

  return {
    built, changes, conflicts, preflight: [],
    hasChanges: changes.some((c) => c.action !== 'unchanged'),
    current: { group, policyTree, muteTiming: currentMute },
  };
}

export interface ApplyResult {
  plan: Plan;
  /** The changes written (everything in the plan but `unchanged`). */
  applied: Change[];
}

function conflictError(conflicts: ProvenanceConflict[], cause?: GrafanaApiError): GrafanaApiError {
  const list = conflicts.map((c) => `"${c.title}" (uid ${c.uid}, provenance ${c.provenance || 'unknown'})`).join(', ');
  const what = list ? `these rules are provisioned outside TFDrift: ${list}` : 'a rule in the group is provisioned outside TFDrift';
  return new GrafanaApiError(
    `Grafana refused to update the rule group (provenance conflict, 409): ${what}. ` +
      'Grafana does not let the API overwrite file-provisioned rules. Remove them from the provisioning files (or use another --folder-uid) and apply again.' +
      (cause ? ` Grafana said: ${cause.message}` : ''),
    'provenance-conflict', cause?.status ?? 409, cause?.method ?? 'PUT', cause?.url ?? '', cause?.body,
  );
}

interface Step {
  /** The plan's changes this write carries out. */
  changes: Change[];
  write: () => Promise<unknown>;
}

/** The writes of a plan, in an order Grafana accepts. */
function steps(client: GrafanaClient, plan: Plan): Step[] {
  const { built } = plan;
  const pending = plan.changes.filter((c) => c.action !== 'unchanged');
  const of = (kind: ChangeKind, action?: ChangeAction) => pending.filter((c) => c.kind === kind && (!action || c.action === action));
  const out: Step[] = [];
  if (of('folder', 'create').length) {
    out.push({ changes: of('folder', 'create'), write: () => client.createFolder(built.folder) });
  }
  const mute = built.muteTiming;
  if (mute && of('mute-timing', 'create').length) {
    out.push({ changes: of('mute-timing', 'create'), write: () => client.createMuteTiming(mute) });
  } else if (mute && of('mute-timing', 'update').length) {
    out.push({ changes: of('mute-timing', 'update'), write: () => client.updateMuteTiming(mute) });
  }
  const ruleChanges = [...of('rule'), ...of('rule-group')];
  if (ruleChanges.length) {
    // Rules a user added to this group by hand are sent back unchanged, so the PUT keeps them.
    const foreign = (plan.current.group?.rules ?? []).filter((r) => !isManaged(normalizeExistingRule(r as unknown as Record<string, unknown>), built));
    out.push({
      changes: ruleChanges,
      write: async () => {
        try {
          return await client.putRuleGroup({ ...built.group, rules: [...built.group.rules, ...foreign] });
        } catch (err) {
          throw err instanceof GrafanaApiError && err.kind === 'provenance-conflict' ? conflictError(plan.conflicts, err) : err;
        }
      },
    });
  }
  if (of('policy').length) {
    out.push({ changes: of('policy'), write: () => client.putPolicyTree(withOwnRoute(plan.current.policyTree, built.route)) });
  }
  const oldMute = plan.current.muteTiming;
  if (of('mute-timing', 'delete').length && oldMute) {
    out.push({ changes: of('mute-timing', 'delete'), write: () => client.deleteMuteTiming(oldMute.name) });
  }
  return out;
}

/**
 * A write failed after apply started. Grafana was read again: `state` is what it holds now
 * (a change still pending there was not applied; `unchanged` means it is in place), or
 * `reReadError` says why it could not be read.
 */
export class ApplyFailedError extends GrafanaApiError {
  constructor(
    readonly writeError: GrafanaApiError,
    /** Changes whose write Grafana accepted before the failure. */
    readonly written: Change[],
    /** Changes of the write that failed. */
    readonly failed: Change[],
    readonly state: Plan | undefined,
    readonly reReadError: GrafanaApiError | undefined,
  ) {
    const where = failed.map((c) => `${c.kind} ${c.title}`).join(', ');
    const summary = state ? appliedSummary(state) : `Grafana could not be read again (${reReadError?.message ?? 'unknown error'})`;
    super(`Apply stopped at ${where}: ${writeError.message}. ${summary}`, writeError.kind, writeError.status, writeError.method, writeError.url, writeError.body);
    this.name = 'ApplyFailedError';
  }
}

/** "Re-read Grafana: N of M applied; not applied: …" from a fresh comparison. */
export function appliedSummary(state: Plan): string {
  const pending = state.changes.filter((c) => c.action !== 'unchanged');
  const list = pending.map((c) => `${c.kind} ${c.title} (${c.action === 'create' ? 'missing' : c.action === 'delete' ? 'still present' : 'differs'})`);
  return pending.length === 0
    ? `Re-read Grafana: everything is applied (${state.changes.length} resources match).`
    : `Re-read Grafana: ${state.changes.length - pending.length} of ${state.changes.length} resources match; not applied: ${list.join(', ')}. Fix the cause and apply again: it writes only what is still missing.`;
}

export async function applyPlan(client: GrafanaClient, plan: Plan): Promise<ApplyResult> {
  const pending = plan.changes.filter((c) => c.action !== 'unchanged');
  if (plan.conflicts.length > 0 && pending.some((c) => c.kind === 'rule' || c.kind === 'rule-group')) {
    throw conflictError(plan.conflicts);
  }
  const written: Change[] = [];
  for (const step of steps(client, plan)) {
    try {
      await step.write();
    } catch (err) {
      if (!(err instanceof GrafanaApiError)) {
        throw err;
      }
      // Say exactly what is in Grafana now, not what the plan hoped for.
      let state: Plan | undefined;
      let reReadError: GrafanaApiError | undefined;
      try {
        state = await readAlerting(client, plan.built);
      } catch (readErr) {
        if (!(readErr instanceof GrafanaApiError)) {
          throw readErr;
        }
        reReadError = readErr;
      }
      throw new ApplyFailedError(err, written, step.changes, state, reReadError);
    }
    written.push(...step.changes);
  }
  return { plan, applied: pending };
}

/** Plans and, unless `dryRun`, applies. */
export async function applyAlerting(client: GrafanaClient, built: BuiltAlerting, opts: { dryRun?: boolean } = {}): Promise<ApplyResult> {
  const plan = await planAlerting(client, built);
  if (opts.dryRun) {
    return { plan, applied: [] };
  }
  return applyPlan(client, plan);
}

/** Removes TFDrift's rules, its policy route and its mute timing (the folder stays: it may hold other things). */
export async function deleteAlerting(client: GrafanaClient, built: BuiltAlerting, opts: { dryRun?: boolean } = {}): Promise<Change[]> {
  const changes: Change[] = [];
  const folder = await client.getFolder(built.folder.uid);
  const group = folder ? await client.getRuleGroup(built.folder.uid, built.group.title) : undefined;
  const rules = (group?.rules ?? []).map((r) => normalizeExistingRule(r as unknown as Record<string, unknown>)).filter((r) => isManaged(r, built));
  for (const rule of rules) {
    changes.push({ kind: 'rule', action: 'delete', id: rule.uid, title: rule.title, fields: [] });
  }
  const tree = await client.getPolicyTree();
  const hasRoute = findOwnRoute(tree, built.route) >= 0;
  if (hasRoute) {
    changes.push({ kind: 'policy', action: 'delete', id: 'policies', title: 'notification policy route for TFDrift alerts', fields: [] });
  }
  const mute = (await client.listMuteTimings()).find((m) => m.name === built.muteTimingName);
  if (mute) {
    changes.push({ kind: 'mute-timing', action: 'delete', id: mute.name, title: `mute timing ${mute.name}`, fields: [] });
  }
  if (opts.dryRun) {
    return changes;
  }
  for (const rule of rules) {
    try {
      await client.deleteAlertRule(rule.uid);
    } catch (err) {
      if (err instanceof GrafanaApiError && err.kind === 'provenance-conflict') {
        throw conflictError([{ uid: rule.uid, title: rule.title, provenance: rule.provenance ?? '' }], err);
      }
      throw err;
    }
  }
  if (hasRoute) {
    await client.putPolicyTree(withOwnRoute(tree, built.route, true));
  }
  if (mute) {
    await client.deleteMuteTiming(mute.name);
  }
  return changes;
}
