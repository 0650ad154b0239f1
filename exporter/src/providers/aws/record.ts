import { emptyPrincipal, type AuditEvent, type FalcoContext } from '../../model/event.js';
import { InputError } from '../../util/errors.js';
import { isRecord, str, parseJsonLike, parseJsonOutputField } from '../../util/paths.js';
import { principalFromUserIdentity, userAgentClass } from './identity.js';

const READ_PREFIXES = /^(Get|Describe|List|Head|Lookup|Search|Check|Batch(Get|Describe)|Query|Scan|Select|Preview|Estimate|Validate|Verify|Test|Decrypt|Encrypt|GenerateDataKey|Sign|AssumeRole|ConsoleLogin)/;

/** CloudTrail says readOnly; when it does not, the verb does. */
export function inferReadOnly(eventName: string, declared: unknown): boolean {
  if (typeof declared === 'boolean') return declared;
  if (declared === 'true') return true;
  if (declared === 'false') return false;
  return READ_PREFIXES.test(eventName);
}

const lowerKeys = new Map<string, string>();

/** Keys of a CloudTrail record, tolerating Panther's lower-cased copies. */
function pick(r: Record<string, unknown>, key: string): unknown {
  const v = r[key];
  if (v !== undefined && v !== null) return v;
  let lower = lowerKeys.get(key);
  if (lower === undefined) lowerKeys.set(key, (lower = key.toLowerCase()));
  return r[lower];
}

export function isCloudTrailRecord(r: unknown): r is Record<string, unknown> {
  return isRecord(r) && typeof pick(r, 'eventName') === 'string' && typeof pick(r, 'eventSource') === 'string';
}

export function auditEventFromCloudTrail(r: unknown): AuditEvent {
  if (!isCloudTrailRecord(r)) throw new InputError('not a CloudTrail record (needs string eventName and eventSource)', 'not_cloudtrail');
  const eventName = pick(r, 'eventName') as string;
  const ui = pick(r, 'userIdentity');
  const principal = principalFromUserIdentity(ui);
  const recipient = str(pick(r, 'recipientAccountId'));
  const identityAccount = isRecord(ui) ? str(ui.accountId ?? ui.accountid) : null;
  const rawResources = pick(r, 'resources');
  const resources = Array.isArray(rawResources)
    ? rawResources.filter(isRecord).map((x) => ({ type: str(x.type), arn: str(x.ARN ?? x.arn), accountId: str(x.accountId) }))
    : [];
  const ctx = isRecord(ui) && isRecord(ui.sessionContext) ? ui.sessionContext : {};
  const time = str(pick(r, 'eventTime'));
  const fromConsole = str(pick(r, 'sessionCredentialFromConsole')) === 'true';
  const userAgent = str(pick(r, 'userAgent'));
  return {
    provider: 'aws',
    accountId: recipient ?? identityAccount,
    region: str(pick(r, 'awsRegion')),
    eventName,
    eventSource: pick(r, 'eventSource') as string,
    eventId: str(pick(r, 'eventID') ?? r.eventId),
    eventTime: time,
    principal,
    sourceIp: str(pick(r, 'sourceIPAddress')),
    userAgent,
    request: (parseJsonLike(pick(r, 'requestParameters')) ?? null),
    response: (parseJsonLike(pick(r, 'responseElements')) ?? null),
    resources,
    readOnly: inferReadOnly(eventName, pick(r, 'readOnly')),
    errorCode: str(pick(r, 'errorCode')),
    errorMessage: str(pick(r, 'errorMessage')),
    extra: {
      sessionCredentialFromConsole: fromConsole,
      userAgentClass: userAgentClass(userAgent, fromConsole),
      mfaAuthenticated: isRecord(ctx.attributes) ? str(ctx.attributes.mfaAuthenticated) === 'true' : null,
      eventType: str(pick(r, 'eventType')),
    },
    falco: null,
  };
}

/** Falco prints `<NA>` for fields a record lacks. */
function field(fields: Record<string, unknown>, name: string): string | null {
  const v = fields[name];
  if (v === undefined || v === null || v === '<NA>' || v === '') return null;
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null;
}

function jsonField(fields: Record<string, unknown>, name: string): unknown {
  return parseJsonOutputField(field(fields, name), name) ?? null;
}

/** From the cloudtrail plugin's `ct.*` output_fields (only those the rule's output names arrive). */
export function auditEventFromFalcoFields(fields: Record<string, unknown>, falco: FalcoContext): AuditEvent {
  const eventName = field(fields, 'ct.name');
  const eventSource = field(fields, 'ct.src');
  if (!eventName || !eventSource)
    throw new InputError('Falco alert lacks ct.name/ct.src; use the rules in rules/ (tfdrift rules generate), whose outputs name every field the exporter reads', 'missing_output_fields');
  // Rebuild the userIdentity the plugin fields came from, so Falco alerts and raw records name
  // the same person (ct.user is the session issuer's role for AssumedRole, invokedBy for services).
  const type = field(fields, 'ct.user.identitytype');
  const user = field(fields, 'ct.user');
  const principal = principalFromUserIdentity({
    type,
    arn: field(fields, 'ct.user.arn'),
    principalId: field(fields, 'ct.user.principalid'),
    accountId: field(fields, 'ct.user.accountid'),
    userName: type === 'IAMUser' ? user : undefined,
    invokedBy: type === 'AWSService' ? user : undefined,
    sessionContext: type === 'AssumedRole' && user !== 'AssumedRole' ? { sessionIssuer: { userName: user } } : undefined,
  });
  if (!principal.type) Object.assign(principal, { ...emptyPrincipal(), name: user });
  const original = field(fields, 'ct.originaluser');
  if (!principal.originalUser && original && original !== principal.name && original !== user && original !== type) principal.originalUser = original;
  const userAgent = field(fields, 'ct.useragent');
  const readonly = fields['ct.readonly'];
  return {
    provider: 'aws',
    accountId: field(fields, 'ct.recipientaccountid') ?? field(fields, 'ct.user.accountid'),
    region: field(fields, 'ct.region'),
    eventName,
    eventSource,
    eventId: field(fields, 'ct.id'),
    eventTime: field(fields, 'ct.time'),
    principal,
    sourceIp: field(fields, 'ct.srcip'),
    userAgent,
    request: jsonField(fields, 'ct.request'),
    response: jsonField(fields, 'ct.response'),
    resources: [],
    readOnly: inferReadOnly(eventName, typeof readonly === 'string' || typeof readonly === 'boolean' ? readonly : undefined),
    errorCode: field(fields, 'ct.error'),
    errorMessage: null,
    extra: { userAgentClass: userAgentClass(userAgent) },
    falco,
  };
}
