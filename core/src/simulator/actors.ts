import type {
  Answer,
  CategoryNode,
  JiangxinClient,
  Payment,
  RequestBody,
  TokenPair,
  Wallet,
} from '@jiangxin/client';
import { usualPayoutAccount } from '../seed/payouts';
import * as say from './content';
import type { ApiResult, DataOf, HttpClient, SendOptions, Sent } from './http';
import type { Dice } from './random';

/**
 * The simulated population and what its members do. Every action is one user doing one thing in the
 * product over HTTP (search, order and pay, accept, deliver, complete, dispute, withdraw, ask support …);
 * it answers `ok`, `skipped` (nothing to do for it right now), `failed` (the API refused) or `unavailable`
 * (the route does not exist on this core yet).
 */

export type Outcome = 'ok' | 'skipped' | 'failed' | 'unavailable';

export const ACTIONS = [
  'signup',
  'createListing',
  'search',
  'order',
  'freelancerWork',
  'clientReview',
  'evidence',
  'message',
  'realName',
  'withdraw',
  'support',
  'supportFollowUp',
  'report',
] as const;
export type ActionName = (typeof ACTIONS)[number];

/** Default weights of the action mix (`--mix key=weight,…` overrides any of them). */
export const DEFAULT_MIX: Record<ActionName, number> = {
  signup: 1,
  createListing: 5,
  search: 8,
  order: 8,
  freelancerWork: 14,
  clientReview: 10,
  evidence: 2,
  message: 6,
  realName: 1,
  withdraw: 3,
  support: 3,
  supportFollowUp: 3,
  report: 2,
};

/** Shares (0–1) that shape the traffic; all configurable. */
export interface Shares {
  /** Listings whose description leaks contact details. */
  contactLeak: number;
  /** Listings offering something prohibited (刷单, 代写论文). */
  prohibited: number;
  /** Chat messages that leak contact details. */
  messageLeak: number;
  /** Payments whose first attempt fails (the client then pays with the other provider). */
  paymentFailure: number;
  /** Orders left unpaid at first (paid later, or never). */
  abandon: number;
  /** Orders the client disputes once work is under way. */
  dispute: number;
  /** Pending orders the freelancer declines. */
  decline: number;
  /** Deliveries the client sends back for a revision (while revisions remain). */
  revision: number;
  /** Withdrawals above the second-approval threshold (¥5,000) when the balance allows. */
  largeWithdrawal: number;
}

export const DEFAULT_SHARES: Shares = {
  contactLeak: 0.08,
  prohibited: 0.04,
  messageLeak: 0.05,
  paymentFailure: 0.08,
  abandon: 0.04,
  dispute: 0.03,
  decline: 0.06,
  revision: 0.2,
  largeWithdrawal: 0.3,
};

/** Things a user of the product would notice, counted as they happen. */
export const EFFECTS = [
  'usersRegistered',
  'usersLoggedIn',
  'listingsCreated',
  'listingsSubmitted',
  'listingsWithContactLeak',
  'listingsWithProhibitedContent',
  'searches',
  'ordersCreated',
  'paymentsSucceeded',
  'paymentsFailed',
  'paymentRetries',
  'ordersAccepted',
  'ordersDeclined',
  'ordersDelivered',
  'revisionsRequested',
  'revisionsStarted',
  'ordersCompleted',
  'disputesOpened',
  'evidenceSubmitted',
  'messagesSent',
  'messagesWithContactLeak',
  'realNameSubmitted',
  'withdrawalsRequested',
  'withdrawalsAboveThreshold',
  'supportChatsOpened',
  'supportMessagesSent',
  'reportsFiled',
] as const;
export type Effect = (typeof EFFECTS)[number];

type RealNameStatus = TokenPair['user']['realNameStatus'];

export interface SimUser {
  id: number;
  username: string;
  password: string;
  nickname: string;
  role: 'client' | 'freelancer';
  accessToken: string;
  refreshToken: string;
  /** ms since the epoch when the access token should be renewed. */
  renewAt: number;
  realNameStatus: RealNameStatus;
  realName: string | null;
  support: { conversationId: number; topic: ReturnType<typeof say.supportTopic> } | null;
}

interface KnownService {
  id: number;
  freelancerId: number;
  title: string;
}

/** Everything the population knows, shared by the actions. */
export interface World {
  api: HttpClient;
  sandbox: HttpClient | null;
  dice: Dice;
  shares: Shares;
  /** Distinguishes this run's sign-ups from earlier runs' (user names must be unique). */
  runTag: string;
  clients: SimUser[];
  freelancers: SimUser[];
  services: Map<number, KnownService>;
  leaves: { id: number; nameZh: string }[] | null;
  /** What the client means to do with an order placed in this run. */
  plans: Map<number, 'normal' | 'dispute' | 'abandon'>;
  /** Disputed orders of this run and how much evidence they got. */
  disputed: Map<number, number>;
  /** Messages a simulated user received that leak contact details (report material). */
  leakyMessages: { messageId: number; recipientId: number }[];
  seq: number;
  effect(e: Effect, n?: number): void;
  /** A client for another base URL (the sandbox, when it is learnt from a pay URL). */
  clientFor(baseUrl: string): HttpClient;
}

// ---------------------------------------------------------------------------------------------------
// Sessions

function userFromTokens(t: TokenPair, password: string, role: SimUser['role']): SimUser {
  return {
    id: t.user.id,
    username: t.user.username,
    password,
    nickname: t.user.nickname,
    role,
    accessToken: t.accessToken,
    refreshToken: t.refreshToken,
    renewAt: Date.now() + Math.max(10, t.accessTokenExpiresIn - 60) * 1000,
    realNameStatus: t.user.realNameStatus,
    realName: null,
    support: null,
  };
}

function adoptTokens(u: SimUser, t: TokenPair): void {
  u.accessToken = t.accessToken;
  u.refreshToken = t.refreshToken;
  u.renewAt = Date.now() + Math.max(10, t.accessTokenExpiresIn - 60) * 1000;
  u.realNameStatus = t.user.realNameStatus;
}

export async function login(
  w: World,
  loginName: string,
  password: string,
  role: SimUser['role'],
): Promise<SimUser | null> {
  const r = await w.api.send(
    (api) => api.POST('/api/v1/auth/login', { body: { login: loginName, password } }),
    {
      expected: ['invalid_credentials'],
    },
  );
  if (!r.ok) return null;
  w.effect('usersLoggedIn');
  return userFromTokens(r.body, password, role);
}

/** Remembers a freelancer's own published listings (as if clients had found them in search). */
export async function learnOwnListings(w: World, u: SimUser): Promise<void> {
  const r = await as(w, u, (api) =>
    api.GET('/api/v1/me/services', { params: { query: { status: 'published', limit: '20' } } }),
  );
  if (!r.ok) return;
  for (const s of r.body.items) w.services.set(s.id, { id: s.id, freelancerId: u.id, title: s.titleZh });
}

export async function register(w: World, role: SimUser['role']): Promise<SimUser | null> {
  w.seq += 1;
  const username = `sim_${role === 'client' ? 'c' : 'f'}${w.runTag}_${w.seq}`;
  const password = `sim-${w.dice.token(10)}`;
  const r = await w.api.send((api) =>
    api.POST('/api/v1/auth/register', {
      body: { username, password, nickname: say.nickname(w.dice), userType: role },
    }),
  );
  if (!r.ok) return null;
  w.effect('usersRegistered');
  return userFromTokens(r.body, password, role);
}

/** Renews the user's access token: refresh first, sign in again when that fails. */
async function renew(w: World, u: SimUser): Promise<boolean> {
  const r = await w.api.send((api) =>
    api.POST('/api/v1/auth/refresh', { body: { refreshToken: u.refreshToken } }),
  );
  if (r.ok) {
    adoptTokens(u, r.body);
    return true;
  }
  const l = await w.api.send((api) =>
    api.POST('/api/v1/auth/login', { body: { login: u.username, password: u.password } }),
  );
  if (!l.ok) return false;
  adoptTokens(u, l.body);
  return true;
}

/** A call as `u`, renewing the session when it is about to expire or the core says it has. */
async function as<R extends Sent<unknown>>(
  w: World,
  u: SimUser,
  call: (api: JiangxinClient) => Promise<R>,
  opts: Omit<SendOptions, 'token'> = {},
): Promise<ApiResult<DataOf<R>>> {
  if (Date.now() >= u.renewAt) await renew(w, u);
  const r = await w.api.send(call, { ...opts, token: u.accessToken });
  if (!r.ok && r.status === 401 && (await renew(w, u))) {
    return w.api.send(call, { ...opts, token: u.accessToken });
  }
  return r;
}

const fail = (r: { unavailable: boolean }): Outcome => (r.unavailable ? 'unavailable' : 'failed');
const key = (w: World, what: string) => `sim-${what}-${w.dice.token(16)}`;

function shuffled<T>(w: World, items: readonly T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = w.dice.int(0, i);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

const anyone = (w: World) => [...w.clients, ...w.freelancers];
const byId = (w: World, id: number) => anyone(w).find((u) => u.id === id);

// ---------------------------------------------------------------------------------------------------
// Actions

async function signup(w: World): Promise<Outcome> {
  const role = w.dice.chance(0.4) ? 'freelancer' : 'client';
  const u = await register(w, role);
  if (!u) return 'failed';
  (role === 'client' ? w.clients : w.freelancers).push(u);
  return 'ok';
}

async function categoryLeaves(w: World): Promise<{ id: number; nameZh: string }[]> {
  if (w.leaves) return w.leaves;
  const r = await w.api.send((api) => api.GET('/api/v1/categories'));
  if (!r.ok) return [];
  const leaves: { id: number; nameZh: string }[] = [];
  const walk = (nodes: CategoryNode[]) => {
    for (const n of nodes) {
      if (n.children.length === 0) leaves.push({ id: n.id, nameZh: n.nameZh });
      else walk(n.children);
    }
  };
  walk(r.body);
  w.leaves = leaves;
  return leaves;
}

async function createListing(w: World): Promise<Outcome> {
  if (w.freelancers.length === 0) return 'skipped';
  const u = w.dice.pick(w.freelancers);
  const leaves = await categoryLeaves(w);
  if (leaves.length === 0) return 'skipped';
  const roll = w.dice.next();
  const plant =
    roll < w.shares.contactLeak
      ? 'contact_leak'
      : roll < w.shares.contactLeak + w.shares.prohibited
        ? 'prohibited'
        : null;
  const c = say.listingContent(w.dice, plant);
  const fitting = leaves.filter((l) => c.categoryHints.some((h) => l.nameZh.includes(h)));
  const category = w.dice.pick(fitting.length > 0 ? fitting : leaves);
  const submit = w.dice.chance(0.9);
  const r = await as(w, u, (api) =>
    api.POST('/api/v1/services', {
      body: {
        title: c.title,
        titleZh: c.titleZh,
        description: c.description,
        categoryId: category.id,
        skillIds: [],
        packages: c.packages,
        submit,
      },
    }),
  );
  if (!r.ok) return fail(r);
  w.effect('listingsCreated');
  if (r.body.status === 'pending_review') w.effect('listingsSubmitted');
  if (plant === 'contact_leak') w.effect('listingsWithContactLeak');
  if (plant === 'prohibited') w.effect('listingsWithProhibitedContent');
  return 'ok';
}

async function search(w: World, u?: SimUser): Promise<Outcome> {
  if (w.clients.length === 0) return 'skipped';
  const client = u ?? w.dice.pick(w.clients);
  const q = w.dice.chance(0.7) ? w.dice.pick(say.SEARCH_TERMS) : undefined;
  const sort = w.dice.pick(['relevance', 'price_asc', 'rating', 'newest'] as const);
  let r = await as(w, client, (api) =>
    api.GET('/api/v1/services', { params: { query: { ...(q ? { q } : {}), sort, limit: '20' } } }),
  );
  if (r.ok && r.body.items.length === 0 && q !== undefined) {
    r = await as(w, client, (api) =>
      api.GET('/api/v1/services', { params: { query: { sort: 'newest', limit: '20' } } }),
    );
  }
  if (!r.ok) return fail(r);
  w.effect('searches');
  for (const s of r.body.items)
    w.services.set(s.id, { id: s.id, freelancerId: s.freelancer.id, title: s.titleZh });
  return 'ok';
}

/** The sandbox: `--sandbox-url`, or else the origin of the pay page the core handed out. */
function sandboxFor(w: World, payment: Payment): HttpClient | null {
  if (!w.sandbox && /^https?:\/\//.test(payment.payUrl))
    w.sandbox = w.clientFor(new URL(payment.payUrl).origin);
  return w.sandbox;
}

/**
 * Settles a payment at the sandbox the way the buyer does: open the pay page (for Alipay that is what
 * creates the trade at the gateway; WeChat's code URL page shows the trade made at order time), then press
 * the pay or the failure button.
 */
async function settle(w: World, payment: Payment, outcome: 'succeed' | 'fail'): Promise<boolean> {
  const sandbox = sandboxFor(w, payment);
  if (!sandbox) {
    w.api.noteError('0 sandbox_unknown');
    return false;
  }
  if (/^https?:\/\//.test(payment.payUrl)) {
    const page = await sandbox.raw('GET', payment.payUrl, {
      route: `SANDBOX GET ${payment.provider} pay page`,
    });
    if (!page.ok) return false;
  }
  const r = await sandbox.raw(
    'POST',
    `/sandbox/payments/${encodeURIComponent(payment.outTradeNo)}/${outcome}`,
    {
      query: { provider: payment.provider },
      route: `SANDBOX POST /sandbox/payments/:outTradeNo/${outcome}`,
    },
  );
  return r.ok;
}

/** The client pays; a planned failure is followed by a new attempt with the other provider. */
async function pay(w: World, client: SimUser, orderId: number, first: Payment): Promise<boolean> {
  let payment = first;
  if (w.dice.chance(w.shares.paymentFailure)) {
    if (await settle(w, payment, 'fail')) w.effect('paymentsFailed');
    const other = payment.provider === 'alipay' ? 'wechat' : 'alipay';
    const r = await as(w, client, (api) =>
      api.POST('/api/v1/orders/{id}/pay', {
        params: { path: { id: String(orderId) } },
        body: { paymentProvider: other },
      }),
    );
    if (!r.ok) return false;
    w.effect('paymentRetries');
    payment = r.body;
  }
  if (!(await settle(w, payment, 'succeed'))) return false;
  w.effect('paymentsSucceeded');
  return true;
}

async function order(w: World): Promise<Outcome> {
  if (w.clients.length === 0) return 'skipped';
  const client = w.dice.pick(w.clients);
  let candidates = [...w.services.values()].filter((s) => s.freelancerId !== client.id);
  if (candidates.length === 0) {
    await search(w, client);
    candidates = [...w.services.values()].filter((s) => s.freelancerId !== client.id);
    if (candidates.length === 0) return 'skipped';
  }
  // Mostly listings of simulated freelancers, so someone is there to accept the order.
  const staffed = candidates.filter((s) => w.freelancers.some((f) => f.id === s.freelancerId));
  const service = w.dice.pick(staffed.length > 0 && w.dice.chance(0.8) ? staffed : candidates);
  const tier = w.dice.weighted({ basic: 6, standard: 3, premium: 1 }) ?? 'basic';
  const provider = w.dice.chance(0.6) ? 'alipay' : 'wechat';
  const idempotency = key(w, 'order');
  const r = await as(w, client, (api) =>
    api.POST('/api/v1/orders', {
      params: { header: { 'idempotency-key': idempotency } },
      body: {
        serviceId: service.id,
        tier,
        requirements: say.requirementText(w.dice),
        paymentProvider: provider,
      },
    }),
  );
  if (!r.ok) {
    // A listing that is no longer orderable drops out of what the population knows.
    if (r.code === 'service_not_orderable') w.services.delete(service.id);
    return fail(r);
  }
  w.effect('ordersCreated');
  const orderId = r.body.order.id;
  const roll = w.dice.next();
  const plan =
    roll < w.shares.abandon ? 'abandon' : roll < w.shares.abandon + w.shares.dispute ? 'dispute' : 'normal';
  w.plans.set(orderId, plan);
  if (plan === 'abandon') return 'ok';
  await pay(w, client, orderId, r.body.payment);
  return 'ok';
}

/** An order as the list of one's orders shows it (the detail's deliveries and timeline are not in it). */
type ListedOrder = Answer<'/api/v1/orders', 'get'>['items'][number];

async function myOrders(w: World, u: SimUser, role: 'client' | 'freelancer'): Promise<ListedOrder[] | null> {
  const r = await as(w, u, (api) => api.GET('/api/v1/orders', { params: { query: { role, limit: '50' } } }));
  return r.ok ? r.body.items : null;
}

/** The path parameter of an order's (or any resource's) route. */
const idOf = (id: number) => ({ id: String(id) });

/** A freelancer with something to do: accept or decline new orders, deliver, start revisions. */
async function freelancerWork(w: World): Promise<Outcome> {
  for (const u of shuffled(w, w.freelancers).slice(0, 4)) {
    const orders = await myOrders(w, u, 'freelancer');
    const todo = orders?.filter((o) =>
      o.allowedActions.some((a) => a === 'accept' || a === 'deliver' || a === 'start_revision'),
    );
    if (!todo || todo.length === 0) continue;
    const o = w.dice.pick(todo);
    if (o.allowedActions.includes('accept')) {
      if (w.dice.chance(w.shares.decline)) {
        const idempotency = key(w, 'decline');
        const r = await as(w, u, (api) =>
          api.POST('/api/v1/orders/{id}/decline', {
            params: { path: idOf(o.id), header: { 'idempotency-key': idempotency } },
            body: { reason: say.declineReason(w.dice) },
          }),
        );
        if (!r.ok) return fail(r);
        w.effect('ordersDeclined');
        return 'ok';
      }
      const r = await as(w, u, (api) =>
        api.POST('/api/v1/orders/{id}/accept', { params: { path: idOf(o.id) }, body: {} }),
      );
      if (!r.ok) return fail(r);
      w.effect('ordersAccepted');
      return 'ok';
    }
    if (o.allowedActions.includes('deliver')) {
      const r = await as(w, u, (api) =>
        api.POST('/api/v1/orders/{id}/deliver', {
          params: { path: idOf(o.id) },
          body: { message: say.deliveryText(w.dice), fileIds: [] },
        }),
      );
      if (!r.ok) return fail(r);
      w.effect('ordersDelivered');
      return 'ok';
    }
    const r = await as(w, u, (api) =>
      api.POST('/api/v1/orders/{id}/start-revision', { params: { path: idOf(o.id) }, body: {} }),
    );
    if (!r.ok) return fail(r);
    w.effect('revisionsStarted');
    return 'ok';
  }
  return 'skipped';
}

async function openDispute(w: World, u: SimUser, o: ListedOrder): Promise<Outcome> {
  const r = await as(w, u, (api) =>
    api.POST('/api/v1/orders/{id}/dispute', {
      params: { path: idOf(o.id) },
      body: { reason: say.disputeReason(w.dice), fileIds: [] },
    }),
  );
  if (!r.ok) return fail(r);
  w.effect('disputesOpened');
  w.plans.set(o.id, 'normal');
  w.disputed.set(o.id, 0);
  return 'ok';
}

/** A client with something to decide: a delivery to accept or send back, a dispute, an unpaid order. */
async function clientReview(w: World): Promise<Outcome> {
  for (const u of shuffled(w, w.clients).slice(0, 4)) {
    const orders = await myOrders(w, u, 'client');
    if (!orders) continue;
    // Orders this run planned to dispute, once work is under way.
    const toDispute = orders.find(
      (o) => w.plans.get(o.id) === 'dispute' && o.allowedActions.includes('dispute'),
    );
    if (toDispute) return openDispute(w, u, toDispute);
    const unpaid = orders.find((o) => w.plans.get(o.id) === 'abandon' && o.status === 'awaiting_payment');
    if (unpaid && w.dice.chance(0.3)) {
      w.plans.set(unpaid.id, 'normal');
      const provider = w.dice.chance(0.5) ? 'alipay' : 'wechat';
      const r = await as(w, u, (api) =>
        api.POST('/api/v1/orders/{id}/pay', {
          params: { path: idOf(unpaid.id) },
          body: { paymentProvider: provider },
        }),
      );
      if (!r.ok) return fail(r);
      w.effect('paymentRetries');
      return (await pay(w, u, unpaid.id, r.body)) ? 'ok' : 'failed';
    }
    const delivered = orders.filter((o) => o.status === 'delivered');
    if (delivered.length === 0) continue;
    const o = w.dice.pick(delivered);
    // Orders from before this run (the demo seed) get the same dispute share as new ones.
    if (!w.plans.has(o.id) && w.dice.chance(w.shares.dispute)) return openDispute(w, u, o);
    if (o.allowedActions.includes('request_revision') && w.dice.chance(w.shares.revision)) {
      const r = await as(w, u, (api) =>
        api.POST('/api/v1/orders/{id}/request-revision', {
          params: { path: idOf(o.id) },
          body: { message: say.revisionText(w.dice) },
        }),
      );
      if (!r.ok) return fail(r);
      w.effect('revisionsRequested');
      return 'ok';
    }
    const idempotency = key(w, 'complete');
    const r = await as(w, u, (api) =>
      api.POST('/api/v1/orders/{id}/complete', {
        params: { path: idOf(o.id), header: { 'idempotency-key': idempotency } },
        body: {},
      }),
    );
    if (!r.ok) return fail(r);
    w.effect('ordersCompleted');
    return 'ok';
  }
  return 'skipped';
}

/** One party of a disputed order adds evidence (`GET /orders/:id/dispute` names the dispute). */
async function evidence(w: World): Promise<Outcome> {
  const open = [...w.disputed.entries()].filter(([, n]) => n < 2);
  if (open.length === 0) return 'skipped';
  const [orderId, n] = w.dice.pick(open);
  // Both parties may be in the population; whoever finds the order adds their side.
  for (const u of shuffled(w, anyone(w))) {
    const d = await as(
      w,
      u,
      (api) => api.GET('/api/v1/orders/{id}/dispute', { params: { path: idOf(orderId) } }),
      { expected: ['not_found'] },
    );
    if (!d.ok && d.unavailable) {
      w.disputed.delete(orderId);
      return 'unavailable';
    }
    if (!d.ok) continue;
    if (!d.body.evidenceOpen || d.body.status !== 'open') {
      w.disputed.delete(orderId);
      return 'skipped';
    }
    const disputeId = d.body.id;
    const r = await as(w, u, (api) =>
      api.POST('/api/v1/disputes/{id}/evidence', {
        params: { path: idOf(disputeId) },
        body: { note: say.evidenceNote(w.dice), fileIds: [] },
      }),
    );
    w.disputed.set(orderId, n + 1);
    if (!r.ok) return fail(r);
    w.effect('evidenceSubmitted');
    return 'ok';
  }
  w.disputed.delete(orderId);
  return 'skipped';
}

/** A client asks a freelancer about a listing; the freelancer (if simulated) answers, now and then leaking contacts. */
async function message(w: World): Promise<Outcome> {
  if (w.clients.length === 0) return 'skipped';
  const client = w.dice.pick(w.clients);
  const services = [...w.services.values()].filter((s) => s.freelancerId !== client.id);
  if (services.length === 0) return 'skipped';
  const s = w.dice.pick(services);
  const r = await as(w, client, (api) =>
    api.POST('/api/v1/conversations', {
      body: { participantId: s.freelancerId, serviceId: s.id, message: say.presaleText(w.dice) },
    }),
  );
  if (!r.ok) return fail(r);
  w.effect('messagesSent');
  const freelancer = byId(w, s.freelancerId);
  if (!freelancer) return 'ok';
  const leak = w.dice.chance(w.shares.messageLeak);
  const content = leak ? `${say.replyText(w.dice)} ${w.dice.pick(say.CONTACT_LEAKS)}` : say.replyText(w.dice);
  const conversationId = r.body.id;
  const m = await as(w, freelancer, (api) =>
    api.POST('/api/v1/conversations/{id}/messages', {
      params: { path: idOf(conversationId) },
      body: { type: 'text', content },
    }),
  );
  if (!m.ok) return 'ok';
  w.effect('messagesSent');
  if (leak) {
    w.effect('messagesWithContactLeak');
    w.leakyMessages.push({ messageId: m.body.id, recipientId: client.id });
  }
  return 'ok';
}

async function wallet(w: World, u: SimUser): Promise<Wallet | null> {
  const r = await as(w, u, (api) => api.GET('/api/v1/wallet'));
  return r.ok ? r.body : null;
}

async function refreshMe(w: World, u: SimUser): Promise<void> {
  const r = await as(w, u, (api) => api.GET('/api/v1/me'));
  if (r.ok) u.realNameStatus = r.body.realNameStatus;
}

async function submitRealName(w: World, u: SimUser): Promise<Outcome> {
  const name = say.realName(w.dice);
  const r = await as(
    w,
    u,
    (api) => api.POST('/api/v1/me/real-name', { body: { realName: name, idNumber: say.idNumber(w.dice) } }),
    { expected: ['already_verified'] },
  );
  if (!r.ok) {
    if (r.code === 'already_verified') {
      u.realNameStatus = 'verified';
      return 'skipped';
    }
    return fail(r);
  }
  u.realName = name;
  u.realNameStatus = 'pending';
  w.effect('realNameSubmitted');
  return 'ok';
}

/** A freelancer with earnings submits real-name details (staff verify them in the ops console). */
async function realName(w: World): Promise<Outcome> {
  const candidates = w.freelancers.filter(
    (u) => u.realNameStatus === 'unverified' || u.realNameStatus === 'rejected',
  );
  if (candidates.length === 0) return 'skipped';
  const u = w.dice.pick(candidates);
  const bal = await wallet(w, u);
  if (!bal || (bal.availableFen <= 0 && !w.dice.chance(0.2))) return 'skipped';
  return submitRealName(w, u);
}

/** A verified freelancer with a balance withdraws part of it; some requests are above ¥5,000. */
async function withdraw(w: World): Promise<Outcome> {
  for (const u of shuffled(w, w.freelancers).slice(0, 4)) {
    const bal = await wallet(w, u);
    if (!bal || bal.availableFen < 1_000) continue;
    if (u.realNameStatus !== 'verified') await refreshMe(w, u);
    if (u.realNameStatus === 'unverified' || u.realNameStatus === 'rejected') return submitRealName(w, u);
    if (u.realNameStatus !== 'verified') continue;
    const avail = bal.availableFen;
    const threshold = 500_000;
    const amountFen =
      avail > threshold && w.dice.chance(w.shares.largeWithdrawal)
        ? w.dice.int(threshold + 100, Math.min(avail, 5_000_000))
        : Math.max(1_000, Math.min(threshold, Math.floor((avail * w.dice.int(30, 90)) / 100)));
    // People withdraw to the account they always use (the demo seed's past payouts went there); now and
    // then one asks for a new account, which the payout's risk signals rightly flag.
    const usual = usualPayoutAccount(u.id);
    const { channel, account } = w.dice.chance(0.05)
      ? say.withdrawalAccount(w.dice, u.realName ?? u.nickname)
      : { channel: usual.channel, account: { name: u.realName ?? u.nickname, number: usual.number } };
    const idempotency = key(w, 'withdraw');
    const r = await as(w, u, (api) =>
      api.POST('/api/v1/wallet/withdrawals', {
        params: { header: { 'idempotency-key': idempotency } },
        body: { amountFen, channel, account },
      }),
    );
    if (!r.ok) return fail(r);
    w.effect('withdrawalsRequested');
    if (amountFen > threshold) w.effect('withdrawalsAboveThreshold');
    return 'ok';
  }
  return 'skipped';
}

/** Someone opens a support chat (about one of their orders when the topic is about an order). */
async function support(w: World): Promise<Outcome> {
  const people = anyone(w);
  if (people.length === 0) return 'skipped';
  const u = w.dice.pick(people);
  const topic = say.supportTopic(w.dice);
  let orderId: number | undefined;
  if (topic.aboutOrder) {
    const orders = await myOrders(w, u, u.role);
    if (orders && orders.length > 0) orderId = w.dice.pick(orders).id;
  }
  const r = await as(w, u, (api) =>
    api.POST('/api/v1/support/conversations', {
      body: { subject: topic.subject, message: topic.message, ...(orderId ? { orderId } : {}) },
    }),
  );
  if (!r.ok) return fail(r);
  u.support = { conversationId: r.body.id, topic };
  w.effect('supportChatsOpened');
  return 'ok';
}

async function supportFollowUp(w: World): Promise<Outcome> {
  const open = anyone(w).filter((u) => u.support);
  if (open.length === 0) return 'skipped';
  const u = w.dice.pick(open);
  const s = u.support!;
  const r = await as(w, u, (api) =>
    api.POST('/api/v1/support/conversations/{id}/messages', {
      params: { path: idOf(s.conversationId) },
      body: { content: say.supportFollowUp(w.dice, s.topic) },
    }),
  );
  if (!r.ok) {
    if (r.status === 404 || r.status === 409) u.support = null;
    return fail(r);
  }
  w.effect('supportMessagesSent');
  if (w.dice.chance(0.25)) u.support = null; // satisfied, stops writing
  return 'ok';
}

/** A user reports a leaking message they received, or a listing they find suspicious. */
async function report(w: World): Promise<Outcome> {
  let reporter: SimUser | undefined;
  // The reasons the simulated users give are the ones content.ts has words for (the API takes more).
  let body: RequestBody<'/api/v1/reports', 'post'> & { reason: say.ReportReasonKey };
  const leak = w.leakyMessages.length > 0 && w.dice.chance(0.6) ? w.leakyMessages.shift() : undefined;
  if (leak) {
    reporter = byId(w, leak.recipientId);
    body = { targetType: 'message', targetId: leak.messageId, reason: 'contact_info', detail: '' };
  } else {
    const services = [...w.services.values()];
    if (services.length === 0 || w.clients.length === 0) return 'skipped';
    const s = w.dice.pick(services);
    reporter = w.dice.pick(w.clients);
    if (reporter.id === s.freelancerId) return 'skipped';
    const reason = w.dice.pick(['contact_info', 'fraud', 'spam', 'other'] as const);
    body = w.dice.chance(0.8)
      ? { targetType: 'listing', targetId: s.id, reason, detail: '' }
      : { targetType: 'user', targetId: s.freelancerId, reason: 'harassment', detail: '' };
  }
  if (!reporter) return 'skipped';
  body.detail = say.reportDetail(body.reason);
  const r = await as(w, reporter, (api) => api.POST('/api/v1/reports', { body }), {
    expected: ['already_reported', 'cannot_report_own'],
  });
  if (!r.ok) return r.code === 'already_reported' || r.code === 'cannot_report_own' ? 'skipped' : fail(r);
  w.effect('reportsFiled');
  return 'ok';
}

export const ACTION_IMPLS: Record<ActionName, (w: World) => Promise<Outcome>> = {
  signup,
  createListing,
  search: (w) => search(w),
  order,
  freelancerWork,
  clientReview,
  evidence,
  message,
  realName,
  withdraw,
  support,
  supportFollowUp,
  report,
};
