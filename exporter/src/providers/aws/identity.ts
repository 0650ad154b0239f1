import { type Principal } from '../../model/event.js';
import { isRecord, str } from '../../util/paths.js';

/** Last segment of an STS assumed-role ARN: `arn:aws:sts::1:assumed-role/Role/session` → session. */
function sessionName(arn: string | null): string | null {
  if (!arn) return null;
  const m = /:assumed-role\/[^/]+\/(.+)$/.exec(arn);
  return m ? m[1] : null;
}

/**
 * Who made the call, from CloudTrail's userIdentity. For assumed roles the person is the
 * session name (console and SSO sessions carry the user's name or e-mail there).
 */
export function principalFromUserIdentity(ui: unknown): Principal {
  if (!isRecord(ui)) return { name: null, arn: null, type: null, principalId: null, originalUser: null };
  const type = str(ui.type);
  const arn = str(ui.arn);
  const principalId = str(ui.principalId ?? ui.principalid);
  const ctx = isRecord(ui.sessionContext) ? ui.sessionContext : isRecord(ui.sessioncontext) ? ui.sessioncontext : {};
  const issuer = isRecord(ctx.sessionIssuer) ? ctx.sessionIssuer : isRecord(ctx.sessionissuer) ? ctx.sessionissuer : {};
  const issuerName = str(issuer.userName ?? issuer.username);
  let name: string | null = null;
  let originalUser: string | null = null;
  switch (type) {
    case 'IAMUser':
      name = str(ui.userName ?? ui.username) ?? (arn ? arn.split('/').pop() ?? null : null);
      break;
    case 'Root':
      name = 'root';
      break;
    case 'AssumedRole': {
      const session = sessionName(arn) ?? (principalId?.includes(':') ? principalId.split(':').slice(1).join(':') : null);
      name = session ?? issuerName;
      // IAM Identity Center sessions: the role is AWSReservedSSO_<PermissionSet>_<hash>, the session the user.
      if (issuerName?.startsWith('AWSReservedSSO_') || arn?.includes('/AWSReservedSSO_')) originalUser = session;
      const sourceIdentity = str(ctx.sourceIdentity);
      if (sourceIdentity) originalUser = sourceIdentity;
      break;
    }
    case 'FederatedUser':
      name = issuerName ?? (arn ? arn.split('/').pop() ?? null : null);
      break;
    case 'AWSService':
      name = str(ui.invokedBy) ?? 'aws-service';
      break;
    case 'AWSAccount':
      name = str(ui.accountId) ?? principalId;
      break;
    default:
      name = str(ui.userName) ?? principalId ?? arn;
  }
  const onBehalf = isRecord(ui.onBehalfOf) ? str(ui.onBehalfOf.userId) : null;
  return { name, arn, type, principalId, originalUser: originalUser ?? onBehalf };
}
