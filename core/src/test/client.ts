import { createJiangxinClient, type JiangxinClient } from '@jiangxin/client';
import type { TokenPair } from '@jiangxin/shared/api/accounts';

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * A tiny HTTP client for tests: JSON in, JSON out, bearer token, Accept-Language. Real requests over
 * the loopback, like any API consumer.
 */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    public token?: string,
    public lang: 'zh' | 'en' = 'zh',
  ) {}

  as(token: string | undefined): ApiClient {
    return new ApiClient(this.baseUrl, token, this.lang);
  }

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const direct =
      path.startsWith('/api/') ||
      ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs'].some((p) => path.startsWith(p));
    const res = await fetch(this.baseUrl + (direct ? path : `/api/v1${path}`), {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        'accept-language': this.lang,
        ...headers,
      },
      body:
        body === undefined
          ? undefined
          : typeof body === 'string' || body instanceof Uint8Array
            ? (body as string)
            : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, undefined, headers);
  }
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body ?? {}, headers);
  }
  patch<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('PATCH', path, body ?? {}, headers);
  }
}

let counter = 0;
/** A unique username per call (tests share nothing but must not collide within one database). */
export function uniqueName(prefix = 'user'): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}`;
}

/** Registers a user through the API and returns a client signed in as them. */
export async function signUp(
  api: ApiClient,
  opts: { userType?: 'client' | 'freelancer' | 'both'; nickname?: string; username?: string } = {},
): Promise<{ api: ApiClient; tokens: TokenPair; userId: number }> {
  const username = opts.username ?? uniqueName(opts.userType ?? 'client');
  const res = await api.post<TokenPair>('/auth/register', {
    username,
    password: 'correct-horse-1',
    nickname: opts.nickname ?? `测试${username.slice(-4)}`,
    userType: opts.userType ?? 'client',
  });
  if (res.status !== 201) throw new Error(`sign-up failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { api: api.as(res.body.accessToken), tokens: res.body, userId: res.body.user.id };
}

/**
 * The typed API client (@jiangxin/client, generated from the core's OpenAPI document) for a test app at
 * `baseUrl`, signed in with `token` when given. Over real HTTP on the loopback like `ApiClient`, but
 * every path, parameter, body and answer field is checked by tsc against the document, so a test that
 * reads a field the core's document does not promise fails to compile.
 *
 *   const api = typedClient(t.url, tokens.accessToken);
 *   const { data, error, response } = await api.GET('/api/v1/orders/{id}', { params: { path: { id: '7' } } });
 */
export function typedClient(
  baseUrl: string,
  token?: string,
  locale: 'zh-CN' | 'en' = 'zh-CN',
): JiangxinClient {
  return createJiangxinClient({ baseUrl, token, locale });
}

/** The typed twin of an `ApiClient` (same core, same token). */
export function typed(api: ApiClient): JiangxinClient {
  return typedClient(api.baseUrl, api.token, api.lang === 'en' ? 'en' : 'zh-CN');
}

/** `params.path` for a route with an `{id}`: the document types path ids as decimal strings. */
export const pathId = (id: number): { path: { id: string } } => ({ path: { id: String(id) } });
