import { emptyPrincipal, type AuditEvent, type FalcoContext, type Principal } from '../../model/event.js';
import { InputError } from '../../util/errors.js';
import { isRecord, str, parseJsonLike, parseJsonOutputField } from '../../util/paths.js';
import { inferServiceName, isReadMethod, lastSegment, regionOf, relativeName, segmentAfter } from './names.js';

/** The gcpaudit plugin fields the exporter reads; the generated rules' `output` names them all. */
export const GCP_FALCO_OUTPUT_FIELDS = [
  'gcp.time', 'gcp.user', 'gcp.callerIP', 'gcp.userAgent', 'gcp.serviceName', 'gcp.methodName',
  'gcp.resourceName', 'gcp.resourceType', 'gcp.resourceLabels', 'gcp.projectId', 'gcp.location',
  'gcp.request', 'gcp.policyDelta', 'gcp.authorizationInfo',
] as const;

/** Keys of a LogEntry, tolerating lower-cased copies (SIEM exports: `insertid`, `logname`). */
function pick(r: Record<string, unknown>, key: string): unknown {
  return r[key] ?? r[key.toLowerCase()];
}

export function isGcpLogEntry(r: unknown): r is Record<string, unknown> {
  return isRecord(r) && (isRecord(r.protoPayload) || (typeof pick(r, 'logName') === 'string' && 'resource' in r));
}

export interface BindingDelta {
  action: 'ADD' | 'REMOVE';
  role: string;
  member: string;
}

/** `serviceData.policyDelta.bindingDeltas` (IAM AuditData) or `metadata.datasetChange.bindingDeltas` (BigQuery). */
export function bindingDeltas(payload: Record<string, unknown>): BindingDelta[] {
  const candidates: unknown[] = [];
  const sd = payload.serviceData;
  if (isRecord(sd) && isRecord(sd.policyDelta)) candidates.push(sd.policyDelta.bindingDeltas);
  const md = payload.metadata;
  if (isRecord(md) && isRecord(md.datasetChange)) candidates.push(md.datasetChange.bindingDeltas);
  if (isRecord(md) && isRecord(md.policyDelta)) candidates.push(md.policyDelta.bindingDeltas);
  const out: BindingDelta[] = [];
  for (const list of candidates) {
    if (!Array.isArray(list)) continue;
    for (const d of list) {
      if (!isRecord(d)) continue;
      const action = str(d.action)?.toUpperCase();
      const role = str(d.role);
      const member = str(d.member);
      if ((action === 'ADD' || action === 'REMOVE') && role && member) out.push({ action, role, member });
    }
  }
  return out;
}

function principalOf(payload: Record<string, unknown>): Principal {
  const p = emptyPrincipal();
  const auth = isRecord(payload.authenticationInfo) ? payload.authenticationInfo : {};
  p.name = str(auth.principalEmail) ?? str(auth.principalSubject);
  p.principalId = str(auth.principalSubject);
  p.arn = str(auth.serviceAccountKeyName);
  p.type = p.name === null ? null : /gserviceaccount\.com$/.test(p.name) ? 'serviceAccount' : p.principalId?.split(':')[0] ?? 'user';
  // Impersonation: the first delegator is the human behind a service-account call.
  const chain = Array.isArray(auth.serviceAccountDelegationInfo) ? auth.serviceAccountDelegationInfo : [];
  for (const link of chain) {
    if (!isRecord(link)) continue;
    const first = isRecord(link.firstPartyPrincipal) ? str(link.firstPartyPrincipal.principalEmail) : null;
    if (first) {
      p.originalUser = first;
      break;
    }
  }
  return p;
}

function statusError(payload: Record<string, unknown>): { code: string | null; message: string | null } {
  const st = payload.status;
  if (!isRecord(st)) return { code: null, message: null };
  const code = typeof st.code === 'number' ? st.code : Number(str(st.code) ?? 0);
  if (!code) return { code: null, message: null };
  return { code: String(code), message: str(st.message) };
}

export function auditEventFromLogEntry(entry: unknown, falco: FalcoContext | null = null): AuditEvent {
  if (!isGcpLogEntry(entry)) throw new InputError('not a GCP LogEntry (needs protoPayload)', 'not_gcp_logentry');
  const payload = isRecord(entry.protoPayload) ? entry.protoPayload : null;
  if (!payload) throw new InputError('GCP LogEntry has no protoPayload (not an audit log)', 'not_audit_log');
  const methodName = str(payload.methodName);
  if (!methodName) throw new InputError('GCP audit log has no methodName', 'missing_method');
  const resource = isRecord(entry.resource) ? entry.resource : {};
  const labels = isRecord(resource.labels) ? resource.labels : {};
  const resourceType = str(resource.type);
  const rawName = str(payload.resourceName) ?? '';
  const declared = str(payload.serviceName);
  const serviceName = (declared && /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(declared) ? declared : null) ?? inferServiceName(methodName, resourceType, relativeName(rawName)) ?? 'unknown';
  const relative = relativeName(rawName);
  const pathProject = segmentAfter(relative, 'projects');
  const logProject = segmentAfter(str(pick(entry, 'logName')) ?? '', 'projects');
  const labelProject = str(labels.project_id);
  const project =
    (labelProject && !/^\d+$/.test(labelProject) ? labelProject : null) ??
    (pathProject && pathProject !== '_' && pathProject !== '-' && !/^\d+$/.test(pathProject) ? pathProject : null) ??
    logProject ?? labelProject;
  const locations = isRecord(payload.resourceLocation) && Array.isArray(payload.resourceLocation.currentLocations) ? payload.resourceLocation.currentLocations : [];
  const location =
    str(labels.location) ?? str(labels.region) ?? str(labels.zone) ?? segmentAfter(relative, 'zones') ?? segmentAfter(relative, 'regions') ??
    segmentAfter(relative, 'locations') ?? str(locations[0]);
  const path = canonicalPath(serviceName, relative, project, location, labels);
  const meta = isRecord(payload.requestMetadata) ? payload.requestMetadata : {};
  const err = statusError(payload);
  const operation = isRecord(entry.operation) ? entry.operation : {};
  const bucket = segmentAfter(path, 'buckets') ?? str(labels.bucket_name);
  const object = bucket ? /\/objects\/(.+)$/.exec(path)?.[1] ?? null : null;
  const request = (parseJsonLike(payload.request) ?? null);
  const response = (parseJsonLike(payload.response) ?? null);
  return {
    provider: 'gcp',
    accountId: project,
    region: regionOf(location === 'global' ? null : location),
    eventName: methodName,
    eventSource: serviceName,
    eventId: str(pick(entry, 'insertId')),
    eventTime: normaliseTime(str(entry.timestamp) ?? str(pick(entry, 'receiveTimestamp'))),
    principal: principalOf(payload),
    sourceIp: str(meta.callerIp) ?? str(meta.callerIP),
    userAgent: str(meta.callerSuppliedUserAgent),
    request,
    response,
    resources: path ? [{ type: resourceType, arn: path, accountId: project }] : [],
    readOnly: isReadMethod(methodName),
    errorCode: err.code,
    errorMessage: err.message,
    extra: {
      path,
      project,
      location,
      name: path ? lastSegment(path) : null,
      bucket,
      object_id: bucket && object ? `${bucket}-${object}` : null,
      iam_bucket: bucket ? `b/${bucket}` : null,
      derived_service_account: derivedServiceAccount(request, project),
      ...derivedIds(path, request, payload, project),
      resource_type: resourceType,
      labels,
      policy_deltas: bindingDeltas(payload),
      metadata: parseJsonLike(payload.metadata) ?? null,
      operation_first: operation.first === true,
      operation_last: operation.last === true,
      operation_id: str(operation.id),
    },
    falco,
  };
}

const ROOTS = /^(projects|folders|organizations|locations|namespaces|billingAccounts|apps)\//;

/**
 * The google provider's ID spelling of a resource name: project IDs (not numbers or `-`),
 * relative names completed with their project (`managedZones/z` → `projects/p/managedZones/z`),
 * GKE's `zones/` as `locations/`, Cloud Run v1's namespace form with its location.
 */
export function canonicalPath(service: string, path: string, project: string | null, location: string | null, labels: Record<string, unknown>): string {
  if (path === '' || service === 'k8s.io') return path;
  let p = path;
  if (!ROOTS.test(p) && project && p.includes('/') && !/^(core|apis)\//.test(p)) p = `projects/${project}/${p}`;
  if (project) p = p.replace(/^projects\/(\d+|-)\//, `projects/${project}/`).replace(/^projects\/(\d+|-)$/, `projects/${project}`);
  const email = str(labels.email_id);
  if (email) p = p.replace(/\/serviceAccounts\/\d+($|\/)/, `/serviceAccounts/${email}$1`);
  if (service === 'container.googleapis.com') p = p.replace(/\/zones\//, '/locations/');
  if (service === 'run.googleapis.com' && p.startsWith('namespaces/') && location) p = `locations/${location}/${p}`;
  return p;
}

/** Request fields naming the child a create makes under `parent` (`secretId` → `secrets/<id>`). */
const CHILD_ID_FIELDS: [string, string][] = [
  ['workloadIdentityPoolProviderId', 'providers'], ['workloadIdentityPoolId', 'workloadIdentityPools'], ['secretId', 'secrets'],
  ['repositoryId', 'repositories'], ['keyRingId', 'keyRings'], ['cryptoKeyId', 'cryptoKeys'], ['instanceId', 'instances'],
  ['clusterId', 'clusters'], ['topicId', 'topics'], ['subscriptionId', 'subscriptions'], ['queueId', 'queues'], ['connectorId', 'connectors'],
  ['environmentId', 'environments'], ['serviceId', 'services'], ['jobId', 'jobs'], ['functionId', 'functions'], ['bucketId', 'buckets'], ['viewId', 'views'],
];

/**
 * IDs a create names only in its request or service data: the child under `parent`, a BigQuery
 * dataset (legacy AuditData), a GKE node pool, DNS record sets (`.../rrsets/NAME/TYPE`).
 */
function derivedIds(path: string, request: unknown, payload: Record<string, unknown>, project: string | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const req = isRecord(request) ? request : {};
  const parent = str(req.parent) ? relativeName(str(req.parent) as string) : path;
  for (const [field, collection] of CHILD_ID_FIELDS) {
    const id = str(req[field]);
    if (id && parent) {
      out.child_path = parent.endsWith(`/${collection}/${id}`) ? parent : `${parent}/${collection}/${id}`;
      break;
    }
  }
  const sd = isRecord(payload.serviceData) ? payload.serviceData : {};
  const dsReq = isRecord(sd.datasetInsertRequest) && isRecord(sd.datasetInsertRequest.resource) ? sd.datasetInsertRequest.resource.datasetName : null;
  const dsRef = isRecord(req.dataset) && isRecord(req.dataset.datasetReference) ? req.dataset.datasetReference : null;
  const ds = isRecord(dsReq) ? dsReq : dsRef;
  if (isRecord(ds) && str(ds.datasetId)) out.dataset_path = `projects/${str(ds.projectId) ?? project}/datasets/${str(ds.datasetId)}`;
  const pool = isRecord(req.nodePool) ? str(req.nodePool.name) : null;
  if (pool && path.includes('/clusters/')) out.node_pool_path = `${path.replace(/\/nodePools\/.*$/, '')}/nodePools/${pool}`;
  const change = isRecord(req.change) ? req.change : null;
  const zone = /^(projects\/[^/]+\/managedZones\/[^/]+)/.exec(path)?.[1];
  if (change && zone) {
    const sets = [...(Array.isArray(change.additions) ? change.additions : []), ...(Array.isArray(change.deletions) ? change.deletions : [])]
      .filter(isRecord)
      .map((r) => (str(r.name) && str(r.type) ? `${zone}/rrsets/${str(r.name)}/${str(r.type)}` : null))
      .filter((x): x is string => x !== null);
    out.dns_record_sets = [...new Set(sets)];
  }
  return out;
}

/** CreateServiceAccount names the account only in the response; Falco has none, the request suffices. */
function derivedServiceAccount(request: unknown, project: string | null): string | null {
  if (!isRecord(request) || !project) return null;
  const id = str(request.account_id) ?? str(request.accountId);
  return id ? `projects/${project}/serviceAccounts/${id}@${project}.iam.gserviceaccount.com` : null;
}

/** Exports write `2024-02-02 09:44:26.029` for RFC 3339; keep one spelling. */
function normaliseTime(t: string | null): string | null {
  if (!t) return null;
  if (/^\d{4}-\d\d-\d\d \d/.test(t)) return `${t.replace(' ', 'T')}${/[zZ]|[+-]\d\d:?\d\d$/.test(t) ? '' : 'Z'}`;
  return t;
}

/** Falco prints `<NA>` for fields a record lacks. */
function field(fields: Record<string, unknown>, name: string): string | null {
  const v = fields[name];
  if (v === undefined || v === null || v === '<NA>' || v === '') return null;
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

function jsonField(fields: Record<string, unknown>, name: string): unknown {
  return parseJsonOutputField(field(fields, name), name);
}

/**
 * From the gcpaudit plugin's `gcp.*` output_fields: rebuilds the parts of the LogEntry they
 * carry and reads it like a raw entry, so both inputs resolve identically.
 */
export function auditEventFromGcpFalcoFields(fields: Record<string, unknown>, falco: FalcoContext): AuditEvent {
  const methodName = field(fields, 'gcp.methodName');
  if (!methodName) throw new InputError('Falco alert lacks gcp.methodName; use the rules in rules/ (tfdrift rules generate), whose outputs name every field the exporter reads', 'missing_output_fields');
  const deltas = jsonField(fields, 'gcp.policyDelta');
  const labels = jsonField(fields, 'gcp.resourceLabels');
  const project = field(fields, 'gcp.projectId');
  const location = field(fields, 'gcp.location');
  const entry = {
    protoPayload: {
      serviceName: field(fields, 'gcp.serviceName') ?? undefined,
      methodName,
      resourceName: field(fields, 'gcp.resourceName') ?? undefined,
      authenticationInfo: { principalEmail: field(fields, 'gcp.user') ?? undefined },
      requestMetadata: { callerIp: field(fields, 'gcp.callerIP') ?? undefined, callerSuppliedUserAgent: field(fields, 'gcp.userAgent') ?? undefined },
      request: jsonField(fields, 'gcp.request'),
      serviceData: Array.isArray(deltas) ? { policyDelta: { bindingDeltas: deltas } } : isRecord(deltas) ? { policyDelta: deltas } : undefined,
    },
    resource: {
      type: field(fields, 'gcp.resourceType') ?? undefined,
      labels: { ...(isRecord(labels) ? labels : {}), ...(project ? { project_id: project } : {}), ...(location ? { location } : {}) },
    },
    timestamp: field(fields, 'gcp.time') ?? undefined,
  };
  return auditEventFromLogEntry(entry, falco);
}

/**
 * The output_fields the gcpaudit plugin (0.8.1) sends for a LogEntry under a tfdrift rule. Its
 * extract.go reads every field with fastjson's GetStringBytes, which yields nothing for JSON
 * objects and arrays: `gcp.request`, `gcp.policyDelta` and `gcp.authorizationInfo` arrive as
 * "" whenever the entry carries them (as it always does), `<NA>` when absent; only
 * `gcp.resourceLabels` is marshalled whole. There is no status field. Demo and tests.
 */
export function gcpFalcoFieldsFromLogEntry(entry: Record<string, unknown>): Record<string, string> {
  const p = isRecord(entry.protoPayload) ? entry.protoPayload : {};
  const res = isRecord(entry.resource) ? entry.resource : {};
  const labels = isRecord(res.labels) ? res.labels : {};
  const meta = isRecord(p.requestMetadata) ? p.requestMetadata : {};
  const auth = isRecord(p.authenticationInfo) ? p.authenticationInfo : {};
  const NA = '<NA>';
  const json = (v: unknown): string => (v === undefined || v === null ? NA : JSON.stringify(v));
  // GetStringBytes: the string itself, "" for any other JSON value, <NA> when the path is absent.
  const plugin = (v: unknown): string => (v === undefined ? NA : typeof v === 'string' ? v : '');
  const at = (o: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((cur, k) => (isRecord(cur) ? cur[k] : undefined), o);
  const deltas = res.type === 'gcs_bucket' ? at(p, 'serviceData', 'policyDelta', 'bindingDeltas') : at(p, 'metadata', 'datasetChange', 'bindingDeltas');
  const zone = str(labels.zone);
  return {
    'gcp.time': str(entry.timestamp) ?? NA,
    'gcp.user': str(auth.principalEmail) ?? NA,
    'gcp.callerIP': str(meta.callerIp ?? meta.callerIP) ?? NA,
    'gcp.userAgent': str(meta.callerSuppliedUserAgent) ?? NA,
    'gcp.serviceName': str(p.serviceName) ?? NA,
    'gcp.methodName': str(p.methodName) ?? NA,
    'gcp.resourceName': str(p.resourceName) ?? NA,
    'gcp.resourceType': str(res.type) ?? NA,
    'gcp.resourceLabels': json(Object.keys(labels).length ? labels : undefined),
    'gcp.projectId': str(labels.project_id) ?? NA,
    // The plugin reports the region for zonal resources (it strips the zone letter).
    'gcp.location': str(labels.location) ?? str(labels.region) ?? (zone ? zone.slice(0, -2) : NA),
    'gcp.request': plugin(p.request),
    'gcp.policyDelta': plugin(deltas),
    'gcp.authorizationInfo': plugin(p.authorizationInfo),
  };
}

export function gcpFalcoAlertFromLogEntry(entry: Record<string, unknown>, opts: { rule?: string; hostname?: string } = {}): Record<string, unknown> {
  const fields = gcpFalcoFieldsFromLogEntry(entry);
  return {
    uuid: crypto.randomUUID(),
    output: `GCP write ${fields['gcp.methodName']} by ${fields['gcp.user']} on ${fields['gcp.resourceName']}`,
    priority: 'Warning',
    rule: opts.rule ?? 'Terraform drift: GCP write',
    time: new Date().toISOString(),
    output_fields: fields,
    source: 'gcp_auditlog',
    tags: ['cloud', 'gcp', 'terraform_drift'],
    hostname: opts.hostname ?? 'falco-0',
  };
}
