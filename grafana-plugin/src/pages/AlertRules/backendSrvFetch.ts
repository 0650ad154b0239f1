import { lastValueFrom } from 'rxjs';
import { getBackendSrv } from '@grafana/runtime';
import type { FetchLike } from '@tfdrift/alert-rules';

/**
 * The alert-rules client's `fetch`, over Grafana's BackendSrv: same-origin requests with the
 * user's session (no token in the browser), Grafana's sub-path handling, and no error toasts
 * (the page shows the client's own, more precise messages).
 */
export const backendSrvFetch: FetchLike = async (url, init) => {
  try {
    const response = await lastValueFrom(
      getBackendSrv().fetch<unknown>({
        url,
        method: init.method,
        headers: init.headers,
        data: init.body === undefined ? undefined : JSON.parse(init.body),
        showErrorAlert: false,
        showSuccessAlert: false,
      }),
    );
    return { status: response.status, text: async () => serialize(response.data) };
  } catch (err) {
    const e = err as { status?: number; data?: unknown; message?: string };
    if (typeof e?.status !== 'number' || e.status === 0) {
      throw new Error(e?.message ?? 'network error');
    }
    return { status: e.status, text: async () => serialize(e.data) };
  }
};

function serialize(data: unknown): string {
  if (data === undefined || data === null || data === '') {
    return '';
  }
  return typeof data === 'string' ? data : JSON.stringify(data);
}
