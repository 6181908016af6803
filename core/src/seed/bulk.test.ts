import { updateProfileBodySchema } from '@jiangxin/shared/api/accounts';
import { updateServiceBodySchema } from '@jiangxin/shared/api/catalog';
import { createConversationBodySchema, sendMessageBodySchema } from '@jiangxin/shared/api/messaging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, insertUser } from '../modules/accounts/commands';
import { updateProfile } from '../modules/accounts/profile';
import { createService, setServiceStatus, updateService } from '../modules/catalog/commands';
import { accountCode, accountId } from '../modules/ledger/accounts';
import { markRead, openConversation, sendMessage } from '../modules/messaging/commands';
import { listConversations, listMessages } from '../modules/messaging/queries';
import { wireOps } from '../ops/wiring';
import { loadEnv } from '../platform/config';
import type { AppContext } from '../platform/context';
import type { Db } from '../platform/db/database';
import { createTestDb } from '../test/harness';
import { type CatalogIds, writeCatalog } from './catalog';
import { type ChatToPlay, chatsOf, playChats } from './chats';
import { atStoryTime, createOfflineContext } from './context';
import { insertListingRows, listingBody, writeListings, writtenInBulk } from './listings';
import { playOrders, type SeedIds } from './orders';
import { type ListingPlan, planMarketplace, type UserPlan } from './plan';
import { registration, writeUserDetails, writeUsers } from './users';

/*
 * The seed writes a few things as rows instead of through the commands (see docs/ARCHITECTURE.md, "The
 * demo seed"). Each such path is run here next to the commands on a small plan, and what a user would see
 * must be equal.
 */

const PASSWORD = 'demo-pass-42';
const SLOW = 240_000;
const plan = planMarketplace(42, 'small', {
  paymentTimeoutMinutes: 30,
  acceptanceTimeoutHours: 48,
  autoCompleteDays: 7,
});

interface World {
  db: Db;
  ctx: AppContext;
  catalog: CatalogIds;
  ids: SeedIds;
  orderIds: Map<number, number>;
  drop(): Promise<void>;
}

/** A database with the plan's catalog, users and listings, and `orders` played through the commands. */
async function world(passwordHash: string, orders: typeof plan.orders): Promise<World> {
  const { db, drop } = await createTestDb();
  const ctx = createOfflineContext(
    loadEnv({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: '/tmp/jx-seed-bulk-test' }),
    db,
  );
  wireOps(ctx);
  const catalog = await db.transact((tx) => writeCatalog(tx));
  const users = await writeUsers(ctx, plan, passwordHash, PASSWORD);
  const { ids: listings } = await writeListings(ctx, plan, users, catalog);
  const ids = { users, listings };
  await db.transact(async (tx) => {
    await accountId(tx, accountCode.clearing('alipay'), { kind: 'gateway_clearing' }, db);
    await accountId(tx, accountCode.clearing('wechat'), { kind: 'gateway_clearing' }, db);
    await accountId(tx, accountCode.fees(), { kind: 'platform_fees' }, db);
  });
  const orderIds = await playOrders(ctx, orders, ids, { batchSize: 50, concurrency: 1, log: () => {} });
  return { db, ctx, catalog, ids, orderIds, drop };
}

/** A listing the way its freelancer and a moderator make it, one command at a time, at the story's times. */
async function listingThroughCommands(w: World, l: ListingPlan): Promise<number> {
  const freelancer = w.ids.users[l.freelancerKey]!;
  const id = await createService(
    atStoryTime(w.ctx, l.createdAt),
    freelancer,
    listingBody(l, w.catalog, false),
  );
  await updateService(
    atStoryTime(w.ctx, l.submittedAt!),
    freelancer,
    id,
    updateServiceBodySchema.parse({ submit: true }),
  );
  const decide = (at: number, to: 'published' | 'rejected' | 'suspended', note: string | null) =>
    w.ctx.db.transact((tx) => setServiceStatus(atStoryTime(w.ctx, at), tx, id, to, { note }));
  if (l.status === 'rejected') await decide(l.updatedAt, 'rejected', l.reviewNote);
  else await decide(l.publishedAt!, 'published', null);
  if (l.status === 'suspended') await decide(l.updatedAt, 'suspended', l.reviewNote);
  return id;
}

/** What the catalog shows of listings (the row without its id and view counter, packages, skills). */
async function listingsAsSeen(db: Db, ids: readonly number[]) {
  const out = [];
  for (const id of ids) {
    const {
      id: _id,
      views_count: _views,
      ...row
    } = await db.read.selectFrom('services').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const packages = await db.read
      .selectFrom('service_packages')
      .select(['tier', 'title', 'description', 'price_fen', 'delivery_days', 'revisions'])
      .where('service_id', '=', id)
      .orderBy('tier')
      .execute();
    const skills = await db.read
      .selectFrom('service_skills')
      .select('skill_id')
      .where('service_id', '=', id)
      .orderBy('skill_id')
      .execute();
    out.push({ row, packages, skills: skills.map((s) => s.skill_id) });
  }
  return out;
}

/** The chats in order of the plan, played one command at a time as the users' apps would. */
async function chatsThroughCommands(ctx: AppContext, chats: readonly ChatToPlay[]): Promise<void> {
  for (const c of chats) {
    const { fromClient, texts, times } = c.chat;
    const speaker = (m: number) => (fromClient[m] ? c.clientId : c.freelancerId);
    const listener = (m: number) => (fromClient[m] ? c.freelancerId : c.clientId);
    const { conversation } = await openConversation(
      atStoryTime(ctx, times[0]!),
      speaker(0),
      createConversationBodySchema.parse({
        participantId: listener(0),
        ...(c.orderId === null ? { serviceId: c.listingId } : { orderId: c.orderId }),
        message: texts[0]!,
      }),
    );
    let lastId = conversation.lastMessage!.id;
    for (let m = 1; m < times.length; m++)
      lastId = (
        await sendMessage(
          atStoryTime(ctx, times[m]!),
          speaker(m),
          conversation.id,
          sendMessageBodySchema.parse({ type: 'text', content: texts[m]! }),
        )
      ).id;
    if (c.chat.readByOther) await markRead(ctx, listener(times.length - 1), conversation.id, lastId);
  }
}

/**
 * Every user's conversation list and each conversation's messages as the app shows them (unread counts,
 * last message, order of activity), and per conversation the `message.created` / `conversation.read`
 * events in order; conversation and message ids are replaced by what names them for a person.
 */
async function chatsAsSeen(db: Db, userIds: readonly number[]) {
  const messages = await db.read.selectFrom('messages').select(['id', 'sender_id', 'created_at']).execute();
  const messageName = new Map(messages.map((m) => [m.id, `${m.sender_id}@${m.created_at.toISOString()}`]));
  const conversations = await db.read
    .selectFrom('conversations')
    .select(['id', 'user1_id', 'user2_id', 'order_id'])
    .execute();
  const conversationName = new Map(
    conversations.map((c) => [c.id, `${c.user1_id}-${c.user2_id}-${c.order_id ?? 0}`]),
  );
  const lists: unknown[] = [];
  for (const userId of userIds) {
    const { items } = await listConversations(db.read, userId, { limit: 100 });
    for (const c of items) {
      const { items: page } = await listMessages(db.read, userId, c.id, { limit: 100 });
      lists.push({
        userId,
        conversation: conversationName.get(c.id),
        participants: c.participants,
        orderId: c.orderId,
        serviceId: c.serviceId,
        unreadCount: c.unreadCount,
        updatedAt: c.updatedAt,
        last: c.lastMessage && messageName.get(c.lastMessage.id),
        messages: page.map((m) => [messageName.get(m.id), m.type, m.content]),
      });
    }
  }
  const events = await db.read
    .selectFrom('events')
    .select(['type', 'aggregate_id', 'audience', 'payload'])
    .where('type', 'in', ['message.created', 'conversation.read'])
    .orderBy('id')
    .execute();
  const eventsByConversation: Record<string, unknown[]> = {};
  for (const e of events) {
    const { conversationId: _c, messageId, upToMessageId, ...rest } = e.payload as Record<string, unknown>;
    const key = conversationName.get(Number(e.aggregate_id))!;
    const list = eventsByConversation[key] ?? [];
    eventsByConversation[key] = list;
    list.push({
      type: e.type,
      audience: [...e.audience].sort(),
      message: messageName.get(Number(messageId ?? upToMessageId)),
      ...rest,
    });
  }
  return { lists, eventsByConversation };
}

let passwordHash: string;
beforeAll(async () => {
  passwordHash = await hashPassword(PASSWORD);
});

describe('the seed’s bulk paths equal the commands', () => {
  let w: World;
  beforeAll(async () => {
    w = await world(passwordHash, []);
  }, SLOW);
  afterAll(() => w?.drop());

  it('moderated listings: rows equal createService → updateService (submit) → setServiceStatus', async () => {
    const moderated = plan.listings.filter(writtenInBulk);
    expect(new Set(moderated.map((l) => l.status))).toEqual(new Set(['published', 'rejected', 'suspended']));
    const bulkIds = await w.db.transact((tx) => insertListingRows(tx, moderated, w.ids.users, w.catalog));
    const commandIds: number[] = [];
    for (const l of moderated) commandIds.push(await listingThroughCommands(w, l));
    const bulk = await listingsAsSeen(w.db, bulkIds);
    expect(bulk).toEqual(await listingsAsSeen(w.db, commandIds));
    expect(bulk.some((l) => l.row.review_note !== null)).toBe(true);
  });

  it('user details: profile fields equal updateProfile’s', async () => {
    const sample = [
      ...plan.users.filter((u) => u.isClient && !u.isFreelancer).slice(0, 3),
      ...plan.users.filter((u) => u.isFreelancer && !u.isClient).slice(0, 3),
      ...plan.users.filter((u) => u.isClient && u.isFreelancer).slice(0, 2),
    ];
    expect(sample.some((u) => u.company !== '')).toBe(true);
    // Twins of plan users under other names: one filled in by the seed's rows, one by the profile form.
    const twin = (u: UserPlan, tag: string): UserPlan => ({
      ...u,
      username: `${u.username}${tag}`,
      email: null,
      phone: null,
    });
    const register = (u: UserPlan) =>
      w.db.transact((tx) => insertUser(tx, w.ctx.pii, registration(u, PASSWORD), passwordHash, []));
    const pairs: [number, number][] = [];
    for (const u of sample) {
      const bulkId = await register(twin(u, 'b'));
      await w.db.transact((tx) => writeUserDetails(tx, w.ctx.pii, [{ id: bulkId, u: twin(u, 'b') }]));
      const formId = await register(twin(u, 'f'));
      const nonEmpty = (fields: Record<string, string | number | null>) =>
        Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== ''));
      await updateProfile(
        w.ctx,
        formId,
        updateProfileBodySchema.parse({
          client: nonEmpty({ companyName: u.company, industry: u.industry, location: u.city }),
          ...(u.isFreelancer
            ? { freelancer: nonEmpty({ bio: u.bio, hourlyRateFen: u.hourlyRateFen, location: u.city }) }
            : {}),
        }),
      );
      pairs.push([bulkId, formId]);
    }
    const profiles = async (id: number) => {
      const { user_id: _c, ...client } = await w.db.read
        .selectFrom('client_profiles')
        .selectAll()
        .where('user_id', '=', id)
        .executeTakeFirstOrThrow();
      const f = await w.db.read
        .selectFrom('freelancer_profiles')
        .select(['bio', 'hourly_rate_fen', 'location', 'rating', 'rating_count'])
        .where('user_id', '=', id)
        .executeTakeFirst();
      return { client, freelancer: f ?? null };
    };
    for (const [bulkId, formId] of pairs) expect(await profiles(bulkId)).toEqual(await profiles(formId));
  });
});

describe('the seed’s chats equal the messaging commands one request at a time', () => {
  const orders = plan.orders.filter((o) => o.chat).slice(0, 8);
  let batched: World;
  let oneByOne: World;
  beforeAll(async () => {
    batched = await world(passwordHash, orders);
    oneByOne = await world(passwordHash, orders);
  }, SLOW);
  afterAll(async () => {
    await batched?.drop();
    await oneByOne?.drop();
  });

  it('same conversations, messages, read pointers, unread counts and events', async () => {
    const chatPlan = { presales: plan.presales, orders };
    const chats = chatsOf(chatPlan, batched.ids, batched.orderIds);
    expect(chats.some((c) => c.orderId !== null)).toBe(true);
    expect(chats.some((c) => c.chat.readByOther)).toBe(true);
    expect(chats.some((c) => !c.chat.readByOther)).toBe(true);
    // Small batches, so chats of several transactions meet.
    const written = await playChats(batched.ctx, chats, { batchSize: 7, concurrency: 1 });
    await chatsThroughCommands(oneByOne.ctx, chatsOf(chatPlan, oneByOne.ids, oneByOne.orderIds));

    const userIds = [...new Set(chats.flatMap((c) => [c.clientId, c.freelancerId]))];
    const seen = await chatsAsSeen(batched.db, userIds);
    expect(seen).toEqual(await chatsAsSeen(oneByOne.db, userIds));
    expect(seen.lists).toHaveLength(2 * written.conversations);
    expect(seen.lists.some((c) => (c as { unreadCount: number }).unreadCount > 0)).toBe(true);
  });
});
