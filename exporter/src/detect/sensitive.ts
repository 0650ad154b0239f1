/** Attribute names whose values are secrets whatever the state says. */
const SENSITIVE_NAME = /(password|secret|private_key|token|credential|api_key|access_key|user_data_base64|connection_string|sas|certificate_body|key_material|master_user_password|auth_token)/i;

export const REDACTED = '(sensitive value)';

/** True when a value at this attribute path must never leave the process. */
export function isSensitive(attribute: string, sensitivePaths: readonly string[]): boolean {
  const top = attribute.split('.')[0];
  if (SENSITIVE_NAME.test(top)) return true;
  return sensitivePaths.some((p) => p === attribute || p === top || attribute.startsWith(`${p}.`) || p.startsWith(`${attribute}.`));
}
