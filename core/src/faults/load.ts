import { randomUUID } from 'node:crypto';

/**
 * A small steady load for the fault suites: a few clients placing and paying orders, browsing, signing
 * in and chatting, each request recorded with its timing and answer, so a suite can ask afterwards what
 * every request that ran during an outage got.
 */

/** What a request needs from the core's dependencies (decides what an outage of each must answer). */
export type RouteClass =
  /** Writes a row (order, message): needs the database. */
  | 'write'
  /** Sign-in: the database (and the limit counters). */
  | 'login'
  /** A read the database answers (search, an order). */
  | 'db-read'
  /** A public read the L2 cache holds (listing, profile): answered without the database once cached. */
  | 'cached-read';

export interface Sample {
  route: string;
  cls: RouteClass;
  start: number;
  end: number;
  /** 0 when no answer came (connection refused, or the client gave up after `GIVE_UP_MS`). */
  status: number;
  contentType: string;
  retryAfter: string | null;
  body: unknown;
}

/** A request the load waits for at most this long (far beyond any bound the suites assert). */
const GIVE_UP_MS = 30_000;

/** One request as a client sends it: JSON in and out, bearer token, recorded. */
export async function send(
  samples: Sample[] | null,
  base: string,
  req: {
    route: string;
    cls: RouteClass;
    method: string;
    path: string;
    token?: string | undefined;
    body?: unknown;
    headers?: Record<string, string>;
  },
): Promise<Sample> {
  const start = Date.now();
  let sample: Sample;
  try {
    const res = await fetch(`${base}${req.path}`, {
      method: req.method,
      headers: {
        'accept-language': 'zh',
        ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(req.token ? { authorization: `Bearer ${req.token}` } : {}),
        ...req.headers,
      },
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      signal: AbortSignal.timeout(GIVE_UP_MS),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    sample = {
      route: req.route,
      cls: req.cls,
      start,
      end: Date.now(),
      status: res.status,
      contentType: res.headers.get('content-type') ?? '',
      retryAfter: res.headers.get('retry-after'),
      body,
    };
  } catch (err) {
    sample = {
      route: req.route,
      cls: req.cls,
      start,
      end: Date.now(),
      status: 0,
      contentType: '',
      retryAfter: null,
      body: String((err as Error).message),
    };
  }
  samples?.push(sample);
  return sample;
}

export interface Buyer {
  token: string;
  provider: 'alipay' | 'wechat';
}

export interface LoadPlan {
  base: string;
  /** The services to order and browse (published, cached reads warmed by the caller). */
  serviceIds: number[];
  sellerId: number;
  buyers: Buyer[];
  /** An account the login loop signs in as. */
  login: { login: string; password: string };
  /** A conversation and a participant's token for the chat loop. */
  chat: { conversationId: number; token: string };
  /** Pays a created order's trade in the sandbox (opens the pay page first, as a browser would). */
  pay(payment: { payUrl: string; outTradeNo: string; provider: 'alipay' | 'wechat' }): Promise<void>;
}

export interface PlacedOrder {
  orderId: number;
  outTradeNo: string;
  provider: 'alipay' | 'wechat';
  amountFen: number;
  /** Set once the sandbox accepted the payment (the core learns of it by notification). */
  paid: boolean;
}

/** The running load; `stop()` waits for every loop to finish its request in flight. */
export interface Load {
  samples: Sample[];
  /** Every order the core acknowledged with 201/200. */
  orders: PlacedOrder[];
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the loops: one per buyer (order + pay), one per kind of read, a sign-in loop and a chat loop. */
export function startLoad(plan: LoadPlan): Load {
  const samples: Sample[] = [];
  const orders: PlacedOrder[] = [];
  let running = true;
  const loop = async (pauseMs: number, step: (i: number) => Promise<void>) => {
    for (let i = 0; running; i++) {
      await step(i);
      await sleep(pauseMs);
    }
  };
  const api = (path: string) => `/api/v1${path}`;

  const buyerLoop = (buyer: Buyer, n: number) =>
    loop(200, async (i) => {
      const serviceId = plan.serviceIds[(n + i) % plan.serviceIds.length]!;
      const created = await send(samples, plan.base, {
        route: 'POST /orders',
        cls: 'write',
        method: 'POST',
        path: api('/orders'),
        token: buyer.token,
        body: { serviceId, tier: 'basic', paymentProvider: buyer.provider },
        headers: { 'idempotency-key': `fault-${randomUUID()}` },
      });
      if (created.status !== 201 && created.status !== 200) return;
      const b = created.body as {
        order: { id: number; totalFen?: number; amountFen?: number };
        payment: { payUrl: string; outTradeNo: string; amountFen: number };
      };
      const placed: PlacedOrder = {
        orderId: b.order.id,
        outTradeNo: b.payment.outTradeNo,
        provider: buyer.provider,
        amountFen: b.payment.amountFen,
        paid: false,
      };
      orders.push(placed);
      try {
        await plan.pay({ ...b.payment, provider: buyer.provider });
        placed.paid = true;
      } catch {
        // The gateway did not take it: the order stays unpaid (and holds no escrow).
      }
    });

  const reads: { route: string; cls: RouteClass; path: () => string; token?: string }[] = [
    { route: 'GET /services/:id', cls: 'cached-read', path: () => api(`/services/${plan.serviceIds[0]}`) },
    { route: 'GET /users/:id', cls: 'cached-read', path: () => api(`/users/${plan.sellerId}`) },
    {
      route: 'GET /services?q=',
      cls: 'db-read',
      path: () => api(`/services?q=${encodeURIComponent('设计')}`),
    },
    {
      route: 'GET /orders',
      cls: 'db-read',
      path: () => api('/orders?limit=5'),
      ...(plan.buyers[0] ? { token: plan.buyers[0].token } : {}),
    },
  ];
  // One loop per read, so a read that waits on a dead database does not hold up one that does not.
  const browseLoops = reads.map((r) =>
    loop(150, async () => {
      await send(samples, plan.base, {
        route: r.route,
        cls: r.cls,
        method: 'GET',
        path: r.path(),
        token: r.token,
      });
    }),
  );
  const loginLoop = loop(400, async () => {
    await send(samples, plan.base, {
      route: 'POST /auth/login',
      cls: 'login',
      method: 'POST',
      path: api('/auth/login'),
      body: plan.login,
    });
  });
  const chatLoop = loop(250, async (i) => {
    await send(samples, plan.base, {
      route: 'POST /conversations/:id/messages',
      cls: 'write',
      method: 'POST',
      path: api(`/conversations/${plan.chat.conversationId}/messages`),
      token: plan.chat.token,
      body: { type: 'text', content: `第 ${i} 条消息` },
    });
  });

  const all = Promise.all([...plan.buyers.map(buyerLoop), ...browseLoops, loginLoop, chatLoop]);
  return {
    samples,
    orders,
    async stop() {
      running = false;
      await all;
    },
  };
}
