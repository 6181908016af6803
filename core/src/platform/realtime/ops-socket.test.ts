import { OPS_REPLAY_LIMIT, SUPPORT_TYPING } from '@jiangxin/shared/ops/stream';
import { sql } from 'kysely';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp } from '../../test/client';
import { seedCatalog, serviceBody } from '../../test/factories/catalog';
import { signUpStaffTeam } from '../../test/factories/staff';
import { eventually } from '../../test/flows';
import { startTestApp, type TestApp } from '../../test/harness';
import { OpsHub, readEvents, type StreamEvent } from './ops-hub';
import { connectOps, expectedSeqs, headSeq, unsequenced } from './ops-test-kit';

let t: TestApp;
let team: Awaited<ReturnType<typeof signUpStaffTeam>>;
let freelancer: ApiClient;
let categoryId: number;

const submitListing = async (title: string) => {
  const res = await freelancer.post('/services', serviceBody(categoryId, { titleZh: title }));
  expect(res.status).toBe(201);
  return res.body.id as number;
};
const settled = () => eventually(async () => (await unsequenced(t.db)) === 0);
const seqs = (c: { events: { seq: number }[] }) => c.events.map((e) => e.seq);

beforeAll(async () => {
  t = await startTestApp();
  team = await signUpStaffTeam(t);
  freelancer = (await signUp(new ApiClient(t.url), { userType: 'freelancer' })).api;
  categoryId = (await seedCatalog(t)).logo.id;
});
afterAll(() => t?.close());

describe('/ops live stream', () => {
  it('refuses a missing or bad token and a marketplace user', async () => {
    const customer = await signUp(new ApiClient(t.url));
    for (const auth of [{}, { token: 'nope' }, { token: customer.api.token! }]) {
      const c = connectOps(t.url, auth as { token: string });
      const err = await c.ready.then(
        () => null,
        (e: Error) => e,
      );
      expect(err?.message).toMatch(/unauthenticated|forbidden/);
      c.close();
    }
  });

  it('replays what the member may see after lastSeq, then streams live: once each, in seq order', async () => {
    await settled();
    const start = await headSeq(t.db);
    await submitListing('回放测试一');
    await submitListing('回放测试二');
    await settled();

    const mod = connectOps(t.url, { token: team.moderator.api.token!, lastSeq: start });
    const support = connectOps(t.url, { token: team.support.api.token!, lastSeq: start });
    await Promise.all([mod.ready, support.ready]);
    // Live events committed while consoles are connecting and after: concurrent submissions.
    const late = connectOps(t.url, { token: team.admin.api.token!, lastSeq: start });
    await Promise.all([submitListing('实时一'), submitListing('实时二'), submitListing('实时三')]);
    await late.ready;
    await submitListing('实时四');
    await settled();
    const head = await headSeq(t.db);

    const modExpected = await expectedSeqs(t.db, ['moderator'], start, head);
    expect(modExpected.length).toBeGreaterThanOrEqual(6); // six listing_review cases opened
    await eventually(() => seqs(mod).length >= modExpected.length);
    await eventually(() => seqs(late).length >= modExpected.length);
    await new Promise((r) => setTimeout(r, 100)); // anything extra would show up now
    expect(seqs(mod)).toEqual(modExpected);
    expect(seqs(late)).toEqual(await expectedSeqs(t.db, ['admin'], start, head));
    expect(mod.events.every((e) => e.type === 'case.upserted' && e.aggregateType === 'case')).toBe(true);
    expect((mod.events[0]?.payload as { kind: string }).kind).toBe('listing_review');
    // support may not see listing reviews
    expect(support.events).toEqual([]);
    for (const c of [mod, support, late]) c.close();
  });

  it('without lastSeq streams live only; too far behind gets a resync instead of a replay', async () => {
    await settled();
    const before = await headSeq(t.db);
    // More events than the replay cap, appended straight to the outbox and sequenced.
    await sql`
      INSERT INTO events (type, aggregate_type, aggregate_id, payload)
      SELECT 'case.upserted', 'case', -g, jsonb_build_object('kind', 'listing_review', 'id', -g)
      FROM generate_series(1, ${OPS_REPLAY_LIMIT + 1}) g`.execute(t.db.write);
    await t.app.dispatcher.drain();
    await settled();
    const head = await headSeq(t.db);

    const behind = connectOps(t.url, { token: team.moderator.api.token!, lastSeq: before });
    const liveOnly = connectOps(t.url, { token: team.moderator.api.token! });
    expect(await behind.ready).toEqual({ seq: head, replayed: 0 });
    expect(behind.resyncs).toEqual([{ reason: 'too_far_behind', after: before, headSeq: head }]);
    expect((await liveOnly.ready).seq).toBe(head);

    await submitListing('重同步之后');
    await settled();
    const expected = await expectedSeqs(t.db, ['moderator'], head);
    expect(expected.length).toBe(1);
    await eventually(() => behind.events.length && liveOnly.events.length);
    expect(seqs(behind)).toEqual(expected);
    expect(seqs(liveOnly)).toEqual(expected);
    behind.close();
    liveOnly.close();
  });

  it('the hub fills a gap from the database when a later batch overtakes an earlier one', async () => {
    await settled();
    const got: StreamEvent[] = [];
    const hub = new OpsHub(t.db, (e) => got.push(...e), { gapWaitMs: 20 });
    await hub.start();
    const from = hub.position!;
    await submitListing('缺口一');
    await submitListing('缺口二');
    await settled();
    const all = await readEvents(t.db, from, Number.MAX_SAFE_INTEGER, 100);
    expect(all.length).toBeGreaterThanOrEqual(4);
    hub.ingest(all.slice(-1)); // the newest batch arrives first
    expect(got).toEqual([]);
    await eventually(() => got.length === all.length);
    hub.ingest(all); // the late one: nothing twice
    expect(got.map((e) => e.seq)).toEqual(all.map((e) => e.seq));
    hub.close();
  });
});

describe('/ops presence and typing', () => {
  it('viewers of a case reach everyone who may see it; disconnect removes them', async () => {
    const serviceId = await submitListing('在看测试');
    const c = await t.db.read
      .selectFrom('cases')
      .select('id')
      .where('subject_id', '=', serviceId)
      .where('kind', '=', 'listing_review')
      .executeTakeFirstOrThrow();
    const mod = connectOps(t.url, { token: team.moderator.api.token! });
    const admin = connectOps(t.url, { token: team.admin.api.token! });
    const support = connectOps(t.url, { token: team.support.api.token! });
    await Promise.all([mod.ready, admin.ready, support.ready]);

    mod.socket.emit('presence.view', { caseId: c.id });
    const seen = await eventually(() => admin.presence.find((p) => p.caseId === c.id));
    expect(seen.viewers).toEqual([{ userId: team.moderator.userId, nickname: '审核小王' }]);
    await eventually(() => mod.presence.length);
    // support may not see the case: neither its presence nor may it announce itself there
    support.socket.emit('presence.view', { caseId: c.id });
    admin.socket.emit('presence.view', { caseId: c.id });
    await eventually(() => admin.presence.some((p) => p.viewers.length === 2));
    expect(
      admin.presence
        .at(-1)
        ?.viewers.map((v) => v.userId)
        .sort(),
    ).toEqual([team.moderator.userId, team.admin.userId].sort());
    mod.close();
    await eventually(
      () =>
        admin.presence.at(-1)?.viewers.length === 1 &&
        admin.presence.at(-1)?.viewers[0]?.userId === team.admin.userId,
    );
    admin.socket.emit('presence.leave', { caseId: c.id });
    await eventually(() => admin.presence.at(-1)?.viewers.length === 0);
    expect(support.presence).toEqual([]);
    admin.close();
    support.close();
  });

  it('typing goes from the agent to the customer and from the customer to staff on the case', async () => {
    const customer = await signUp(new ApiClient(t.url));
    const stranger = await signUp(new ApiClient(t.url));
    const { caseId, conversationId } = await supportChatCase(customer.userId);
    const agent = connectOps(t.url, { token: team.support.api.token! });
    const mod = connectOps(t.url, { token: team.moderator.api.token! });
    await Promise.all([agent.ready, mod.ready]);
    const customerSocket = io(t.url, { auth: { token: customer.api.token }, transports: ['websocket'] });
    const strangerSocket = io(t.url, { auth: { token: stranger.api.token }, transports: ['websocket'] });
    const toCustomer: unknown[] = [];
    const toStranger: unknown[] = [];
    customerSocket.on(SUPPORT_TYPING, (m) => toCustomer.push(m));
    strangerSocket.on(SUPPORT_TYPING, (m) => toStranger.push(m));
    await eventually(() => customerSocket.connected && strangerSocket.connected);

    agent.socket.emit('presence.view', { caseId });
    await eventually(() => agent.presence.length);
    agent.socket.emit('typing', { caseId });
    mod.socket.emit('typing', { caseId }); // a moderator may not see support chats
    await eventually(() => toCustomer.length);
    expect(toCustomer).toEqual([{ conversationId, side: 'agent' }]);

    strangerSocket.emit(SUPPORT_TYPING, { conversationId }); // not their conversation
    customerSocket.emit(SUPPORT_TYPING, { conversationId });
    await eventually(() => agent.typing.length);
    await new Promise((r) => setTimeout(r, 100));
    expect(agent.typing).toEqual([{ caseId, side: 'customer' }]);
    expect(mod.typing).toEqual([]);
    expect(toStranger).toEqual([]);
    expect(toCustomer).toHaveLength(1);
    for (const s of [customerSocket, strangerSocket]) s.close();
    agent.close();
    mod.close();
  });
});

/** A support chat case for `userId` (and its conversation where the support tables exist yet). */
async function supportChatCase(userId: number): Promise<{ caseId: number; conversationId: number }> {
  const hasTable = await sql<{ t: string | null }>`SELECT to_regclass('support_conversations')::text AS t`
    .execute(t.db.write)
    .then((r) => Boolean(r.rows[0]?.t));
  let conversationId = 900_000 + userId;
  if (hasTable) {
    const conv = await sql<{ id: number }>`
      INSERT INTO support_conversations (user_id, subject) VALUES (${userId}, '打字测试') RETURNING id`.execute(
      t.db.write,
    );
    conversationId = Number(conv.rows[0]!.id);
  }
  const row = await t.db.write
    .insertInto('cases')
    .values({
      kind: 'support_chat',
      stage: 'waiting_agent',
      subject_type: 'support_conversation',
      subject_id: conversationId,
      user_id: userId,
      title: '客服会话',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (hasTable)
    await sql`UPDATE support_conversations SET case_id = ${row.id} WHERE id = ${conversationId}`.execute(
      t.db.write,
    );
  return { caseId: Number(row.id), conversationId };
}
