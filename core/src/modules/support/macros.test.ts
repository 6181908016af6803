import type { TokenPair } from '@jiangxin/shared/api/accounts';
import type { CaseDetail, CaseSummary } from '@jiangxin/shared/ops/cases';
import { type CannedReply, supportChatDetailSchema } from '@jiangxin/shared/ops/support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, uniqueName } from '../../test/client';
import { signUpStaff, signUpStaffTeam } from '../../test/factories/staff';
import { startTestApp, type TestApp } from '../../test/harness';

let t: TestApp;
let api: ApiClient;
let team: Awaited<ReturnType<typeof signUpStaffTeam>>;

beforeAll(async () => {
  t = await startTestApp();
  api = new ApiClient(t.url);
  team = await signUpStaffTeam(t);
});
afterAll(() => t?.close());

async function customerChat() {
  const res = await api.post<TokenPair>('/auth/register', {
    username: uniqueName('cust'),
    password: 'correct-horse-1',
    nickname: `顾客${uniqueName('').slice(-4)}`,
    userType: 'client',
  });
  expect(res.status).toBe(201);
  const me = api.as(res.body.accessToken);
  const opened = await me.post('/support/conversations', { subject: '退款问题', message: '我想退款' });
  expect(opened.status).toBe(201);
  const list = await team.support.api.get('/ops/cases?kind=support_chat&limit=200');
  const c = list.body.items.find(
    (x: CaseSummary) => x.subjectType === 'support_conversation' && x.subjectId === opened.body.id,
  ) as CaseSummary;
  expect(c).toBeTruthy();
  return { me, conversationId: opened.body.id as number, c };
}

async function detail(who: ApiClient, id: number): Promise<CaseDetail> {
  const res = await who.get<CaseDetail>(`/ops/cases/${id}`);
  expect(res.status).toBe(200);
  return res.body;
}

async function reply(who: ApiClient, id: number, body: Record<string, unknown>) {
  const current = await detail(who, id);
  return who.post(`/ops/cases/${id}/perform/reply`, { version: current.case.version, ...body });
}

async function counts() {
  const n = async (table: 'support_messages' | 'canned_replies' | 'audit_log' | 'case_history') =>
    Number(
      (
        await t.db.write
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return [
    await n('support_messages'),
    await n('canned_replies'),
    await n('audit_log'),
    await n('case_history'),
  ];
}

async function macro(
  effects: Record<string, unknown>,
  body = '{{user.nickname}}，退款已受理。',
): Promise<CannedReply> {
  const res = await team.admin.api.post('/ops/canned-replies', {
    title: `宏${uniqueName('').slice(-5)}`,
    bodyZh: body,
    effects,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

describe('macros: a canned reply that also sets status, priority and tags', () => {
  it('one reply sets priority, status and tags in one step; the history and the audit show it', async () => {
    const refund = await macro({ status: 'waiting', priority: 2, addTags: [' 退款 ', '加急', '退款'] });
    expect(refund.effects).toEqual({ status: 'waiting', priority: 2, addTags: ['退款', '加急'] });
    const { c } = await customerChat();
    const agent = await signUpStaff(t, ['support'], '客服小宏');
    const before = await detail(agent.api, c.id);
    expect(before.case.priority).toBe(1);

    const sent = await reply(agent.api, c.id, { cannedReplyId: refund.id });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body.case).toMatchObject({
      status: 'waiting',
      priority: 2,
      version: before.case.version + 1,
    });
    expect(sent.body.result.macro).toMatchObject({ status: 'waiting', addedTags: ['退款', '加急'] });

    const after = await detail(agent.api, c.id);
    const chat = supportChatDetailSchema.parse(after.detail);
    expect(chat.tags).toEqual(['退款', '加急']);
    expect(chat.messages[0]?.content).toMatch(/^顾客.*退款已受理。$/);
    const line = after.history.at(-1)!;
    expect(line).toMatchObject({ action: 'reply', fromStatus: 'open', toStatus: 'waiting' });
    const audit = await t.db.write
      .selectFrom('audit_log')
      .select('data')
      .where('action', '=', 'case.perform.reply')
      .where('subject_id', '=', c.id)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(audit.data).toMatchObject({
      result: { macro: { priority: { from: 1, to: 2 }, addedTags: ['退款', '加急'] } },
    });

    // The same macro again adds no duplicate tags; a resolving macro ends the chat in the same step.
    const done = await macro({ status: 'resolved', addTags: ['已退款'] }, '已为您退款，祝您生活愉快。');
    const ended = await reply(agent.api, c.id, { cannedReplyId: done.id });
    expect(ended.status, JSON.stringify(ended.body)).toBe(200);
    expect(ended.body.case.status).toBe('resolved');
    const closed = supportChatDetailSchema.parse((await detail(agent.api, c.id)).detail);
    expect(closed.conversation?.status).toBe('resolved');
    expect(closed.tags).toEqual(['退款', '加急', '已退款']);
    expect(closed.messages.map((m) => m.content).slice(0, 2)).toEqual([
      '本次咨询已结束。如仍有问题，直接回复即可再次联系客服。',
      '已为您退款，祝您生活愉快。',
    ]);
  });

  it('replaying a macro reply with its Idempotency-Key applies it once', async () => {
    const m = await macro({ priority: 3, addTags: ['投诉'] });
    const { c } = await customerChat();
    const current = await detail(team.support.api, c.id);
    const body = { version: current.case.version, cannedReplyId: m.id };
    const headers = { 'Idempotency-Key': `macro-reply-${c.id}` };
    const first = await team.support.api.request('POST', `/ops/cases/${c.id}/perform/reply`, body, headers);
    const again = await team.support.api.request('POST', `/ops/cases/${c.id}/perform/reply`, body, headers);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(again.body).toEqual(first.body);
    const after = await detail(team.support.api, c.id);
    expect(after.case).toMatchObject({ priority: 3, version: current.case.version + 1 });
    expect(after.history.filter((h) => h.action === 'reply')).toHaveLength(1);
  });

  it('an invalid effect is refused naming the field, and nothing is written', async () => {
    const before = await counts();
    const bad: [Record<string, unknown>, string][] = [
      [{ status: 'open' }, 'body.effects.status'],
      [{ priority: 7 }, 'body.effects.priority'],
      [{ addTags: [''] }, 'body.effects.addTags.0'],
      [{ addTags: ['字'.repeat(21)] }, 'body.effects.addTags.0'],
      [{ addTags: ['a,b'] }, 'body.effects.addTags.0'],
      [{ addTags: Array.from({ length: 11 }, (_, i) => `t${i}`) }, 'body.effects.addTags'],
      [{ colour: 'red' }, 'body.effects'],
    ];
    for (const [effects, field] of bad) {
      const res = await team.admin.api.post('/ops/canned-replies', {
        title: '坏宏',
        bodyZh: '你好',
        effects,
      });
      expect(res.status, JSON.stringify(effects)).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const existing = await macro({ priority: 2 });
    const afterCreate = await counts();
    const patch = await team.admin.api.patch(`/ops/canned-replies/${existing.id}`, {
      effects: { status: 'escalated' },
    });
    expect(patch.status).toBe(400);
    expect(patch.body.errors[0].field).toBe('body.effects.status');
    expect(await counts()).toEqual(afterCreate);
    expect(afterCreate[1]).toBe(before[1]! + 1);
    // Support may use macros but not change them.
    expect((await team.support.api.post('/ops/canned-replies', { title: 'x', bodyZh: 'y' })).status).toBe(
      403,
    );
  });

  it('a macro that would end the chat while customer messages are unread is refused with the reason; nothing is sent', async () => {
    const done = await macro({ status: 'resolved', priority: 0, addTags: ['已解决'] }, '问题已解决。');
    const { me, conversationId, c } = await customerChat();
    const agent = await signUpStaff(t, ['support'], '客服小读');
    const before = await detail(agent.api, c.id);
    const written = await counts();
    const refused = await reply(agent.api, c.id, { cannedReplyId: done.id });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('case_action_unavailable');
    expect(refused.body.detail).toContain('未读');
    expect(refused.body.errors[0].field).toBe('body.cannedReplyId');
    expect(await counts()).toEqual(written);
    const still = await detail(agent.api, c.id);
    expect(still.case).toMatchObject({ version: before.case.version, status: 'open', priority: 1 });
    expect(supportChatDetailSchema.parse(still.detail).tags).toEqual([]);
    const mine = await me.get(`/support/conversations/${conversationId}/messages`);
    expect(mine.body.items.map((m: { content: string }) => m.content)).toEqual(['我想退款']);

    // Once the agent has read the customer, the same macro goes through.
    const newest = supportChatDetailSchema.parse(still.detail).messages[0]!;
    expect(
      (await agent.api.post(`/ops/support/conversations/${c.id}/read`, { upToMessageId: newest.id })).status,
    ).toBe(200);
    const ok = await reply(agent.api, c.id, { cannedReplyId: done.id });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.case).toMatchObject({ status: 'resolved', priority: 0 });
  });
});
