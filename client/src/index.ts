import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, operations, paths } from './schema';

/**
 * 匠心 Jiangxin's typed API client: openapi-fetch over the types openapi-typescript generated from the
 * core's OpenAPI document (schema.ts, `npm run api:client`). Every call is checked by path, method,
 * parameters and body, and its answer is typed — `data` on success, `error` (the problem document,
 * application/problem+json with a stable `code`) otherwise. The client never throws for an API refusal;
 * it throws only when no HTTP answer arrives (network, timeout).
 *
 *   const api = createJiangxinClient({ baseUrl: 'http://127.0.0.1:3000', token: () => session.accessToken });
 *   const { data, error } = await api.GET('/api/v1/orders/{id}', { params: { path: { id: '42' } } });
 *   if (error) console.log(error.code, error.detail);   // e.g. not_found, 找不到这个订单
 *   else console.log(data.status);                        // typed: 'awaiting_payment' | 'in_progress' | …
 */

export type { components, operations, paths };

/** The client's type: `api.GET(path, init)`, `api.POST(…)`, … checked against `paths`. */
export type JiangxinClient = Client<paths>;

/** The languages the core answers in (messages, problem titles and details). */
export type Locale = 'zh-CN' | 'en';

export interface JiangxinClientOptions {
  /** The core's origin, e.g. `http://127.0.0.1:3000` (paths in calls start with `/api/v1/`). */
  baseUrl: string;
  /**
   * The access token sent as `Authorization: Bearer …`: a fixed string, or a function asked before every
   * request (so a renewed token is picked up). A call that sets its own Authorization header keeps it.
   */
  token?: string | (() => string | null | undefined | Promise<string | null | undefined>);
  /** Sent as Accept-Language; the core answers in Chinese when it is absent. */
  locale?: Locale;
  /** Another fetch (tests hand one that goes through Fastify's inject; default: global fetch). */
  fetch?: (input: Request) => Promise<Response>;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
}

/** A client for the core at `baseUrl`, adding the bearer token and Accept-Language to every request. */
export function createJiangxinClient(opts: JiangxinClientOptions): JiangxinClient {
  const client = createClient<paths>({
    baseUrl: opts.baseUrl.replace(/\/+$/, ''),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    ...(opts.headers ? { headers: opts.headers } : {}),
  });
  client.use(sessionHeaders(opts));
  return client;
}

/** The middleware behind `token` and `locale`; exported for clients built with openapi-fetch directly. */
export function sessionHeaders(opts: Pick<JiangxinClientOptions, 'token' | 'locale'>): Middleware {
  return {
    async onRequest({ request }) {
      if (opts.locale && !request.headers.has('accept-language'))
        request.headers.set('accept-language', opts.locale);
      if (opts.token !== undefined && !request.headers.has('authorization')) {
        const token = typeof opts.token === 'function' ? await opts.token() : opts.token;
        if (token) request.headers.set('authorization', `Bearer ${token}`);
      }
      return request;
    },
  };
}

/**
 * The Idempotency-Key header for a request that moves money or creates something once (placing an order,
 * a withdrawal, a payout decision …): send the same key again when retrying the same intent, and the core
 * answers with the first result instead of doing it twice. Without `key`, a new random one.
 *
 *   await api.POST('/api/v1/orders', { body, headers: idempotencyKey() });
 */
export function idempotencyKey(key: string = crypto.randomUUID()): { 'Idempotency-Key': string } {
  return { 'Idempotency-Key': key };
}

/** A path param from an id: the document types ids in paths as decimal strings (`/orders/{id}`). */
export const pathId = (id: number | string): { id: string } => ({ id: String(id) });

// ---------------------------------------------------------------------------------------------------
// Aliases for the bodies and answers people use most, so code need not spell the generated paths.

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type Responses<O> = O extends { responses: infer R } ? R : never;

/** The JSON request body of `method path`, e.g. `RequestBody<'/api/v1/orders', 'post'>`. */
export type RequestBody<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody?: infer B;
}
  ? Json<NonNullable<B>>
  : never;

/** The JSON answer of `method path` on success (200 or 201). */
export type Answer<P extends keyof paths, M extends keyof paths[P]> = Responses<paths[P][M]> extends infer R
  ? R extends { 200: infer S }
    ? Json<S>
    : R extends { 201: infer S }
      ? Json<S>
      : never
  : never;

/** The query parameters of `method path` (all optional ones included). */
export type Query<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  parameters: { query?: infer Q };
}
  ? NonNullable<Q>
  : never;

/** The path parameters of `method path`, e.g. `{ id: string }` for `/api/v1/orders/{id}`. */
export type PathParams<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  parameters: { path: infer T };
}
  ? T
  : never;

/** The core's problem document (application/problem+json): branch on `code`, show `detail`. */
export type Problem = components['schemas']['Problem'];
/** Every stable problem code the core can answer. */
export type ProblemCode = Problem['code'];

/** Sign-in, sign-up and refresh: the session tokens and who signed in. */
export type TokenPair = Answer<'/api/v1/auth/login', 'post'>;
/** An order as its parties see it (status, allowed actions, deliveries …). */
export type Order = Answer<'/api/v1/orders/{id}', 'get'>;
/** The answer to placing an order: the order and the payment to settle. */
export type PlacedOrder = Answer<'/api/v1/orders', 'post'>;
/** A payment to settle at the provider (pay URL and trade number). */
export type Payment = PlacedOrder['payment'];
/** A listing card in search results. */
export type ServiceCard = Answer<'/api/v1/services', 'get'>['items'][number];
/** Who is signed in (`GET /api/v1/me`). */
export type Me = Answer<'/api/v1/me', 'get'>;
/** A wallet's balances in fen. */
export type Wallet = Answer<'/api/v1/wallet', 'get'>;
/** A category with its subcategories. */
export type CategoryNode = components['schemas']['CategoryNode'];
/** A staff case (queue item) as the ops console reads it. */
export type OpsCase = Answer<'/api/v1/ops/cases/{id}', 'get'>;

export type CreateServiceBody = RequestBody<'/api/v1/services', 'post'>;
export type PlaceOrderBody = RequestBody<'/api/v1/orders', 'post'>;
export type WithdrawalBody = RequestBody<'/api/v1/wallet/withdrawals', 'post'>;
