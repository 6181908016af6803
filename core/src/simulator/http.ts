import { createJiangxinClient, type JiangxinClient, type ProblemCode } from '@jiangxin/client';

/**
 * The simulator's HTTP side, on the typed API client (@jiangxin/client, generated from the core's OpenAPI
 * document): every call names a path and method the document has, sends the body it describes and reads
 * the answer it promises — a wrong one is a type error. It never throws for an API refusal: every answer
 * is either `{ ok: true, body }` or a failure that has already been counted by code in the stats, and a
 * route the core does not have (yet) is reported as unavailable instead of as an error.
 *
 *   const r = await w.api.send((api) => api.GET('/api/v1/wallet'), { token });
 *   if (r.ok) r.body.availableFen; // typed from the document
 */

export type ApiResult<T> =
  | { ok: true; status: number; body: T }
  | { ok: false; status: number; code: string; unavailable: boolean; message: string };

/** What the stats record about traffic; the runner owns the object. */
export interface TrafficStats {
  requests: number;
  /** API refusals and transport failures, keyed `<status> <code>` (status 0: no HTTP answer). */
  errors: Record<string, number>;
  /** Routes that answered "no such route", keyed `METHOD /path/{param}` as in the document, with how often they were tried. */
  unavailable: Record<string, number>;
}

export interface SendOptions {
  /** The user's access token (Authorization: Bearer). */
  token?: string | undefined;
  /** Problem codes that are an expected outcome here, not an error (not counted). */
  expected?: readonly ProblemCode[];
}

/** Options of a call outside the API document (the sandbox gateway's pages and buttons). */
export interface RawOptions {
  query?: Record<string, string>;
  /** Count failures under this name instead of method + URL. */
  route?: string;
}

/** What an openapi-fetch call answers: `data` on success, `error` (the parsed body) otherwise. */
export type Sent<D> =
  | { data: D; error?: never; response: Response }
  | { data?: never; error: unknown; response: Response };
/** The success answer's type of a call's result. */
export type DataOf<R> = R extends { data: infer D; error?: never } ? D : never;

const TIMEOUT_MS = 15_000;
const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH'] as const;

/** True for the core's (and Fastify's) answer to a route that does not exist. */
function isMissingRoute(status: number, body: unknown): boolean {
  if (status !== 404) return false;
  if (!body || typeof body !== 'object') return true;
  const detail = String(
    (body as { detail?: unknown }).detail ?? (body as { message?: unknown }).message ?? '',
  );
  return /没有这个接口|No such route|Route .* not found/i.test(detail);
}

export class HttpClient {
  private readonly api: JiangxinClient;

  constructor(
    readonly baseUrl: string,
    private readonly stats: TrafficStats,
  ) {
    this.api = createJiangxinClient({
      baseUrl,
      locale: 'zh-CN',
      fetch: (request) => fetch(request, { signal: AbortSignal.timeout(TIMEOUT_MS) }),
    });
  }

  /**
   * One call to the core through the typed client. `call` gets a client whose calls carry `opts.token`;
   * the route is counted as the document names it (`POST /api/v1/orders/{id}/accept`).
   */
  async send<R extends Sent<unknown>>(
    call: (api: JiangxinClient) => Promise<R>,
    opts: SendOptions = {},
  ): Promise<ApiResult<DataOf<R>>> {
    let route = '';
    const view = this.view(opts.token, (r) => {
      route = r;
    });
    this.stats.requests += 1;
    let sent: R;
    try {
      sent = await call(view);
    } catch (err) {
      return this.transportFailure(err);
    }
    const { response } = sent;
    if (response.ok) return { ok: true, status: response.status, body: sent.data as DataOf<R> };
    return this.refusal(route, response.status, sent.error, opts.expected);
  }

  /**
   * A call outside the API document (the sandbox gateway stands in for Alipay and WeChat Pay and is no
   * part of the core's API): plain fetch, the same counting. The answer's body is not read as JSON.
   */
  async raw(method: 'GET' | 'POST', url: string, opts: RawOptions = {}): Promise<ApiResult<string>> {
    const target = new URL(url, this.baseUrl);
    for (const [k, v] of Object.entries(opts.query ?? {})) target.searchParams.set(k, v);
    const route = opts.route ?? `${method} ${target.pathname}`;
    this.stats.requests += 1;
    let res: Response;
    try {
      res = await fetch(target, { method, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      return this.transportFailure(err);
    }
    const text = await res.text().catch(() => '');
    if (res.ok) return { ok: true, status: res.status, body: text };
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON: keep the text */
    }
    return this.refusal(route, res.status, body, undefined);
  }

  /** Counts a failure that did not come from a request (a missing prerequisite, say). */
  noteError(key: string): void {
    this.count(key);
  }

  /** The typed client with this call's token, telling `onRoute` which path and method were called. */
  private view(token: string | undefined, onRoute: (route: string) => void): JiangxinClient {
    const headers = token ? { authorization: `Bearer ${token}` } : undefined;
    const base = this.api as unknown as Record<string, (path: string, init?: object) => Promise<unknown>>;
    const view: Record<string, unknown> = { ...this.api };
    for (const method of METHODS) {
      view[method] = (path: string, init: { headers?: Record<string, string> } = {}) => {
        onRoute(`${method} ${path}`);
        return base[method]!(path, headers ? { ...init, headers: { ...init.headers, ...headers } } : init);
      };
    }
    return view as unknown as JiangxinClient;
  }

  private transportFailure(err: unknown): ApiResult<never> {
    const e = err as Error;
    const code = e.name === 'TimeoutError' ? 'timeout' : 'network_error';
    this.count(`0 ${code}`);
    return { ok: false, status: 0, code, unavailable: false, message: e.message };
  }

  private refusal(
    route: string,
    status: number,
    body: unknown,
    expected: readonly string[] | undefined,
  ): ApiResult<never> {
    if (isMissingRoute(status, body)) {
      this.stats.unavailable[route] = (this.stats.unavailable[route] ?? 0) + 1;
      return { ok: false, status: 404, code: 'route_unavailable', unavailable: true, message: route };
    }
    const code =
      body && typeof body === 'object' && typeof (body as { code?: unknown }).code === 'string'
        ? (body as { code: string }).code
        : `http_${status}`;
    const message =
      body && typeof body === 'object'
        ? String((body as { detail?: unknown }).detail ?? (body as { message?: unknown }).message ?? '')
        : String(body).slice(0, 200);
    if (!expected?.includes(code)) this.count(`${status} ${code}`);
    return { ok: false, status, code, unavailable: false, message };
  }

  private count(key: string): void {
    this.stats.errors[key] = (this.stats.errors[key] ?? 0) + 1;
  }
}
