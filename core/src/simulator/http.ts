/**
 * The simulator's HTTP side: a small JSON client that never throws for an API refusal. Every answer is
 * either `{ ok: true, body }` or a failure that has already been counted by code in the stats, and a route
 * the core does not have (yet) is reported as unavailable instead of as an error.
 */

export type ApiResult<T> =
  | { ok: true; status: number; body: T }
  | { ok: false; status: number; code: string; unavailable: boolean; message: string };

/** What the stats record about traffic; the runner owns the object. */
export interface TrafficStats {
  requests: number;
  /** API refusals and transport failures, keyed `<status> <code>` (status 0: no HTTP answer). */
  errors: Record<string, number>;
  /** Routes that answered "no such route", keyed by route template, with how often they were tried. */
  unavailable: Record<string, number>;
}

export interface RequestOptions {
  token?: string | undefined;
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  idempotencyKey?: string;
  /** Count failures under this route template (`POST /orders/:id/accept`); default method + path. */
  route?: string;
  /** Codes that are an expected outcome here, not an error (not counted). */
  expected?: string[];
}

const TIMEOUT_MS = 15_000;

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
  constructor(
    readonly baseUrl: string,
    private readonly stats: TrafficStats,
  ) {}

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResult<T>> {
    const url = new URL(path, this.baseUrl);
    for (const [k, v] of Object.entries(opts.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json', 'accept-language': 'zh-CN' };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
    if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
    const route = opts.route ?? `${method} ${path}`;
    this.stats.requests += 1;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      const code = (err as Error).name === 'TimeoutError' ? 'timeout' : 'network_error';
      this.count(`0 ${code}`);
      return { ok: false, status: 0, code, unavailable: false, message: (err as Error).message };
    }
    const text = await res.text().catch(() => '');
    let body: unknown = text;
    if (text && /json/.test(res.headers.get('content-type') ?? '')) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    if (res.ok) return { ok: true, status: res.status, body: body as T };
    if (isMissingRoute(res.status, body)) {
      this.stats.unavailable[route] = (this.stats.unavailable[route] ?? 0) + 1;
      return { ok: false, status: 404, code: 'route_unavailable', unavailable: true, message: route };
    }
    const code =
      body && typeof body === 'object' && typeof (body as { code?: unknown }).code === 'string'
        ? (body as { code: string }).code
        : `http_${res.status}`;
    const message =
      body && typeof body === 'object'
        ? String((body as { detail?: unknown }).detail ?? (body as { message?: unknown }).message ?? '')
        : String(body).slice(0, 200);
    if (!opts.expected?.includes(code)) this.count(`${res.status} ${code}`);
    return { ok: false, status: res.status, code, unavailable: false, message };
  }

  /** Counts a failure that did not come from a request (a missing prerequisite, say). */
  noteError(key: string): void {
    this.count(key);
  }

  private count(key: string): void {
    this.stats.errors[key] = (this.stats.errors[key] ?? 0) + 1;
  }
}
