import { errorFromResponse } from './api-error';

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
}

export interface ApiClient {
  /** JSON in, JSON out; undefined for 204. Throws ApiError with the API's safe message. */
  request<T>(path: string, options?: RequestOptions): Promise<T>;
  /** Plain text (report files). */
  text(path: string): Promise<string>;
}

/**
 * The one way the SPA talks to the API: the session cookie goes along, and every unsafe
 * request carries the session's CSRF token.
 */
export function createApiClient(csrfToken: () => string | null, fetcher = fetch): ApiClient {
  async function send(path: string, options: RequestOptions = {}): Promise<Response> {
    const method = options.method ?? 'GET';
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = csrfToken();
    if (method !== 'GET' && token) headers['X-CSRF-Token'] = token;
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetcher(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
    if (!response.ok) throw await errorFromResponse(response);
    return response;
  }
  return {
    async request<T>(path: string, options?: RequestOptions): Promise<T> {
      const response = await send(path, options);
      if (response.status === 204) return undefined as T;
      return (await response.json()) as T;
    },
    async text(path: string): Promise<string> {
      return (await send(path)).text();
    },
  };
}

/** `/api/modules/<path>` with each segment encoded (segments never hold '/'). */
export function modulePathUrl(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
