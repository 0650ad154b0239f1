/** Errors from talking to Grafana, each naming the URL and status and saying what to do. */

export type GrafanaErrorKind =
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'datasource-not-found'
  | 'contact-point-not-found'
  | 'provenance-conflict'
  | 'conflict'
  | 'validation'
  | 'network'
  | 'server';

export class GrafanaApiError extends Error {
  constructor(
    message: string,
    readonly kind: GrafanaErrorKind,
    readonly status: number | undefined,
    readonly method: string,
    readonly url: string,
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'GrafanaApiError';
  }
}

/** Grafana's error message from a response body (`{"message": ...}`), or the raw text. */
export function bodyMessage(body: unknown): string {
  if (body && typeof body === 'object') {
    // `message` in most answers; the swagger's ValidationError says `msg`; some proxies `error`.
    for (const key of ['message', 'msg', 'error']) {
      const value = (body as Record<string, unknown>)[key];
      if (typeof value === 'string' && value !== '') {
        return value;
      }
    }
  }
  return typeof body === 'string' ? body.slice(0, 300) : '';
}

/** Grafana versions report a provenance mismatch as 409, or (before 10.x) as 400/500 with this wording. */
export function isProvenanceMismatch(status: number, body: unknown): boolean {
  const messageId = body && typeof body === 'object' ? (body as { messageId?: unknown }).messageId : undefined;
  if (messageId === 'alerting.provenanceMismatch') {
    return true;
  }
  const text = bodyMessage(body).toLowerCase();
  return (status === 409 || status === 400 || status === 500) && (text.includes('provenance') || text.includes('cannot change'));
}

export function httpError(method: string, url: string, status: number, body: unknown): GrafanaApiError {
  const detail = bodyMessage(body);
  const where = `${method} ${url} → ${status}`;
  const suffix = detail ? `: ${detail}` : '';
  if (status === 401) {
    return new GrafanaApiError(
      `Grafana rejected the credentials (${where}${suffix}). Pass a service-account token with --token or GRAFANA_TOKEN.`,
      'unauthorized', status, method, url, body,
    );
  }
  if (status === 403) {
    return new GrafanaApiError(
      `Grafana refused the request (${where}${suffix}). The token's role needs alerting provisioning rights (Editor or Admin, or alert.provisioning:read/write) and folder write access.`,
      'forbidden', status, method, url, body,
    );
  }
  if (isProvenanceMismatch(status, body)) {
    return new GrafanaApiError(
      `Grafana refused to change a resource managed elsewhere (${where}${suffix}). It was provisioned from files or through the API without X-Disable-Provenance; remove it from file provisioning (or delete it in Grafana) and apply again.`,
      'provenance-conflict', status, method, url, body,
    );
  }
  if (/data ?source.*not found|not found.*data ?source/i.test(detail)) {
    return new GrafanaApiError(`A datasource the rules query does not exist in Grafana (${where}${suffix}). Check --datasource-uid / --prometheus-datasource-uid.`, 'datasource-not-found', status, method, url, body);
  }
  const kind: GrafanaErrorKind = status === 404 ? 'not-found' : status === 409 ? 'conflict' : status >= 500 ? 'server' : 'validation';
  return new GrafanaApiError(`Grafana request failed (${where}${suffix})`, kind, status, method, url, body);
}
