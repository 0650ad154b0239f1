/** The parts of an AWS SDK v3 error that say what went wrong. */
export interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

/** `Name HTTP status: message`, and `accessHint` after a refusal (403 / AccessDenied). */
export function describeSdkError(err: unknown, accessHint: string): string {
  const e = err as SdkError;
  const status = e.$metadata?.httpStatusCode;
  const hint = status === 403 || e.name === 'AccessDenied' ? accessHint : '';
  return `${e.name ?? 'error'}${status ? ` HTTP ${status}` : ''}: ${e.message ?? String(err)}${hint}`;
}
