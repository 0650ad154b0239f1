import { emptyPrincipal, type AuditEvent, type FalcoContext, type Principal } from '../../model/event.js';
import { InputError } from '../../util/errors.js';
import { isRecord, str, parseJsonLike } from '../../util/paths.js';

/**
 * Azure activity records arrive in three spellings of one schema:
 * - diagnostic-settings export (Event Hubs / Storage): `{"records":[{time, resourceId,
 *   operationName, category, resultType, callerIpAddress, identity, properties}]}`;
 * - REST / Azure Monitor API: `operationName.value`, `eventTimestamp`, `caller`, `status.value`;
 * - the Python SDK's serialisation: the REST shape in snake_case (`operation_name.value`).
 * `pick` reads any of them; `value` unwraps `{value, localizedValue}`.
 */
function pick(r: Record<string, unknown>, ...keys: string[]): unknown {
  for (const k of keys) if (r[k] !== undefined && r[k] !== null) return r[k];
  return undefined;
}

function value(v: unknown): string | null {
  if (isRecord(v)) return str(v.value) ?? str(v.localizedValue) ?? str(v.localized_value);
  return str(v);
}

export function isAzureActivityRecord(r: unknown): r is Record<string, unknown> {
  if (!isRecord(r)) return false;
  const op = value(pick(r, 'operationName', 'operation_name'));
  return op !== null && (typeof pick(r, 'resourceId', 'resource_id', 'id') === 'string' || isRecord(r.identity) || 'resultType' in r || 'status' in r);
}

export type AzureStatus = 'succeeded' | 'started' | 'accepted' | 'failed' | 'other' | 'unknown';

/** `Success`/`Succeeded`, `Start`/`Started`, `Accept`/`Accepted`, `Failure`/`Failed`/`Canceled`. */
export function normaliseStatus(raw: string | null): AzureStatus {
  if (raw === null) return 'unknown';
  const s = raw.toLowerCase();
  if (s === 'success' || s === 'succeeded') return 'succeeded';
  if (s === 'start' || s === 'started') return 'started';
  if (s === 'accept' || s === 'accepted') return 'accepted';
  if (s === 'failure' || s === 'failed' || s === 'canceled' || s === 'cancelled') return 'failed';
  return 'other';
}

const CLAIM = {
  upn: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn',
  name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
  email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  oid: 'http://schemas.microsoft.com/identity/claims/objectidentifier',
};
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function principalOf(r: Record<string, unknown>): Principal {
  const p = emptyPrincipal();
  const identity = isRecord(r.identity) ? r.identity : {};
  const claims = isRecord(identity.claims) ? identity.claims : isRecord(r.claims) ? r.claims : {};
  const authz = isRecord(identity.authorization) ? identity.authorization : isRecord(r.authorization) ? r.authorization : {};
  const evidence = isRecord(authz.evidence) ? authz.evidence : {};
  const caller = str(pick(r, 'caller'));
  p.name = caller ?? str(claims[CLAIM.upn]) ?? str(claims.upn) ?? str(claims[CLAIM.name]) ?? str(claims.name) ?? str(claims.appid) ?? str(evidence.principalId);
  p.principalId = str(claims[CLAIM.oid]) ?? str(claims.oid) ?? str(evidence.principalId);
  const idtyp = str(claims.idtyp);
  p.type = str(evidence.principalType) ?? (idtyp === 'app' ? 'ServicePrincipal' : idtyp === 'user' ? 'User' : p.name && GUID.test(p.name) ? 'ServicePrincipal' : p.name ? 'User' : null);
  p.arn = str(claims.appid) ? `appid:${str(claims.appid)}` : null;
  return p;
}

/** Segments of an ARM ID: `/subscriptions/S/resourceGroups/RG/providers/NS/type/name[/child/name]`. */
function armParts(id: string): { subscription: string | null; resourceGroup: string | null; parent: string | null; grandparent: string | null } {
  const m = /^\/subscriptions\/([^/]+)(?:\/resourceGroups\/([^/]+))?/i.exec(id);
  const parts = id.split('/');
  const provIdx = parts.findIndex((p) => p.toLowerCase() === 'providers');
  const upTo = (n: number): string | null => (provIdx >= 0 && parts.length - n > provIdx + 2 ? parts.slice(0, parts.length - n).join('/') : null);
  return { subscription: m ? m[1].toLowerCase() : null, resourceGroup: m?.[2] ?? null, parent: upTo(2), grandparent: upTo(4) };
}

/** Data-plane IDs the azurerm provider uses for storage children (`https://acct.blob.core.windows.net/container`). */
function storageUrls(id: string): Record<string, string> {
  const m = /\/storageAccounts\/([^/]+)\/(blobServices|fileServices|queueServices|tableServices)\/[^/]+\/(containers|shares|queues|tables)\/([^/]+)/i.exec(id);
  if (!m) return {};
  const [, account, service, , name] = m;
  const host = `${account.toLowerCase()}.${service.toLowerCase().replace('services', '')}.core.windows.net`;
  return { storage_url: service.toLowerCase() === 'tableservices' ? `https://${host}/Tables('${name}')` : `https://${host}/${name}` };
}

/**
 * `.../providers/Microsoft.Insights/diagnosticSettings/NAME` on a target resource: the operation
 * is the nested provider's; azurerm keys diagnostic settings `target|name`.
 */
export function nestedOperation(operation: string): string {
  const i = operation.toLowerCase().lastIndexOf('/providers/');
  return i >= 0 ? operation.slice(i + '/providers/'.length) : operation;
}

function diagnosticId(id: string): string | null {
  const m = /^(.*)\/providers\/microsoft\.insights\/diagnosticSettings\/([^/]+)$/i.exec(id);
  return m ? `${m[1]}|${m[2]}` : null;
}

function ruleProperties(...bodies: unknown[]): Record<string, unknown> {
  for (const b of bodies) if (isRecord(b) && isRecord(b.properties)) return b.properties;
  return {};
}

export function auditEventFromActivityRecord(input: unknown, falco: FalcoContext | null = null): AuditEvent {
  if (!isRecord(input)) throw new InputError('not an Azure activity record (not an object)', 'not_azure_record');
  const r = input;
  const operation = value(pick(r, 'operationName', 'operation_name'));
  if (!operation) throw new InputError('Azure activity record has no operationName', 'missing_operation');
  const resourceId = (str(pick(r, 'resourceId', 'resource_id')) ?? '').replace(/\/+$/, '');
  const props = parseJsonLike(pick(r, 'properties'));
  const properties = isRecord(props) ? props : {};
  const statusRaw = value(pick(r, 'resultType', 'status')) ?? str(properties.status);
  const status = normaliseStatus(statusRaw);
  const subStatus = value(pick(r, 'resultSignature', 'subStatus', 'sub_status'));
  const http = isRecord(pick(r, 'httpRequest', 'http_request')) ? (pick(r, 'httpRequest', 'http_request') as Record<string, unknown>) : {};
  const parts = armParts(resourceId);
  const subscription = parts.subscription ?? (str(pick(r, 'subscriptionId', 'subscription_id'))?.toLowerCase() ?? null);
  const requestBody = parseJsonLike(properties.requestbody ?? properties.requestBody);
  const responseBody = parseJsonLike(properties.responseBody ?? properties.responsebody);
  const category = value(pick(r, 'category')) ?? str(properties.eventCategory);
  const namespace = nestedOperation(operation).split('/')[0] ?? operation;
  const time = str(pick(r, 'time', 'eventTimestamp', 'event_timestamp'));
  const location = str(pick(r, 'location'));
  return {
    provider: 'azure',
    accountId: subscription,
    region: location ? location.toLowerCase().replace(/\s+/g, '') : null,
    eventName: operation,
    eventSource: namespace,
    eventId: str(pick(r, 'eventDataId', 'event_data_id')) ?? value(pick(r, 'operationId', 'operation_id')) ?? str(pick(r, 'correlationId', 'correlation_id')),
    eventTime: time ? time.replace(/(\.\d{3})\d+Z$/, '$1Z') : null,
    principal: principalOf(r),
    sourceIp: str(pick(r, 'callerIpAddress', 'caller_ip_address')) ?? str(http.clientIpAddress) ?? str(http.client_ip_address),
    userAgent: null,
    // The PUT body (BeginRequest records) or the resource as written (EndRequest records' responseBody).
    request: isRecord(requestBody) ? requestBody : isRecord(responseBody) ? responseBody : properties,
    response: isRecord(responseBody) ? responseBody : null,
    resources: resourceId ? [{ type: value(pick(r, 'resourceType', 'resource_type')), arn: resourceId, accountId: subscription }] : [],
    readOnly: /\/read$/i.test(operation),
    errorCode: status === 'failed' ? (subStatus ?? statusRaw) : null,
    errorMessage: status === 'failed' ? str(properties.statusMessage) : null,
    extra: {
      id: resourceId || null,
      parent_id: parts.parent,
      grandparent_id: parts.grandparent,
      resource_group: parts.resourceGroup,
      name: resourceId ? resourceId.split('/').pop() : null,
      diagnostic_id: diagnosticId(resourceId),
      rule: /\/securityRules\/[^/]+$/i.test(resourceId) ? { name: resourceId.split('/').pop(), ...ruleProperties(requestBody, responseBody) } : null,
      ...storageUrls(resourceId),
      status,
      status_raw: statusRaw,
      category,
      correlation_id: str(pick(r, 'correlationId', 'correlation_id')),
      http_method: str(http.method),
      tenant_id: str(pick(r, 'tenantId', 'tenant_id')),
    },
    falco,
  };
}

/**
 * Community Falco plugins for Azure name fields differently; accepted: a field holding the
 * whole record as JSON, or `azure.<recordKey>` fields (`azure.operationName`, `azure.resourceId`...).
 */
export function auditEventFromAzureFalcoFields(fields: Record<string, unknown>, falco: FalcoContext): AuditEvent {
  for (const v of Object.values(fields)) {
    const parsed = parseJsonLike(v);
    if (isAzureActivityRecord(parsed)) return auditEventFromActivityRecord(parsed, falco);
  }
  const record: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v === '<NA>' || v === null || v === '') continue;
    const key = k.replace(/^azure\.(activity\.)?/, '');
    if (key !== k) record[key] = parseJsonLike(v);
  }
  if (!isAzureActivityRecord(record))
    throw new InputError('Falco alert carries no Azure activity record (expected azure.operationName and azure.resourceId, or the record as JSON)', 'missing_output_fields');
  return auditEventFromActivityRecord(record, falco);
}
