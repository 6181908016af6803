import type { TokenPair } from '@jiangxin/shared/api/accounts';
import { tokenPairSchema } from '@jiangxin/shared/api/accounts';
import { type BridgeProblem, bridgeProblem } from '@jiangxin/shared/bridge';
import {
  OPS_ROUTES,
  type OpsAnswer,
  type OpsCallInput,
  type OpsRouteDef,
  type OpsRouteName,
  opsPath,
} from '@jiangxin/shared/ops/routes';
import axios, { type AxiosError, type AxiosInstance, type AxiosRequestConfig } from 'axios';
import type { z } from 'zod';

/** The core answered and refused (4xx/5xx with a problem): shown to the person, never retried by itself. */
export class CoreRefusal extends Error {
  constructor(readonly problem: BridgeProblem) {
    super(`${problem.code}: ${problem.message.en}`);
    this.name = 'CoreRefusal';
  }
}

/** No answer from the core (down, restarting, unreachable, a gateway in front of it failing): try later. */
export class CoreUnreachable extends Error {
  constructor(readonly reason: string) {
    super(`the core cannot be reached: ${reason}`);
    this.name = 'CoreUnreachable';
  }
}

/**
 * The core answered, but cannot work right now (503 `service_unavailable`: its database is down or
 * restarting). Like "unreachable" for everything that retries (actions stay in the outbox, reads come
 * from the cache), but the person is told the core's own words: 服务暂不可用，请稍后再试.
 */
export class CoreUnavailable extends CoreUnreachable {
  constructor(
    readonly problem: BridgeProblem,
    /** The core's Retry-After, when it gave one. */
    readonly retryAfterMs: number | null,
  ) {
    super(`HTTP ${problem.status ?? 503} ${problem.code}`);
    this.name = 'CoreUnavailable';
  }
}

export const UNREACHABLE_MESSAGE = {
  zh: '无法连接到平台服务，已切换为离线模式',
  en: 'Cannot reach the platform service; working offline',
};

export interface CoreClientOptions {
  coreUrl: string;
  /** After every login or refresh: the rotated refresh token must be stored before it is needed again. */
  onTokens(pair: TokenPair): void | Promise<void>;
  /** A refresh was refused (expired, revoked, account suspended): the person must sign in again. */
  onSessionEnded(problem: BridgeProblem): void;
  /** Per request; default 15 s. */
  timeoutMs?: number;
}

/** Gateway answers that mean "the core is not there right now", not "the core said no". */
const GATEWAY_STATUSES = new Set([502, 503, 504]);
const PROBLEM_MEMBERS = new Set(['type', 'title', 'status', 'code', 'detail', 'details', 'instance']);

/**
 * Turns a failed request into a refusal (with the core's problem in both languages), "unavailable" (the
 * core's own 503 problem) or "unreachable" (no answer, or a gateway in front of the core failing).
 */
export function toCoreError(error: unknown): CoreRefusal | CoreUnreachable {
  if (error instanceof CoreRefusal || error instanceof CoreUnreachable) return error;
  const e = error as AxiosError;
  const res = e?.response;
  if (!res) return new CoreUnreachable(e?.code ?? e?.message ?? String(error));
  const body = (res.data ?? {}) as Record<string, unknown>;
  const problem = (): BridgeProblem => {
    const details = body['details'] as { zh?: unknown; en?: unknown } | undefined;
    const detail = typeof body['detail'] === 'string' ? body['detail'] : `HTTP ${res.status}`;
    const message = {
      zh: typeof details?.zh === 'string' ? details.zh : detail,
      en: typeof details?.en === 'string' ? details.en : detail,
    };
    const extra = Object.fromEntries(Object.entries(body).filter(([k]) => !PROBLEM_MEMBERS.has(k)));
    const code = typeof body['code'] === 'string' ? body['code'] : `http_${res.status}`;
    return { code, status: res.status, message, extra };
  };
  if (res.status === 503 && body['code'] === 'service_unavailable') {
    const seconds = Number(res.headers?.['retry-after']);
    return new CoreUnavailable(problem(), Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : null);
  }
  if (GATEWAY_STATUSES.has(res.status)) return new CoreUnreachable(`HTTP ${res.status}`);
  return new CoreRefusal(problem());
}

interface RetryableConfig extends AxiosRequestConfig {
  _refreshed?: boolean;
}

/**
 * The engine's HTTP client for the core's `/api/v1`: bearer token on every call, one transparent refresh
 * when the access token has expired (concurrent callers share it), problems turned into `CoreRefusal`,
 * no answer into `CoreUnreachable`, and responses checked against the shared contract where a schema is
 * given. Sends `Accept-Language: zh-CN`; problems carry both languages anyway.
 */
export class CoreClient {
  readonly http: AxiosInstance;
  private access: string | null = null;
  private refreshToken: string | null = null;
  private refreshing: Promise<void> | null = null;

  constructor(private readonly opts: CoreClientOptions) {
    this.http = axios.create({
      baseURL: `${opts.coreUrl.replace(/\/+$/, '')}/api/v1`,
      timeout: opts.timeoutMs ?? 15_000,
      headers: { 'Accept-Language': 'zh-CN' },
      // Only redirects we did not ask for would move a bearer token to another host.
      maxRedirects: 0,
    });
    this.http.interceptors.request.use((config) => {
      if (this.access) config.headers.set('Authorization', `Bearer ${this.access}`);
      return config;
    });
    this.http.interceptors.response.use(undefined, async (error: AxiosError) => {
      const config = error.config as RetryableConfig | undefined;
      const code = (error.response?.data as { code?: unknown } | undefined)?.code;
      const expired =
        error.response?.status === 401 && (code === 'token_expired' || code === 'token_invalid');
      if (!config || !expired || config._refreshed || !this.refreshToken) throw toCoreError(error);
      await this.refresh();
      config._refreshed = true;
      return this.http.request(config);
    });
  }

  get coreUrl(): string {
    return this.opts.coreUrl;
  }

  /** The current access token (the live socket authenticates with it). */
  get accessToken(): string | null {
    return this.access;
  }

  async login(login: string, password: string): Promise<TokenPair> {
    return this.adopt(await this.post('/auth/login', { login, password }, { schema: tokenPairSchema }));
  }

  /** Signs in again with a stored refresh token (a restart of the console). */
  async resume(refreshToken: string): Promise<TokenPair> {
    return this.adopt(await this.post('/auth/refresh', { refreshToken }, { schema: tokenPairSchema }));
  }

  /** Revokes this login at the core when it can be reached; forgets the tokens either way. */
  async logout(): Promise<void> {
    const refreshToken = this.refreshToken;
    this.access = null;
    this.refreshToken = null;
    if (!refreshToken) return;
    try {
      await this.http.post('/auth/logout', { refreshToken });
    } catch {
      // Offline or already revoked: the token is forgotten here and expires at the core by itself.
    }
  }

  /** Gets a new access token now (the socket's handshake was refused as expired). */
  async refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      const refreshToken = this.refreshToken;
      if (!refreshToken) throw new CoreRefusal(endedProblem());
      try {
        const res = await axios.post(
          `${this.http.defaults.baseURL}/auth/refresh`,
          { refreshToken },
          { timeout: this.http.defaults.timeout, headers: { 'Accept-Language': 'zh-CN' } },
        );
        await this.adopt(tokenPairSchema.parse(res.data));
      } catch (error) {
        const e = toCoreError(error);
        if (e instanceof CoreRefusal) {
          this.access = null;
          this.refreshToken = null;
          this.opts.onSessionEnded(e.problem);
        }
        throw e;
      }
    })().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /**
   * Calls the ops route declared as `name` in shared/ops/routes.ts: its method and path come from the
   * declaration, the arguments are typed by its schemas, and the answer is checked against its response
   * schema (a shape this console does not know is refused as `unexpected_response`).
   */
  async call<N extends OpsRouteName>(
    name: N,
    input: OpsCallInput<N>,
    opts: { idempotencyKey?: string } = {},
  ): Promise<OpsAnswer<N>> {
    const d: OpsRouteDef = OPS_ROUTES[name];
    const { params, query, body } = input as {
      params?: Record<string, unknown>;
      query?: Record<string, unknown>;
      body?: unknown;
    };
    return this.request<OpsAnswer<N>>(
      {
        method: d.method,
        url: opsPath(d.path, params),
        params: query ? queryParams(query) : undefined,
        data: d.body ? (body ?? {}) : undefined,
        headers: opts.idempotencyKey ? { 'Idempotency-Key': opts.idempotencyKey } : undefined,
      },
      d.response as z.ZodType<OpsAnswer<N>>,
    );
  }

  async get<T = unknown>(
    path: string,
    opts: { params?: Record<string, unknown>; schema?: z.ZodType<T> } = {},
  ): Promise<T> {
    return this.request<T>({ method: 'GET', url: path, params: opts.params }, opts.schema);
  }

  async post<T = unknown>(
    path: string,
    body: unknown,
    opts: { idempotencyKey?: string; schema?: z.ZodType<T> } = {},
  ): Promise<T> {
    const headers = opts.idempotencyKey ? { 'Idempotency-Key': opts.idempotencyKey } : undefined;
    return this.request<T>({ method: 'POST', url: path, data: body ?? {}, headers }, opts.schema);
  }

  async put<T = unknown>(path: string, body: unknown, opts: { schema?: z.ZodType<T> } = {}): Promise<T> {
    return this.request<T>({ method: 'PUT', url: path, data: body ?? {} }, opts.schema);
  }

  async patch<T = unknown>(path: string, body: unknown, opts: { schema?: z.ZodType<T> } = {}): Promise<T> {
    return this.request<T>({ method: 'PATCH', url: path, data: body ?? {} }, opts.schema);
  }

  async delete<T = unknown>(path: string, opts: { schema?: z.ZodType<T> } = {}): Promise<T> {
    return this.request<T>({ method: 'DELETE', url: path }, opts.schema);
  }

  private async request<T>(config: AxiosRequestConfig, schema?: z.ZodType<T>): Promise<T> {
    let data: unknown;
    try {
      data = (await this.http.request(config)).data;
    } catch (error) {
      throw toCoreError(error);
    }
    if (!schema) return data as T;
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      throw new CoreRefusal(
        bridgeProblem(
          'unexpected_response',
          {
            zh: `平台服务返回了无法识别的数据（${config.method} ${config.url}），请升级运营台`,
            en: `The platform answered ${config.method} ${config.url} in a shape this console does not know; update the console`,
          },
          { issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`) },
        ),
      );
    }
    return parsed.data;
  }

  private async adopt(pair: TokenPair): Promise<TokenPair> {
    this.access = pair.accessToken;
    this.refreshToken = pair.refreshToken;
    await this.opts.onTokens(pair);
    return pair;
  }
}

/** A query as the core's schemas read it: no empty members, lists comma-separated. */
function queryParams(query: Record<string, unknown>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    out[key] = Array.isArray(value) ? value.join(',') : (value as string | number | boolean);
  }
  return out;
}

function endedProblem(): BridgeProblem {
  return bridgeProblem('session_ended', {
    zh: '登录已失效，请重新登录',
    en: 'Your sign-in has ended; sign in again',
  });
}
