/** The shared event model: one audit record, whatever cloud or input it came from. */
export type ProviderId = 'aws' | 'gcp' | 'azure';
export const PROVIDERS: readonly ProviderId[] = ['aws', 'gcp', 'azure'];

export interface Principal {
  name: string | null;
  arn: string | null;
  type: string | null;
  principalId: string | null;
  originalUser: string | null;
}

export interface EventResourceRef {
  type: string | null;
  arn: string | null;
  accountId: string | null;
}

export interface FalcoContext {
  rule: string | null;
  priority: string | null;
  hostname: string | null;
}

export interface AuditEvent {
  provider: ProviderId;
  accountId: string | null;
  region: string | null;
  eventName: string;
  eventSource: string;
  eventId: string | null;
  /** ISO-8601 time the cloud recorded the call. */
  eventTime: string | null;
  principal: Principal;
  sourceIp: string | null;
  userAgent: string | null;
  /** requestParameters (AWS), protoPayload.request (GCP), properties (Azure). */
  request: unknown;
  /** responseElements (AWS), protoPayload.response (GCP). */
  response: unknown;
  resources: EventResourceRef[];
  /** null when the record does not say. */
  readOnly: boolean | null;
  errorCode: string | null;
  errorMessage: string | null;
  /** Provider-specific extras (e.g. sessionCredentialFromConsole, correlation id). */
  extra: Record<string, unknown>;
  falco: FalcoContext | null;
}

export function emptyPrincipal(): Principal {
  return { name: null, arn: null, type: null, principalId: null, originalUser: null };
}
