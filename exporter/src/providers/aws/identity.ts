import { type Principal } from '../../model/event.js';
import { isRecord, str } from '../../util/paths.js';

/** Last segment of an STS assumed-role ARN: `arn:aws:sts::1:assumed-role/Role/session` → session. */
function sessionName(arn: string | null): string | null {
  if (!arn) return null;
  const m = /:assumed-role\/[^/]+\/(.+)$/.exec(arn);
  return m ? m[1] : null;
}

/** The role of an assumed-role ARN: `…:assumed-role/Role/session` → Role. */
function assumedRoleName(arn: string | null): string | null {
  if (!arn) return null;
  return /:assumed-role\/([^/]+)\//.exec(arn)?.[1] ?? null;
}

/** IAM Identity Center roles are named `AWSReservedSSO_<PermissionSet>_<hash>`. */
export function isIdentityCenterRole(roleName: string | null): boolean {
  return roleName !== null && roleName.startsWith('AWSReservedSSO_');
}

/** Keys of userIdentity, tolerating lower-cased copies (some SIEM exports). */
function field(o: Record<string, unknown>, key: string): unknown {
  return o[key] ?? o[key.toLowerCase()];
}

/**
 * Who made the call, from CloudTrail's userIdentity:
 * - IAMUser: the user name; Root: `root`; AWSAccount: the calling account.
 * - AssumedRole: the role session name (console and SSO sessions carry the person there). For
 *   IAM Identity Center roles (`AWSReservedSSO_*`) the session name is the signed-in user and
 *   becomes `originalUser`; a `sourceIdentity` set on the session wins over it.
 * - FederatedUser (GetFederationToken): the federated name, `originalUser` the IAM user that
 *   issued the token.
 * - AWSService: the service (`invokedBy`); IdentityCenterUser: the Identity Store user.
 */
export function principalFromUserIdentity(ui: unknown): Principal {
  if (!isRecord(ui)) return { name: null, arn: null, type: null, principalId: null, originalUser: null };
  const type = str(field(ui, 'type'));
  const arn = str(field(ui, 'arn'));
  const principalId = str(field(ui, 'principalId'));
  const ctxRaw = field(ui, 'sessionContext');
  const ctx = isRecord(ctxRaw) ? ctxRaw : {};
  const issuerRaw = field(ctx, 'sessionIssuer');
  const issuer = isRecord(issuerRaw) ? issuerRaw : {};
  const issuerName = str(field(issuer, 'userName'));
  const lastArnSegment = arn ? (arn.split('/').pop() ?? null) : null;
  let name: string | null = null;
  let originalUser: string | null = null;
  switch (type) {
    case 'IAMUser':
      name = str(field(ui, 'userName')) ?? lastArnSegment;
      break;
    case 'Root':
      name = 'root';
      break;
    case 'AssumedRole': {
      const session = sessionName(arn) ?? (principalId?.includes(':') ? principalId.split(':').slice(1).join(':') : null);
      name = session ?? issuerName;
      if (isIdentityCenterRole(issuerName) || isIdentityCenterRole(assumedRoleName(arn))) originalUser = session;
      break;
    }
    case 'FederatedUser':
      name = lastArnSegment ?? (principalId?.includes(':') ? principalId.split(':').slice(1).join(':') : null) ?? issuerName;
      originalUser = issuerName;
      break;
    case 'AWSService':
      name = str(field(ui, 'invokedBy')) ?? 'aws-service';
      break;
    case 'AWSAccount':
      name = str(field(ui, 'accountId')) ?? principalId;
      break;
    case 'IdentityCenterUser':
      name = isRecord(ui.onBehalfOf) ? str(ui.onBehalfOf.userId) : principalId;
      break;
    default:
      name = str(field(ui, 'userName')) ?? principalId ?? arn;
  }
  const sourceIdentity = str(field(ctx, 'sourceIdentity'));
  if (sourceIdentity) originalUser = sourceIdentity;
  const onBehalf = isRecord(ui.onBehalfOf) ? str(ui.onBehalfOf.userId) : null;
  return { name, arn, type, principalId, originalUser: originalUser ?? (type === 'IdentityCenterUser' ? null : onBehalf) };
}

export const USER_AGENT_CLASSES = ['console', 'terraform', 'cli', 'sdk', 'cloudformation', 'aws-service', 'other'] as const;
export type UserAgentClass = (typeof USER_AGENT_CLASSES)[number];

/**
 * How the call was made, from the user agent (and `sessionCredentialFromConsole`): the AWS
 * console, Terraform/OpenTofu, the AWS CLI, an SDK, CloudFormation, another AWS service.
 */
export function userAgentClass(userAgent: string | null, fromConsole = false): UserAgentClass {
  if (fromConsole) return classifyUserAgent(userAgent ?? '', true);
  const ua = userAgent ?? '';
  let cls = uaClasses.get(ua);
  if (cls === undefined) {
    // A fleet uses a bounded set of user agents; six regexes per event added up.
    cls = classifyUserAgent(ua, false);
    if (uaClasses.size >= 10_000) uaClasses.clear();
    uaClasses.set(ua, cls);
  }
  return cls;
}

const uaClasses = new Map<string, UserAgentClass>();

function classifyUserAgent(ua: string, fromConsole: boolean): UserAgentClass {
  if (/(^|[\s(/])(Terraform\/|OpenTofu\/|HashiCorp\/\d)/i.test(ua)) return 'terraform';
  if (/cloudformation\.amazonaws\.com/i.test(ua)) return 'cloudformation';
  if (fromConsole || /^(console|signin)\.([a-z0-9-]+\.)?amazonaws\.com$|S3Console\/|^Mozilla\//i.test(ua)) return 'console';
  if (/^aws-cli\/|\baws-cli\//i.test(ua)) return 'cli';
  if (/aws-sdk-|Boto3\/|Botocore\/|aws-internal\/|AWSPowerShell|aws-chalice|APN\/1\.0/i.test(ua)) return 'sdk';
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com$|^AWS Internal$/i.test(ua)) return 'aws-service';
  return 'other';
}
