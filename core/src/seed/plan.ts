import { createServiceBodySchema } from '@jiangxin/shared/api/catalog';
import type { PaymentProvider } from '@jiangxin/shared/api/orders';
import {
  nextStatus,
  type OrderAction,
  type OrderActor,
  type OrderStatus,
  type PackageTier,
} from '@jiangxin/shared/orders';
import type { ServiceStatusColumn } from '../platform/db/schema';
import {
  CATEGORIES,
  CONTACT_LEAKS,
  type LeafCategory,
  LISTING_INTROS,
  LISTING_NOTES,
  LISTING_PROCESS,
  LISTING_STRENGTHS,
  REJECTION_NOTES,
  type TopCategory,
} from './catalog-data';
import {
  CITIES,
  COMPANY_SUFFIXES,
  COMPANY_WORDS,
  EMPLOYERS,
  FREELANCER_BIOS,
  GIVEN_NAME_CHARS,
  INDUSTRIES,
  NICKNAME_PATTERNS,
  NICKNAME_WORDS,
  ROLES,
  SCHOOLS,
  STUDIO_PATTERNS,
  SURNAMES,
} from './people-data';
import { Rng } from './random';
import {
  CANCELLATION_REASONS_CLIENT,
  CANCELLATION_REASONS_FREELANCER,
  DECLINE_REASONS,
  DELIVERY_MESSAGES,
  DISPUTE_REASONS_CLIENT,
  DISPUTE_REASONS_FREELANCER,
  ORDER_CHATS,
  PRESALE_CHATS,
  REQUIREMENTS,
  REVIEWS_OF_CLIENTS,
  REVIEWS_OF_FREELANCERS,
  REVISION_MESSAGES,
} from './story-data';

export type SeedScale = 'small' | 'medium' | 'large';

/** How big each scale is. `groups` partitions users so order batches of different groups never share a wallet. */
export const SCALES: Record<
  SeedScale,
  { clients: number; freelancers: number; listings: number; orders: number; presaleChats: number }
> = {
  small: { clients: 28, freelancers: 32, listings: 80, orders: 150, presaleChats: 25 },
  medium: { clients: 1_200, freelancers: 800, listings: 1_000, orders: 5_000, presaleChats: 600 },
  large: { clients: 32_000, freelancers: 18_000, listings: 20_000, orders: 200_000, presaleChats: 10_000 },
};

/**
 * Users are split into this many groups; a client only orders from freelancers of their own group. Order
 * batches of different groups then touch disjoint wallets, so they can run concurrently without lock
 * waits or deadlocks, and the data is the same however many run at once.
 */
export const USER_GROUPS = 4;

/** Deadlines the story must respect (from the environment), so open orders are not already overdue. */
export interface StoryTimeouts {
  paymentTimeoutMinutes: number;
  acceptanceTimeoutHours: number;
  autoCompleteDays: number;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** The dashboard's default range: most of the story's money moves within it. */
const RECENT_SPAN = 30 * DAY;

/**
 * A fixed moment for a seed, for callers that need the same absolute dates on every run (tests, benches).
 * The seeder itself ends the story when it runs, so the dashboard's last 30 days show the story's sales.
 */
export function storyEndFor(seed: number): Date {
  const base = Date.UTC(2026, 9, 31, 6, 0, 0); // 2026-10-31 14:00 China time
  const back = (((seed % 60) + 60) % 60) * DAY;
  return new Date(base - back);
}

export interface Leaf extends LeafCategory {
  index: number;
  top: TopCategory;
}

/** Every leaf category with its parent, numbered: listings and skills hang off leaves. */
export const LEAVES: readonly Leaf[] = CATEGORIES.flatMap((top) =>
  top.children.map((c) => ({ ...c, top })),
).map((leaf, index) => ({ ...leaf, index }));

/** A demo user before it has a database id; `key` is its index in the plan. */
export interface UserPlan {
  key: number;
  username: string;
  nickname: string;
  email: string | null;
  phone: string | null;
  isClient: boolean;
  isFreelancer: boolean;
  realNameStatus: 'unverified' | 'pending' | 'verified' | 'rejected';
  realName: string | null;
  idNumber: string | null;
  city: string;
  group: number;
  createdAt: number;
  company: string;
  industry: string;
  /** Freelancers only. */
  bio: string;
  hourlyRateFen: number | null;
  responseRate: number;
  primaryLeaf: number;
  /** 0..1: how happy this freelancer's clients tend to be. */
  quality: number;
}

export interface PackagePlan {
  tier: PackageTier;
  title: string;
  description: string;
  priceFen: number;
  deliveryDays: number;
  revisions: number;
}

/** A listing (service) with its three packages; times are epoch milliseconds. */
export interface ListingPlan {
  key: number;
  freelancerKey: number;
  leaf: number;
  title: string;
  titleZh: string;
  description: string;
  status: ServiceStatusColumn;
  reviewNote: string | null;
  packages: [PackagePlan, PackagePlan, PackagePlan];
  skills: string[];
  views: number;
  createdAt: number;
  submittedAt: number | null;
  publishedAt: number | null;
  updatedAt: number;
}

export type StepKind = 'pay' | 'pay_failed' | Exclude<OrderAction, 'mark_paid' | 'resolve_dispute'>;

/** One move in an order's story: who does what, when. */
export interface StepPlan {
  kind: StepKind;
  by: Exclude<OrderActor, 'staff'>;
  at: number;
  message?: string;
  reason?: string;
}

export interface ReviewPlan {
  direction: 'client_to_freelancer' | 'freelancer_to_client';
  rating: number;
  comment: string;
  at: number;
}

export interface ChatPlan {
  /** Speaker per message: true = the client. */
  fromClient: boolean[];
  texts: string[];
  times: number[];
  /** Whether the participant who did not send the last message has read it. */
  readByOther: boolean;
}

/** An order and the story that takes it to `finalStatus`, with its reviews and chat. */
export interface OrderPlan {
  key: number;
  orderNumber: string;
  story: StoryName;
  finalStatus: OrderStatus;
  clientKey: number;
  freelancerKey: number;
  listingKey: number;
  group: number;
  tier: PackageTier;
  amountFen: number;
  deliveryDays: number;
  revisionsAllowed: number;
  serviceTitle: string;
  requirements: string;
  provider: PaymentProvider;
  /** Provider of the second attempt when the first failed. */
  retryProvider: PaymentProvider;
  providerTradeNo: string;
  createdAt: number;
  /** created_at of each payment attempt. */
  paymentTimes: number[];
  steps: StepPlan[];
  reviews: ReviewPlan[];
  chat: ChatPlan | null;
}

export interface PresalePlan {
  clientKey: number;
  freelancerKey: number;
  listingKey: number;
  chat: ChatPlan;
}

/** The whole marketplace as data; `storyEnd` is the story's "now" in epoch milliseconds. */
export interface SeedPlan {
  storyEnd: number;
  users: UserPlan[];
  listings: ListingPlan[];
  orders: OrderPlan[];
  presales: PresalePlan[];
}

type StepSpec = StepKind;

/** Every path the demo shows, and the steps that lead there. */
export const STORIES = {
  awaiting_payment: [],
  awaiting_payment_after_failure: ['pay_failed'],
  cancelled_unpaid: ['cancel'],
  payment_expired: ['expire_payment'],
  pending_acceptance: ['pay'],
  declined: ['pay', 'decline'],
  cancelled_before_acceptance: ['pay', 'cancel'],
  acceptance_expired: ['pay', 'expire_acceptance'],
  in_progress: ['pay', 'accept'],
  cancellation_requested: ['pay', 'accept', 'request_cancellation'],
  revising: ['pay', 'accept', 'deliver', 'request_revision', 'start_revision'],
  delivered: ['pay', 'accept', 'deliver'],
  revision_requested: ['pay', 'accept', 'deliver', 'request_revision'],
  completed: ['pay', 'accept', 'deliver', 'complete'],
  completed_after_revision: [
    'pay',
    'accept',
    'deliver',
    'request_revision',
    'start_revision',
    'deliver',
    'complete',
  ],
  auto_completed: ['pay', 'accept', 'deliver', 'auto_complete'],
  cancelled_by_agreement: ['pay', 'accept', 'request_cancellation', 'agree_cancellation'],
  disputed_in_progress: ['pay', 'accept', 'dispute'],
  disputed_after_delivery: ['pay', 'accept', 'deliver', 'dispute'],
  disputed_during_revision: ['pay', 'accept', 'deliver', 'request_revision', 'dispute'],
} as const satisfies Record<string, readonly StepSpec[]>;
export type StoryName = keyof typeof STORIES;
const STORY_NAMES = Object.keys(STORIES) as StoryName[];

const STORY_WEIGHTS: Record<StoryName, number> = {
  awaiting_payment: 5,
  awaiting_payment_after_failure: 1,
  cancelled_unpaid: 3,
  payment_expired: 4,
  pending_acceptance: 5,
  declined: 2,
  cancelled_before_acceptance: 2,
  acceptance_expired: 1,
  in_progress: 8,
  cancellation_requested: 2,
  revising: 2,
  delivered: 6,
  revision_requested: 3,
  completed: 34,
  completed_after_revision: 8,
  auto_completed: 5,
  cancelled_by_agreement: 3,
  disputed_in_progress: 1.5,
  disputed_after_delivery: 1.5,
  disputed_during_revision: 1,
};

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const fill = (template: string, vars: Record<string, string | number>) =>
  template.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));

/** A yuan amount as sellers price it: ¥88, ¥299, ¥1,580 — then fen. */
function niceFen(rng: Rng, yuan: number): number {
  let y: number;
  if (yuan < 100) y = Math.max(50, Math.round(yuan / 5) * 5);
  else if (yuan < 1000) y = Math.round(yuan / 10) * 10 - (rng.chance(0.4) ? 1 : 0);
  else y = Math.round(yuan / 100) * 100 - (rng.chance(0.3) ? 1 : 0) - (rng.chance(0.2) ? 100 : 0);
  return Math.min(50_000, Math.max(50, y)) * 100;
}

function personName(rng: Rng): string {
  const given = rng.chance(0.7)
    ? rng.pick(GIVEN_NAME_CHARS) + rng.pick(GIVEN_NAME_CHARS)
    : rng.pick(GIVEN_NAME_CHARS);
  return rng.pick(SURNAMES) + given;
}

/** A fake resident ID number in the right shape, under the non-existent region 99, with a valid check digit. */
function fakeIdNumber(rng: Rng): string {
  const birth = new Date(Date.UTC(rng.int(1970, 2003), rng.int(0, 11), rng.int(1, 28)));
  const body = `99${pad(rng.int(0, 9999), 4)}${birth.toISOString().slice(0, 10).replace(/-/g, '')}${pad(rng.int(0, 999), 3)}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = body.split('').reduce((s, d, i) => s + Number(d) * weights[i]!, 0);
  return body + '10X98765432'[sum % 11]!;
}

function planUsers(seed: number, storyEnd: number, scale: SeedScale): UserPlan[] {
  const rng = Rng.stream(seed, 'users');
  const { clients, freelancers } = SCALES[scale];
  const users: UserPlan[] = [];
  const make = (i: number, kind: 'client' | 'freelancer'): UserPlan => {
    const key = users.length;
    const city = rng.pick(CITIES);
    const industry = rng.pick(INDUSTRIES);
    const username = `${kind}${pad(i + 1, 3)}`;
    const isFreelancer = kind === 'freelancer';
    let nickname: string;
    if (isFreelancer && rng.chance(0.4)) {
      nickname = fill(rng.pick(STUDIO_PATTERNS), { w: rng.pick(NICKNAME_WORDS), c: city });
    } else if (!isFreelancer && rng.chance(0.25)) {
      nickname = `${rng.pick(COMPANY_WORDS)}${industry.slice(0, 2)}-${rng.pick(['采购部', '市场部', '运营', '行政', '老板'])}`;
    } else if (rng.chance(0.35)) {
      nickname =
        rng.pick(NICKNAME_WORDS) + (isFreelancer ? rng.pick(['设计', '工作室', '说', '本人', '']) : '');
    } else {
      nickname = rng
        .pick(NICKNAME_PATTERNS)
        .replace(/\{s\}/g, () => rng.pick(SURNAMES))
        .replace(/\{g\}/g, () => rng.pick(GIVEN_NAME_CHARS));
    }
    const demoFreelancer = isFreelancer && i === 0;
    const realNameStatus = demoFreelancer
      ? 'verified'
      : isFreelancer
        ? rng.weighted({ verified: 45, pending: 10, rejected: 3, unverified: 42 })
        : rng.weighted({ verified: 15, pending: 3, rejected: 1, unverified: 81 });
    const hasRealName = realNameStatus !== 'unverified';
    const hasCompany = !isFreelancer && rng.chance(0.65);
    const leaf = rng.pick(LEAVES);
    const years = rng.int(2, 12);
    const bio = isFreelancer
      ? fill(rng.pick(FREELANCER_BIOS), {
          years,
          category: leaf.nameZh,
          employer: rng.pick(EMPLOYERS),
          role: rng.pick(ROLES),
          industryA: rng.pick(INDUSTRIES),
          industryB: rng.pick(INDUSTRIES),
          city,
          size: rng.int(2, 8),
          school: rng.pick(SCHOOLS),
        })
      : '';
    const phone = key < 9_999 && rng.chance(0.6) ? `1380013${pad(key, 4)}` : null;
    return {
      key,
      username,
      nickname,
      email: rng.chance(0.7) ? `${username}@demo.jiangxin.example` : null,
      phone,
      isClient: !isFreelancer || rng.chance(0.2),
      isFreelancer,
      realNameStatus,
      realName: hasRealName ? personName(rng) : null,
      idNumber: realNameStatus === 'verified' || realNameStatus === 'pending' ? fakeIdNumber(rng) : null,
      city,
      group: i % USER_GROUPS,
      createdAt: storyEnd - rng.int(210, 1100) * DAY - rng.int(0, DAY),
      company: hasCompany
        ? `${city}${rng.pick(COMPANY_WORDS)}${COMPANY_SUFFIXES[industry] ?? '有限公司'}`
        : '',
      industry: isFreelancer ? '' : industry,
      bio,
      hourlyRateFen: isFreelancer ? rng.int(6, 60) * 1000 : null,
      responseRate: isFreelancer ? rng.int(70, 100) : 100,
      primaryLeaf: leaf.index,
      quality: 0.3 + 0.7 * rng.next(),
    };
  };
  for (let i = 0; i < clients; i++) users.push(make(i, 'client'));
  for (let i = 0; i < freelancers; i++) users.push(make(i, 'freelancer'));
  return users;
}

function planListings(seed: number, storyEnd: number, scale: SeedScale, users: UserPlan[]): ListingPlan[] {
  const rng = Rng.stream(seed, 'listings');
  const freelancers = users.filter((u) => u.isFreelancer);
  const listings: ListingPlan[] = [];
  const tiers = ['basic', 'standard', 'premium'] as const;
  const tierNames = ['基础版', '标准版', '高级版'];
  for (let j = 0; j < SCALES[scale].listings; j++) {
    const owner =
      j < freelancers.length
        ? freelancers[j]!
        : freelancers[Math.floor(freelancers.length * rng.next() ** 1.5)]!;
    const leaf = j < freelancers.length || rng.chance(0.75) ? LEAVES[owner.primaryLeaf]! : rng.pick(LEAVES);
    const template = rng.pick(leaf.titles);
    const status: ServiceStatusColumn =
      j === 0
        ? 'published'
        : rng.weighted({ published: 80, pending_review: 7, draft: 5, rejected: 4, suspended: 4 });
    const bilingual =
      (leaf.top.slug === 'translation' ||
        leaf.slug === 'ecommerce-website' ||
        leaf.slug === 'corporate-website') &&
      rng.chance(0.25);
    let titleZh = template.zh;
    // An English title stands in for the Chinese one only where the API would take it (at most 60 chars).
    if (bilingual)
      titleZh = createServiceBodySchema.shape.titleZh.safeParse(template.en).success
        ? template.en
        : template.zh;
    else {
      const prefix = rng.weighted({
        none: 70,
        city: 12,
        verified: owner.realNameStatus === 'verified' ? 8 : 0,
        fast: 10,
      });
      if (prefix === 'city') titleZh = `【${owner.city}】${titleZh}`;
      if (prefix === 'verified') titleZh = `【实名认证】${titleZh}`;
      if (prefix === 'fast') titleZh = `急速交付｜${titleZh}`;
      titleZh += rng.pick(['', '', '', ' 可开发票', ' 源文件交付', ' 支持加急', ' 售后无忧']);
    }
    const [minYuan, maxYuan] = leaf.basicYuan;
    const basicFen = niceFen(rng, rng.int(minYuan, maxYuan));
    const standardFen = Math.max(basicFen, niceFen(rng, (basicFen / 100) * (1.6 + 0.8 * rng.next())));
    const premiumFen = Math.max(standardFen, niceFen(rng, (standardFen / 100) * (1.5 + 0.7 * rng.next())));
    const basicDays = rng.int(leaf.days[0], leaf.days[1]);
    const standardDays = basicDays + rng.int(1, Math.max(1, Math.round(basicDays * 0.3)));
    const premiumDays = standardDays + rng.int(1, Math.max(2, Math.round(basicDays * 0.5)));
    const basicRevisions = rng.int(1, 2);
    const revisions = [basicRevisions, basicRevisions + 1, basicRevisions + 1 + rng.int(1, 3)];
    const prices = [basicFen, standardFen, premiumFen];
    const days = [basicDays, standardDays, premiumDays];
    const packages = tiers.map((tier, t) => ({
      tier,
      title: tierNames[t]!,
      description: leaf.packages[t]!,
      priceFen: prices[t]!,
      deliveryDays: days[t]!,
      revisions: revisions[t]!,
    })) as [PackagePlan, PackagePlan, PackagePlan];
    let description = describeListing(rng, leaf.nameZh, packages);
    if (status === 'pending_review' && rng.chance(0.4)) description += `\n${rng.pick(CONTACT_LEAKS)}`;

    // Published listings predate every order; drafts and reviews are recent.
    const live = status === 'published' || status === 'suspended';
    const earliest = owner.createdAt + DAY;
    const createdAt = live
      ? earliest + Math.floor(rng.next() * Math.max(DAY, storyEnd - 200 * DAY - earliest))
      : storyEnd - rng.int(1, 30) * DAY - rng.int(0, DAY);
    const submittedAt = status === 'draft' ? null : createdAt + rng.int(10, 240) * MIN;
    const publishedAt = live && submittedAt !== null ? submittedAt + rng.int(1, 20) * HOUR : null;
    const updatedAt =
      status === 'suspended'
        ? storyEnd - rng.int(1, 20) * DAY
        : status === 'rejected' && submittedAt !== null
          ? submittedAt + rng.int(2, 30) * HOUR
          : (publishedAt ?? submittedAt ?? createdAt);
    listings.push({
      key: j,
      freelancerKey: owner.key,
      leaf: leaf.index,
      title: template.en,
      titleZh,
      description,
      status,
      reviewNote:
        status === 'rejected'
          ? rng.pick(REJECTION_NOTES)
          : status === 'suspended'
            ? '用户举报属实：多次站外交易引导，下架处理'
            : null,
      packages,
      skills: rng.sample(leaf.skills, rng.int(2, 3)).map(([en]) => en),
      views: live ? Math.floor(rng.int(30, 3000) * (1 + 4 * rng.next() ** 4)) : rng.int(0, 20),
      createdAt,
      submittedAt,
      publishedAt,
      updatedAt,
    });
  }
  return listings;
}

/** When each step happens, measured from the previous one. */
function stepGap(rng: Rng, kind: StepKind, deliveryDays: number, t: StoryTimeouts): number {
  switch (kind) {
    case 'pay':
      return rng.int(1, 20) * MIN + rng.int(0, 59_000);
    case 'pay_failed':
      return rng.int(1, 4) * MIN + rng.int(0, 59_000);
    case 'cancel':
      return rng.int(3, 20) * MIN + rng.int(0, 10) * HOUR;
    case 'expire_payment':
      return t.paymentTimeoutMinutes * MIN + rng.int(0, 90_000);
    case 'accept':
      return rng.int(20, 30 * 60) * MIN;
    case 'decline':
      return rng.int(1, 20) * HOUR;
    case 'expire_acceptance':
      return t.acceptanceTimeoutHours * HOUR + rng.int(0, 5 * MIN);
    case 'deliver':
      return Math.floor(deliveryDays * DAY * (0.4 + 0.55 * rng.next()));
    case 'request_revision':
      return rng.int(2, 48) * HOUR;
    case 'start_revision':
      return rng.int(1, 12) * HOUR;
    case 'complete':
      return rng.int(2, 5 * 24) * HOUR;
    case 'auto_complete':
      return t.autoCompleteDays * DAY + rng.int(0, 10 * MIN);
    case 'request_cancellation':
      return rng.int(1, 48) * HOUR;
    case 'withdraw_cancellation':
    case 'agree_cancellation':
      return rng.int(1, 24) * HOUR;
    case 'dispute':
      return rng.int(1, 72) * HOUR;
  }
}

/**
 * How long an open order may already sit in its final state without passing a deadline the timeout sweeper
 * acts on (so "awaiting payment" orders really are still payable when the story ends).
 */
function openWindow(
  status: OrderStatus,
  deliveryDays: number,
  sinceCreated: number,
  t: StoryTimeouts,
): number {
  switch (status) {
    case 'awaiting_payment':
      return Math.max(MIN, t.paymentTimeoutMinutes * MIN - sinceCreated - 2 * MIN);
    case 'pending_acceptance':
      return t.acceptanceTimeoutHours * HOUR * 0.9;
    case 'in_progress':
      return deliveryDays * DAY * 0.8;
    case 'delivered':
      return t.autoCompleteDays * DAY * 0.9;
    case 'revision_requested':
      return 3 * DAY;
    case 'disputed':
      // Open disputes are recent: some still inside the evidence window (72 h by default), some past it.
      return 6 * DAY;
    default:
      return 0;
  }
}

function pickRating(rng: Rng, quality: number): number {
  const r = rng.next();
  if (r < 0.3 + 0.6 * quality) return 5;
  if (r < 0.86 + 0.1 * quality) return 4;
  if (r < 0.955 + 0.03 * quality) return 3;
  if (r < 0.985 + 0.01 * quality) return 2;
  return 1;
}

function chatPlan(
  rng: Rng,
  lines: readonly string[],
  clientFirst: boolean,
  start: number,
  end: number,
): ChatPlan {
  const times: number[] = [];
  let t = start;
  for (let i = 0; i < lines.length; i++) {
    if (i > 0) t += rng.int(2, 240) * MIN + rng.int(0, 59_000);
    if (t >= end) break;
    times.push(t);
  }
  if (times.length === 0) times.push(Math.min(start, end - MIN));
  return {
    fromClient: times.map((_, i) => (i % 2 === 0) === clientFirst),
    texts: lines.slice(0, times.length),
    times,
    readByOther: rng.chance(0.6),
  };
}

function planOrders(
  seed: number,
  storyEnd: number,
  scale: SeedScale,
  users: UserPlan[],
  listings: ListingPlan[],
  timeouts: StoryTimeouts,
): OrderPlan[] {
  const rng = Rng.stream(seed, 'orders');
  const listingsByGroup: ListingPlan[][] = Array.from({ length: USER_GROUPS }, () => []);
  for (const l of listings)
    if (l.status === 'published') listingsByGroup[users[l.freelancerKey]!.group]!.push(l);
  const allClients = users.filter((u) => u.isClient);
  const demoClient = users.find((u) => u.username === 'client001')!;
  const demoListing = listings[0]!;

  const orders: Omit<OrderPlan, 'orderNumber'>[] = [];
  for (let i = 0; i < SCALES[scale].orders; i++) {
    const story: StoryName = i < STORY_NAMES.length ? STORY_NAMES[i]! : rng.weighted(STORY_WEIGHTS);
    let client: UserPlan;
    let listing: ListingPlan;
    if (i < STORY_NAMES.length) {
      // The demo logins (client001 / freelancer001) see one order of every kind.
      client = demoClient;
      listing = demoListing;
    } else {
      for (let attempt = 0; ; attempt++) {
        client = allClients[Math.floor(allClients.length * rng.next() ** 1.3)]!;
        const pool = listingsByGroup[client.group]!;
        if (pool.length === 0) continue;
        listing = pool[Math.floor(pool.length * rng.next() ** (attempt < 20 ? 2 : 1))]!;
        if (listing.freelancerKey !== client.key) break;
        if (attempt > 1000)
          throw new Error('no orderable listing for any client: too few published listings');
      }
    }
    const freelancer = users[listing.freelancerKey]!;
    const tierIndex = ['basic', 'standard', 'premium'].indexOf(
      rng.weighted({ basic: 50, standard: 35, premium: 15 }),
    );
    const pkg = listing.packages[tierIndex]!;
    const provider: PaymentProvider = rng.chance(0.55) ? 'alipay' : 'wechat';
    const leaf = LEAVES[listing.leaf]!;
    const requirements = fill(rng.pick(REQUIREMENTS[leaf.top.slug] ?? REQUIREMENTS['web-development']!), {
      company: client.company || `${client.nickname}的店`,
      industry: client.industry || rng.pick(INDUSTRIES),
      city: client.city,
    });

    // Steps with their gaps and who acts; then place the story in time.
    const cancellationBy: 'client' | 'freelancer' = rng.chance(0.65) ? 'client' : 'freelancer';
    const disputeBy: 'client' | 'freelancer' =
      story === 'disputed_during_revision'
        ? rng.chance(0.5)
          ? 'freelancer'
          : 'client'
        : rng.chance(0.8)
          ? 'client'
          : 'freelancer';
    let elapsed = 0;
    const steps: StepPlan[] = [];
    let status: OrderStatus = 'awaiting_payment';
    for (const kind of STORIES[story] as readonly StepKind[]) {
      elapsed += stepGap(rng, kind, pkg.deliveryDays, timeouts);
      const step: StepPlan = { kind, by: 'system', at: elapsed };
      switch (kind) {
        case 'pay':
        case 'pay_failed':
        case 'expire_payment':
        case 'expire_acceptance':
        case 'auto_complete':
          step.by = 'system';
          break;
        case 'cancel':
        case 'request_revision':
        case 'complete':
          step.by = 'client';
          break;
        case 'accept':
        case 'decline':
        case 'deliver':
        case 'start_revision':
          step.by = 'freelancer';
          break;
        case 'request_cancellation':
        case 'withdraw_cancellation':
          step.by = cancellationBy;
          break;
        case 'agree_cancellation':
          step.by = cancellationBy === 'client' ? 'freelancer' : 'client';
          break;
        case 'dispute':
          step.by = disputeBy;
          break;
      }
      if (kind === 'deliver') step.message = rng.pick(DELIVERY_MESSAGES);
      if (kind === 'request_revision') step.message = rng.pick(REVISION_MESSAGES);
      if (kind === 'decline') step.reason = rng.pick(DECLINE_REASONS);
      if (kind === 'request_cancellation')
        step.reason = rng.pick(
          cancellationBy === 'client' ? CANCELLATION_REASONS_CLIENT : CANCELLATION_REASONS_FREELANCER,
        );
      // The complaint is the opener's own: a client's about the work, a freelancer's about the client.
      if (kind === 'dispute')
        step.reason = rng.pick(disputeBy === 'client' ? DISPUTE_REASONS_CLIENT : DISPUTE_REASONS_FREELANCER);
      if (kind === 'cancel') step.reason = '不需要了，取消订单';
      if (kind !== 'pay_failed') {
        const action: OrderAction = kind === 'pay' ? 'mark_paid' : kind;
        const next = nextStatus(action, status, step.by);
        if (!next) throw new Error(`story ${story}: ${kind} by ${step.by} is not allowed from ${status}`);
        status = next;
      }
      steps.push(step);
    }
    const window = openWindow(status, pkg.deliveryDays, elapsed, timeouts);
    // Finished orders: over half of them started within the last 30 days, evenly, so the dashboard's
    // month has sales every day; the rest reach back half a year (older history thins out).
    const recent = i % 20 < 11;
    const span = recent ? RECENT_SPAN : 185 * DAY;
    const age =
      window > 0
        ? Math.floor(window * (0.05 + 0.9 * rng.next()))
        : HOUR + Math.floor(Math.max(0, span - elapsed - HOUR) * rng.next() ** (recent ? 1 : 1.3));
    const createdAt = storyEnd - elapsed - age;
    for (const s of steps) s.at += createdAt;
    const paymentTimes = [createdAt];
    const failed = steps.find((s) => s.kind === 'pay_failed');
    if (failed) paymentTimes.push(failed.at + rng.int(1, 3) * MIN);

    const reviews: ReviewPlan[] = [];
    const completedAt = steps.find((s) => s.kind === 'complete' || s.kind === 'auto_complete')?.at;
    if (completedAt !== undefined) {
      const reviewAt = () => Math.min(storyEnd - MIN, completedAt + rng.int(10, 4 * 24 * 60) * MIN);
      if (rng.chance(story === 'auto_completed' ? 0.3 : 0.78)) {
        const rating = pickRating(
          rng,
          story === 'completed_after_revision' ? freelancer.quality * 0.8 : freelancer.quality,
        );
        const pool = REVIEWS_OF_FREELANCERS[rating]!;
        reviews.push({
          direction: 'client_to_freelancer',
          rating,
          comment: rng.chance(0.1) ? '' : rng.pick(pool),
          at: reviewAt(),
        });
      }
      if (rng.chance(0.5)) {
        const rating = pickRating(rng, 0.85);
        reviews.push({
          direction: 'freelancer_to_client',
          rating,
          comment: rng.chance(0.2) ? '' : rng.pick(REVIEWS_OF_CLIENTS[rating]!),
          at: reviewAt(),
        });
      }
    }

    const paidAt = steps.find((s) => s.kind === 'pay')?.at;
    let chat: ChatPlan | null = null;
    if (paidAt !== undefined && (status === 'disputed' || rng.chance(0.3))) {
      const lines = [...rng.pick(ORDER_CHATS)];
      const dispute = steps.find((s) => s.kind === 'dispute');
      if (dispute)
        lines.push(
          disputeBy === 'client'
            ? '一直达不到要求，我已经申请平台介入了。'
            : '您提的新需求超出了套餐范围，我申请平台来判断吧。',
        );
      chat = chatPlan(rng, lines, false, paidAt + rng.int(5, 60) * MIN, storyEnd);
    }

    orders.push({
      key: i,
      story,
      finalStatus: status,
      clientKey: client.key,
      freelancerKey: freelancer.key,
      listingKey: listing.key,
      group: client.group,
      tier: pkg.tier,
      amountFen: pkg.priceFen,
      deliveryDays: pkg.deliveryDays,
      revisionsAllowed: pkg.revisions,
      serviceTitle: listing.titleZh,
      requirements,
      provider,
      retryProvider: rng.chance(0.5) ? provider : provider === 'alipay' ? 'wechat' : 'alipay',
      providerTradeNo: '',
      createdAt,
      paymentTimes,
      steps,
      reviews,
      chat,
    });
  }

  // Order numbers follow time, like the live sequence does: JX + China date + running number.
  const byTime = orders.map((o, i) => ({ o, i })).sort((a, b) => a.o.createdAt - b.o.createdAt || a.i - b.i);
  return byTime.map(({ o }, n) => {
    const day = new Date(o.createdAt + 8 * HOUR).toISOString().slice(0, 10).replace(/-/g, '');
    const provider = o.steps.some((s) => s.kind === 'pay_failed') ? o.retryProvider : o.provider;
    const tradeNo =
      provider === 'alipay'
        ? `${day}2200${pad(Math.floor(rng.next() * 1e10), 10)}${pad(n % 10_000, 4)}`
        : `4200${pad(Math.floor(rng.next() * 1e6), 6)}${day}${pad(Math.floor(rng.next() * 1e8), 8)}`;
    return { ...o, key: n, orderNumber: `JX${day}${pad(n + 1, 6)}`, providerTradeNo: tradeNo };
  });
}

function planPresales(
  seed: number,
  storyEnd: number,
  scale: SeedScale,
  users: UserPlan[],
  listings: ListingPlan[],
): PresalePlan[] {
  const rng = Rng.stream(seed, 'presales');
  const clients = users.filter((u) => u.isClient);
  const published = listings.filter((l) => l.status === 'published');
  const seen = new Set<string>();
  const out: PresalePlan[] = [];
  for (
    let attempt = 0;
    out.length < SCALES[scale].presaleChats && attempt < SCALES[scale].presaleChats * 5;
    attempt++
  ) {
    const client = attempt === 0 ? users.find((u) => u.username === 'client001')! : rng.pick(clients);
    const listing =
      attempt === 0
        ? (published.find((l) => l.key !== 0 && users[l.freelancerKey]!.key !== client.key) ?? published[0]!)
        : rng.pick(published);
    if (listing.freelancerKey === client.key) continue;
    const pair = `${Math.min(client.key, listing.freelancerKey)}:${Math.max(client.key, listing.freelancerKey)}`;
    if (seen.has(pair)) continue;
    seen.add(pair);
    const start = storyEnd - rng.int(1, 60 * 24) * 60 * MIN;
    out.push({
      clientKey: client.key,
      freelancerKey: listing.freelancerKey,
      listingKey: listing.key,
      chat: chatPlan(rng, rng.pick(PRESALE_CHATS), true, start, storyEnd),
    });
  }
  return out;
}

/**
 * The whole demo marketplace as plain data, computed from the seed and the story's end alone: same seed
 * and end, same plan, on any machine and either database (every time is relative to `storyEndAt`).
 * Writing it is seed.ts's job.
 */
export function planMarketplace(
  seed: number,
  scale: SeedScale,
  timeouts: StoryTimeouts,
  storyEndAt: Date = storyEndFor(seed),
): SeedPlan {
  const storyEnd = storyEndAt.getTime();
  const users = planUsers(seed, storyEnd, scale);
  const listings = planListings(seed, storyEnd, scale, users);
  const orders = planOrders(seed, storyEnd, scale, users, listings, timeouts);
  const presales = planPresales(seed, storyEnd, scale, users, listings);
  return { storyEnd, users, listings, orders, presales };
}

/**
 * A listing's description in the voice of the demo marketplace: an intro, what each package includes,
 * how the freelancer works and a closing note. Shared by the seed and the search benchmark.
 */
export function describeListing(
  rng: Rng,
  categoryZh: string,
  packages: readonly { title: string; description: string; deliveryDays: number; revisions: number }[],
): string {
  const intro = fill(rng.pick(LISTING_INTROS), {
    years: rng.int(2, 12),
    clients: rng.int(2, 50) * 10,
    strength: rng.pick(LISTING_STRENGTHS),
    category: categoryZh,
  });
  return [
    intro,
    '',
    `${categoryZh}服务内容：`,
    ...packages.map(
      (p) => `· ${p.title}：${p.description}（${p.deliveryDays}天交付，含${p.revisions}次修改）`,
    ),
    '',
    rng.pick(LISTING_PROCESS),
    rng.pick(LISTING_NOTES),
  ].join('\n');
}
