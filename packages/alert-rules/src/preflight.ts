/**
 * Preflight: everything apply needs from Grafana, checked with reads only, before the first
 * write. Grafana validates each write on its own (the policy tree PUT checks every receiver in
 * the tree, the rule group PUT every datasource), so a problem found only there would leave the
 * folder, mute timing and rules written and the route not. Checking first means a failed apply
 * writes nothing.
 */
import type { BuiltAlerting } from './build.js';
import type { GrafanaClient } from './client.js';
import { withOwnRoute } from './diff.js';
import { GrafanaApiError, type GrafanaErrorKind } from './errors.js';
import type { Folder, Route } from './grafana-types.js';

export type PreflightSubject = 'datasource' | 'folder' | 'contact-point' | 'policy-tree' | 'mute-timing';

export interface PreflightCheck {
  subject: PreflightSubject;
  /** UID or name checked. */
  target: string;
  ok: boolean;
  /** What was found; for a failure, what is wrong and how to fix it. */
  message: string;
  /** Error kind of a failure, for callers that branch on it. */
  kind?: GrafanaErrorKind;
  status?: number;
  method?: string;
  url?: string;
}

/** What preflight read, so planning does not read it twice. */
export interface PreflightReads {
  folder?: Folder;
  policyTree?: Route;
  contactPoints?: string[];
  muteTimings?: string[];
}

export class PreflightError extends GrafanaApiError {
  constructor(readonly checks: PreflightCheck[]) {
    const failed = checks.filter((c) => !c.ok);
    const first = failed[0];
    super(
      `Preflight found ${failed.length} problem(s); nothing was written to Grafana: ${failed.map((c) => c.message).join(' ')}`,
      first?.kind ?? 'validation',
      first?.status,
      first?.method ?? 'GET',
      first?.url ?? '',
    );
    this.name = 'PreflightError';
  }

  get failures(): PreflightCheck[] {
    return this.checks.filter((c) => !c.ok);
  }
}

function datasourceTypes(built: BuiltAlerting): Map<string, string> {
  const uids = new Map<string, string>();
  for (const rule of built.group.rules) {
    for (const q of rule.data) {
      if (q.datasourceUid !== '__expr__') {
        const type = String((q.model.datasource as { type?: string } | undefined)?.type ?? 'datasource');
        uids.set(q.datasourceUid, type === 'loki' ? 'Loki' : type === 'prometheus' ? 'Prometheus' : type);
      }
    }
  }
  return uids;
}

async function checkDatasources(client: GrafanaClient, built: BuiltAlerting): Promise<PreflightCheck[]> {
  const checks: PreflightCheck[] = [];
  for (const [uid, type] of datasourceTypes(built)) {
    const path = `/api/datasources/uid/${encodeURIComponent(uid)}`;
    const exists = await client.datasourceExists(uid);
    const flag = type === 'Prometheus' ? '--prometheus-datasource-uid' : '--datasource-uid';
    checks.push(
      exists
        ? { subject: 'datasource', target: uid, ok: true, message: `${type} datasource "${uid}" exists.` }
        : {
            subject: 'datasource', target: uid, ok: false, kind: 'datasource-not-found', status: 404, method: 'GET', url: path,
            message: `${type} datasource "${uid}" does not exist in Grafana (GET ${path} → 404). Pick an existing one (${flag}, or the plugin's Configuration page).`,
          },
    );
  }
  return checks;
}

/**
 * The folder: an existing one must be writable (`canSave`/`canEdit` in Grafana's folder answer);
 * a missing one must be creatable (`folders:create` among the user's actions, where Grafana
 * serves `/api/access-control/user/actions`; older ones do not, and the create is tried).
 */
async function checkFolder(client: GrafanaClient, built: BuiltAlerting, reads: PreflightReads): Promise<PreflightCheck> {
  const { uid, title } = built.folder;
  const folder = await client.getFolder(uid);
  reads.folder = folder;
  const path = `/api/folders/${encodeURIComponent(uid)}`;
  if (folder) {
    if (folder.canSave === false || folder.canEdit === false) {
      return {
        subject: 'folder', target: uid, ok: false, kind: 'forbidden', status: 403, method: 'GET', url: path,
        message: `Folder "${folder.title ?? title}" (${uid}) exists but this user cannot write to it (GET ${path}: canSave false). Grant Edit on the folder, or choose another folder UID.`,
      };
    }
    return { subject: 'folder', target: uid, ok: true, message: `Folder "${folder.title ?? title}" (${uid}) exists and is writable.` };
  }
  const actions = await client.userActions();
  if (actions && !actions['folders:create']) {
    return {
      subject: 'folder', target: uid, ok: false, kind: 'forbidden', status: 403, method: 'GET', url: '/api/access-control/user/actions',
      message: `Folder "${title}" (${uid}) does not exist and this user may not create folders (no folders:create). Create it in Grafana, or grant the Editor role.`,
    };
  }
  return {
    subject: 'folder', target: uid, ok: true,
    message: `Folder "${title}" (${uid}) will be created${actions ? ' (folders:create granted)' : ''}.`,
  };
}

/** Every receiver and mute timing the policy tree names once TFDrift's route is in it. */
function references(route: Route, receivers: Set<string>, timings: Set<string>): void {
  if (route.receiver) {
    receivers.add(route.receiver);
  }
  for (const name of [...(route.mute_time_intervals ?? []), ...((route as { active_time_intervals?: string[] }).active_time_intervals ?? [])]) {
    timings.add(name);
  }
  for (const child of route.routes ?? []) {
    references(child, receivers, timings);
  }
}

async function checkPolicyTree(client: GrafanaClient, built: BuiltAlerting, reads: PreflightReads): Promise<PreflightCheck[]> {
  const path = '/api/v1/provisioning/policies';
  let tree: Route;
  try {
    tree = await client.getPolicyTree();
  } catch (err) {
    if (err instanceof GrafanaApiError && err.kind !== 'network' && err.kind !== 'unauthorized') {
      return [{ subject: 'policy-tree', target: 'policies', ok: false, kind: err.kind, status: err.status, method: 'GET', url: err.url, message: `The notification policy tree cannot be read: ${err.message}` }];
    }
    throw err;
  }
  reads.policyTree = tree;
  const checks: PreflightCheck[] = [{ subject: 'policy-tree', target: 'policies', ok: true, message: 'The notification policy tree is readable.' }];
  const contactPoints = (await client.listContactPoints()).map((c) => c.name);
  reads.contactPoints = contactPoints;
  const existing = new Set(contactPoints);
  const receivers = new Set<string>();
  const timings = new Set<string>();
  references(withOwnRoute(tree, built.route), receivers, timings);
  const known = Array.from(existing).sort().join(', ') || 'none';
  for (const name of receivers) {
    const own = name === built.route.receiver;
    const isDefault = name === tree.receiver;
    const role = own ? 'the contact point chosen for TFDrift alerts' : isDefault ? "the policy tree's default receiver" : 'a receiver in the policy tree';
    checks.push(
      existing.has(name)
        ? { subject: 'contact-point', target: name, ok: true, message: `Contact point "${name}" (${role}) exists.` }
        : {
            subject: 'contact-point', target: name, ok: false, kind: 'contact-point-not-found', status: 404, method: 'GET', url: '/api/v1/provisioning/contact-points',
            message: `contact point "${name}" (${role}) does not exist in Grafana (GET /api/v1/provisioning/contact-points); existing: ${known}. ` +
              (own ? 'Choose an existing contact point.' : `Grafana rejects a policy tree naming it (PUT ${path} → 400): create the contact point "${name}" or fix the notification policies in Grafana.`),
          },
    );
  }
  const muteTimings = timings.size > 0 ? (await client.listMuteTimings()).map((m) => m.name) : [];
  reads.muteTimings = muteTimings;
  for (const name of timings) {
    if (name === built.muteTiming?.name || muteTimings.includes(name)) {
      continue;
    }
    checks.push({
      subject: 'mute-timing', target: name, ok: false, kind: 'not-found', status: 404, method: 'GET', url: '/api/v1/provisioning/mute-timings',
      message: `mute timing "${name}" named in the policy tree does not exist (GET /api/v1/provisioning/mute-timings): fix the notification policies in Grafana.`,
    });
  }
  return checks;
}

/**
 * Runs every check (one failure does not hide the next) and returns them all, with what it
 * read. Credentials and reachability errors (401, network) are thrown as they are: nothing
 * else can be checked then.
 */
export async function runPreflight(client: GrafanaClient, built: BuiltAlerting): Promise<{ checks: PreflightCheck[]; reads: PreflightReads }> {
  const reads: PreflightReads = {};
  const checks = [...(await checkDatasources(client, built)), await checkFolder(client, built, reads), ...(await checkPolicyTree(client, built, reads))];
  return { checks, reads };
}
