import { ErrorBody, type ErrorCode } from '@slipway/contracts';
import type { z } from 'zod';
import { CliError } from './cli-error.js';

/** The API refused a request: its safe message, and every problem it found. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | undefined,
    message: string,
    problems: ErrorBody['error']['problems'] = [],
  ) {
    super(message, problems);
    this.name = 'ApiError';
  }
}

/** The API could not be reached at all. */
export class NetworkError extends CliError {
  constructor(message: string) {
    super(message);
    this.name = 'NetworkError';
  }
}

export interface RequestOptions {
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is, with `contentType`. */
  body?: string;
  contentType?: string;
  query?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** Every call of the API under /api, with the caller's credentials. */
export class ApiClient {
  constructor(
    readonly url: string,
    private readonly credentials: { token: string } | { cookie: string; csrfToken: string } | null,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** The response of a call that succeeded (2xx); any other answer is thrown as an ApiError. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (this.credentials && 'token' in this.credentials) {
      headers.authorization = `Bearer ${this.credentials.token}`;
    } else if (this.credentials) {
      headers.cookie = this.credentials.cookie;
      headers['x-csrf-token'] = this.credentials.csrfToken;
    }
    let body: string | undefined = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    } else if (options.contentType) headers['content-type'] = options.contentType;
    const response = await this.fetchImpl(this.urlOf(path, options.query), {
      method,
      headers,
      body,
      redirect: 'manual',
      signal: options.signal,
    }).catch((error: unknown) => {
      if ((error as Error).name === 'AbortError') throw error;
      throw new NetworkError(
        `cannot reach the Slipway API at ${this.url}: ${networkReason(error)}`,
      );
    });
    if (!response.ok) throw await errorOf(response, this.url);
    return response;
  }

  /** A JSON answer, checked against the schema the API promises. */
  async json<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    options?: RequestOptions,
  ): Promise<z.infer<S>> {
    const response = await this.request(method, path, options);
    const parsed = schema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CliError(
        `the API answered ${method} ${path} in an unexpected shape (${issue?.path.join('.')}: ${issue?.message}); is this CLI as new as the API?`,
      );
    }
    return parsed.data;
  }

  get = <S extends z.ZodType>(path: string, schema: S, options?: RequestOptions) =>
    this.json('GET', path, schema, options);
  post = <S extends z.ZodType>(path: string, schema: S, options?: RequestOptions) =>
    this.json('POST', path, schema, { json: {}, ...options });

  urlOf(path: string, query: RequestOptions['query'] = {}): string {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) search.set(key, String(value));
    }
    const text = search.toString();
    return `${this.url}${path}${text ? `?${text}` : ''}`;
  }
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.message ?? cause?.code ?? (error as Error).message;
}

async function errorOf(response: Response, url: string): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  let parsed: ReturnType<typeof ErrorBody.safeParse> | undefined;
  try {
    parsed = ErrorBody.safeParse(JSON.parse(text));
  } catch {
    parsed = undefined;
  }
  if (!parsed?.success) {
    const where =
      response.status >= 300 && response.status < 400 ? ' (a redirect: is the URL right?)' : '';
    return new ApiError(
      response.status,
      undefined,
      `the API at ${url} answered HTTP ${response.status}${where}`,
    );
  }
  const { code, message, problems } = parsed.data.error;
  const hint =
    code === 'unauthenticated' ? ' (run `slipway login URL`, or check SLIPWAY_TOKEN)' : '';
  return new ApiError(response.status, code, `${message}${hint}`, problems);
}

/** A module path in a URL: each segment encoded, the slashes kept. */
export function modulePathUrl(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
