import { Observable, from, lastValueFrom } from 'rxjs';
import type { BackendSrv, BackendSrvRequest, FetchResponse } from '@grafana/runtime';

/**
 * A BackendSrv for tests and the browser harness: Grafana's request options in, Grafana's
 * FetchResponse / FetchError out, over a transport (in process for jest, window.fetch in Chromium).
 */
export type Transport = (
  method: string,
  path: string,
  params: Record<string, string>,
  body: unknown,
  headers: Record<string, string>,
) => Promise<{ status: number; body: unknown }>;

function toParams(params: BackendSrvRequest['params']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params ?? {})) {
    if (v !== undefined && v !== null) {
      out[k] = String(v);
    }
  }
  return out;
}

export function createBackendSrv(transport: Transport): BackendSrv {
  async function request<T>(options: BackendSrvRequest): Promise<FetchResponse<T>> {
    const [path, query] = options.url.split('?');
    const params = { ...Object.fromEntries(new URLSearchParams(query ?? '')), ...toParams(options.params) };
    const method = (options.method ?? 'GET').toUpperCase();
    const { status, body } = await transport(method, path, params, options.data, {
      ...(options.headers ?? {}),
    });
    const ok = status >= 200 && status < 300;
    const response = {
      data: body as T,
      status,
      statusText: ok ? 'OK' : 'Error',
      ok,
      headers: new Headers(),
      redirected: false,
      type: 'basic',
      url: options.url,
      config: options,
    } as FetchResponse<T>;
    if (!ok) {
      // Grafana rejects with a FetchError carrying the answer's body in `data`.
      throw { status, statusText: response.statusText, data: body, config: options };
    }
    return response;
  }
  const srv = {
    fetch: <T>(options: BackendSrvRequest): Observable<FetchResponse<T>> => from(request<T>(options)),
    request: async <T>(options: BackendSrvRequest): Promise<T> => (await request<T>(options)).data,
    datasourceRequest: <T>(options: BackendSrvRequest) => request<T>(options),
    get: async <T>(url: string, params?: BackendSrvRequest['params']): Promise<T> =>
      (await request<T>({ url, params })).data,
    post: async <T>(url: string, data?: unknown): Promise<T> =>
      (await request<T>({ url, method: 'POST', data })).data,
    put: async <T>(url: string, data?: unknown): Promise<T> =>
      (await request<T>({ url, method: 'PUT', data })).data,
    patch: async <T>(url: string, data?: unknown): Promise<T> =>
      (await request<T>({ url, method: 'PATCH', data })).data,
    delete: async <T>(url: string, data?: unknown): Promise<T> =>
      (await request<T>({ url, method: 'DELETE', data })).data,
  };
  return srv as unknown as BackendSrv;
}

export { lastValueFrom };
