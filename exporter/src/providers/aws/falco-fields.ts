import { isRecord, str } from '../../util/paths.js';

/** The fields the exporter reads from cloudtrail-plugin alerts; rules' `output` must name them all. */
export const AWS_FALCO_OUTPUT_FIELDS = [
  'ct.id', 'ct.time', 'ct.name', 'ct.src', 'ct.region', 'ct.user', 'ct.originaluser', 'ct.user.arn',
  'ct.user.accountid', 'ct.user.identitytype', 'ct.user.principalid', 'ct.srcip', 'ct.useragent',
  'ct.request', 'ct.response', 'ct.readonly', 'ct.error', 'ct.recipientaccountid',
] as const;

const NA = '<NA>';

/** `ct.user` as the cloudtrail plugin derives it from userIdentity. */
function pluginUser(ui: Record<string, unknown>): string {
  switch (ui.type) {
    case 'Root':
    case 'IAMUser':
      return str(ui.userName) ?? NA;
    case 'AWSService':
      return str(ui.invokedBy) ?? NA;
    case 'AssumedRole': {
      const ctx = isRecord(ui.sessionContext) ? ui.sessionContext : {};
      const issuer = isRecord(ctx.sessionIssuer) ? ctx.sessionIssuer : {};
      return str(issuer.userName) ?? 'AssumedRole';
    }
    case 'AWSAccount':
      return 'AWSAccount';
    case 'FederatedUser':
      return 'FederatedUser';
    default:
      return ui.type === undefined ? NA : 'unknown_user_type';
  }
}

/**
 * Builds the output_fields Falco would send for a CloudTrail record under a tfdrift rule
 * (values as strings, `<NA>` when absent, JSON for request/response). Used by the demo and tests.
 */
export function falcoFieldsFromCloudTrail(r: Record<string, unknown>): Record<string, string | boolean> {
  const ui = isRecord(r.userIdentity) ? r.userIdentity : {};
  const arn = str(ui.arn);
  const session = arn ? /:assumed-role\/[^/]+\/(.+)$/.exec(arn)?.[1] ?? null : null;
  const json = (v: unknown): string => (v === undefined || v === null ? NA : JSON.stringify(v));
  return {
    'ct.id': str(r.eventID) ?? NA,
    'ct.time': str(r.eventTime) ?? NA,
    'ct.name': str(r.eventName) ?? NA,
    'ct.src': str(r.eventSource) ?? NA,
    'ct.region': str(r.awsRegion) ?? NA,
    'ct.user': pluginUser(ui),
    'ct.originaluser': ui.type === 'AssumedRole' ? (session ?? NA) : pluginUser(ui),
    'ct.user.arn': arn ?? NA,
    'ct.user.accountid': str(ui.accountId) ?? NA,
    'ct.user.identitytype': str(ui.type) ?? NA,
    'ct.user.principalid': str(ui.principalId) ?? NA,
    'ct.srcip': str(r.sourceIPAddress) ?? NA,
    'ct.useragent': str(r.userAgent) ?? NA,
    'ct.request': json(r.requestParameters),
    'ct.response': json(r.responseElements),
    'ct.readonly': r.readOnly === true || r.readOnly === 'true',
    'ct.error': str(r.errorCode) ?? NA,
    'ct.recipientaccountid': str(r.recipientAccountId) ?? NA,
  };
}

/** A Falco http_output body for a CloudTrail record, as Falco 0.44 with json_output sends it. */
export function falcoAlertFromCloudTrail(r: Record<string, unknown>, opts: { rule?: string; hostname?: string; time?: string } = {}): Record<string, unknown> {
  const fields = falcoFieldsFromCloudTrail(r);
  const rule = opts.rule ?? 'Terraform drift: AWS write';
  return {
    uuid: crypto.randomUUID(),
    output: `${fields['ct.time']}: Warning AWS write ${fields['ct.name']} by ${fields['ct.user']} (${fields['ct.src']} ${fields['ct.region']})`,
    priority: 'Warning',
    rule,
    time: opts.time ?? new Date().toISOString(),
    output_fields: fields,
    source: 'aws_cloudtrail',
    tags: ['cloud', 'aws', 'terraform_drift'],
    hostname: opts.hostname ?? 'falco-0',
  };
}
