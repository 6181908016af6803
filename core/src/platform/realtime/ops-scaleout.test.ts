import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp } from '../../test/client';
import { seedCatalog, serviceBody } from '../../test/factories/catalog';
import { type StaffMember, signUpStaff } from '../../test/factories/staff';
import { eventually } from '../../test/flows';
import { startScaledOutPair, type TestApp } from '../../test/harness';
import { connectOps, expectedSeqs, headSeq, unsequenced } from './ops-test-kit';

/**
 * `/ops` across two instances joined by Redis: only A sequences (B's dispatcher is stopped), a console on
 * B gets A's events once and in order, and a reconnect with a stale lastSeq replays exactly what it missed.
 */
const redisUrl = process.env['TEST_REDIS_URL'];

describe.skipIf(!redisUrl)(
  `/ops across instances through Redis${redisUrl ? '' : ' (skipped: TEST_REDIS_URL is not set)'}`,
  () => {
    let a: TestApp;
    let b: TestApp;
    let moderator: StaffMember;
    let admin: StaffMember;
    let freelancer: ApiClient;
    let categoryId: number;
    const submit = async (title: string) => {
      const res = await freelancer.post('/services', serviceBody(categoryId, { titleZh: title }));
      expect(res.status).toBe(201);
      return res.body.id as number;
    };
    /** Each test instance signs tokens with its own secret: a token of `who` valid on `t`. */
    const tokenOn = (t: TestApp, who: StaffMember) =>
      t.ctx.tokens.issue({ userId: who.userId, staffRoles: who.roles });
    const settled = () => eventually(async () => (await unsequenced(a.db)) === 0);

    beforeAll(async () => {
      ({ a, b } = await startScaledOutPair(redisUrl!));
      await b.app.dispatcher.stop(); // only A sequences: B's consoles hear it through Redis
      [moderator, admin] = await Promise.all([
        signUpStaff(a, ['moderator'], '审核甲'),
        signUpStaff(a, ['admin'], '管理乙'),
      ]);
      freelancer = (await signUp(new ApiClient(a.url), { userType: 'freelancer' })).api;
      categoryId = (await seedCatalog(a)).logo.id;
    });
    afterAll(async () => {
      await b?.close();
      await a?.close();
    });

    it('a console on B receives what A commits, once, in order; a stale lastSeq replays exactly the missed', async () => {
      await settled();
      const start = await headSeq(a.db);
      const first = connectOps(b.url, { token: await tokenOn(b, moderator), lastSeq: start });
      await first.ready;
      await submit('跨实例一');
      await Promise.all([submit('跨实例二'), submit('跨实例三')]);
      await settled();
      const live = await expectedSeqs(a.db, ['moderator'], start);
      expect(live.length).toBeGreaterThanOrEqual(3);
      await eventually(() => first.events.length >= live.length);
      await new Promise((r) => setTimeout(r, 150));
      expect(first.events.map((e) => e.seq)).toEqual(live);
      expect(first.events.every((e) => e.type === 'case.upserted')).toBe(true);
      first.close();

      // Offline while two more cases open; resume from the last applied seq.
      const lastSeq = live.at(-1)!;
      await submit('离线一');
      await submit('离线二');
      await settled();
      const missed = await expectedSeqs(a.db, ['moderator'], lastSeq);
      expect(missed.length).toBeGreaterThanOrEqual(2);
      const again = connectOps(b.url, { token: await tokenOn(b, moderator), lastSeq });
      expect((await again.ready).replayed).toBe(missed.length);
      await submit('恢复之后');
      await settled();
      const all = await expectedSeqs(a.db, ['moderator'], lastSeq);
      await eventually(() => again.events.length >= all.length);
      await new Promise((r) => setTimeout(r, 150));
      expect(again.events.map((e) => e.seq)).toEqual(all);
      again.close();
    });

    it('presence and typing cross instances', async () => {
      const serviceId = await submit('跨实例在看');
      await settled();
      const c = await a.db.read
        .selectFrom('cases')
        .select('id')
        .where('kind', '=', 'listing_review')
        .where('subject_id', '=', serviceId)
        .executeTakeFirstOrThrow();
      const onA = connectOps(a.url, { token: moderator.api.token! });
      const onB = connectOps(b.url, { token: await tokenOn(b, admin) });
      await Promise.all([onA.ready, onB.ready]);
      onA.socket.emit('presence.view', { caseId: c.id });
      onB.socket.emit('presence.view', { caseId: c.id });
      const both = await eventually(() => onA.presence.find((p) => p.viewers.length === 2));
      expect(both.viewers.map((v) => v.nickname).sort()).toEqual(['审核甲', '管理乙'].sort());
      onA.close();
      await eventually(() => onB.presence.at(-1)?.viewers.length === 1);
      expect(onB.presence.at(-1)?.viewers).toEqual([{ userId: admin.userId, nickname: '管理乙' }]);

      // A customer on A typing in a support chat reaches the admin viewing its case on B.
      const customer = await signUp(new ApiClient(a.url));
      const conv = await a.db.write
        .insertInto('support_conversations')
        .values({ user_id: customer.userId, subject: '跨实例打字' })
        .returning('id')
        .executeTakeFirstOrThrow()
        .catch(() => ({ id: 800_000 + customer.userId }));
      const kase = await a.db.write
        .insertInto('cases')
        .values({
          kind: 'support_chat',
          stage: 'waiting_agent',
          subject_type: 'support_conversation',
          subject_id: Number(conv.id),
          user_id: customer.userId,
          title: '客服会话',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await a.db.write
        .updateTable('support_conversations')
        .set({ case_id: kase.id })
        .where('id', '=', Number(conv.id))
        .execute()
        .catch(() => {});
      onB.socket.emit('presence.view', { caseId: kase.id });
      await eventually(() => onB.presence.some((p) => p.caseId === kase.id));
      const s = io(a.url, { auth: { token: customer.api.token }, transports: ['websocket'] });
      const agentTyping: unknown[] = [];
      s.on('support.typing', (m) => agentTyping.push(m));
      await eventually(() => s.connected);
      s.emit('support.typing', { conversationId: Number(conv.id) });
      await eventually(() => onB.typing.length);
      expect(onB.typing).toEqual([{ caseId: kase.id, side: 'customer' }]);
      onB.socket.emit('typing', { caseId: kase.id });
      await eventually(() => agentTyping.length);
      expect(agentTyping).toEqual([{ conversationId: Number(conv.id), side: 'agent' }]);
      s.close();
      onB.close();
    });
  },
);
