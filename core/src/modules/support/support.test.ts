import type { TokenPair } from '@jiangxin/shared/api/accounts';
import type { CaseDetail, CaseSummary } from '@jiangxin/shared/ops/cases';
import { type CannedReply, supportChatDetailSchema } from '@jiangxin/shared/ops/support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp, uniqueName } from '../../test/client';
import { signUpStaff, signUpStaffTeam } from '../../test/factories/staff';
import { eventually } from '../../test/flows';
import { startTestApp, type TestApp } from '../../test/harness';
import { connectEvents, insertOrder } from '../messaging/test-fixtures';

let t: TestApp;
let api: ApiClient;
let team: Awaited<ReturnType<typeof signUpStaffTeam>>;

beforeAll(async () => {
  t = await startTestApp();
  api = new ApiClient(t.url);
  team = await signUpStaffTeam(t);
});
afterAll(() => t?.close());

type User = { api: ApiClient; userId: number; nickname: string };

async function customer(nickname = `顾客${uniqueName('').slice(-4)}`, phone?: string): Promise<User> {
  const res = await api.post<TokenPair>('/auth/register', {
    username: uniqueName('cust'),
    password: 'correct-horse-1',
    nickname,
    userType: 'client',
    ...(phone ? { phone } : {}),
  });
  expect(res.status).toBe(201);
  return { api: api.as(res.body.accessToken), userId: res.body.user.id, nickname };
}

async function openChat(user: User, body: Record<string, unknown> = {}) {
  const res = await user.api.post('/support/conversations', {
    subject: '咨询订单问题',
    message: '你好，我想咨询一下',
    ...body,
  });
  expect([200, 201], JSON.stringify(res.body)).toContain(res.status);
  return res;
}

async function caseOf(conversationId: number): Promise<CaseSummary> {
  const list = await team.support.api.get('/ops/cases?kind=support_chat&limit=200');
  expect(list.status).toBe(200);
  const found = list.body.items.find(
    (c: CaseSummary) => c.subjectType === 'support_conversation' && c.subjectId === conversationId,
  );
  expect(found, `a support_chat case for conversation ${conversationId}`).toBeTruthy();
  return found;
}

async function perform(who: ApiClient, c: { id: number }, action: string, body: Record<string, unknown>) {
  const current = await who.get<CaseDetail>(`/ops/cases/${c.id}`);
  return who.post(`/ops/cases/${c.id}/perform/${action}`, { version: current.body.case.version, ...body });
}

async function count(table: 'support_messages' | 'support_conversations' | 'cases' | 'canned_replies') {
  const row = await t.db.write
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function auditCount(action: string): Promise<number> {
  const row = await t.db.write
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('action', '=', action)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function cannedByShortcut(shortcut: string): Promise<CannedReply> {
  const list = await team.support.api.get('/ops/canned-replies');
  expect(list.status).toBe(200);
  return list.body.items.find((r: CannedReply) => r.shortcut === shortcut);
}

describe('support chats', () => {
  it('a customer asks about their order: one chat, one support_chat case; the agent replies with a filled canned reply, live; notes stay private', async () => {
    const me = await customer('小明同学');
    const freelancer = await signUp(api, { userType: 'freelancer' });
    const { orderId } = await insertOrder(t, { clientId: me.userId, freelancerId: freelancer.userId });
    const orderNumber = (
      await t.db.read
        .selectFrom('orders')
        .select('order_number')
        .where('id', '=', orderId)
        .executeTakeFirstOrThrow()
    ).order_number;
    const live = connectEvents(t.url, { token: me.api.token! });
    await live.connected;

    const opened = await openChat(me, {
      subject: '订单迟迟没有交付',
      message: '你好，我的订单还没交付',
      orderId,
    });
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({
      subject: '订单迟迟没有交付',
      orderId,
      status: 'open',
      unreadCount: 0,
    });
    const conversationId = opened.body.id as number;
    const c = await caseOf(conversationId);
    expect(c).toMatchObject({
      kind: 'support_chat',
      status: 'open',
      subjectType: 'support_conversation',
      subjectId: conversationId,
      userId: me.userId,
      orderId,
      title: '订单迟迟没有交付',
      assigneeId: null,
    });

    // A second "ask support" while the first is open joins it.
    const again = await openChat(me, { subject: '另一个问题', message: '补充：卖家不回消息' });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(conversationId);
    expect((await me.api.get('/support/conversations')).body.items).toHaveLength(1);

    const claimed = await team.support.api.post(`/ops/cases/${c.id}/claim`, { version: c.version });
    expect(claimed.status).toBe(200);
    const canned = await cannedByShortcut('check');
    expect(canned.bodyZh).toContain('{{order.number}}');
    const reply = await perform(team.support.api, c, 'reply', { cannedReplyId: canned.id });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    const filled = `小明同学您好，我们正在核实订单 ${orderNumber} 的情况，请稍候，核实后会第一时间回复您。`;
    expect(reply.body.result.content).toBe(filled);
    expect(reply.body.case).toMatchObject({
      status: 'waiting',
      stage: 'awaiting_user',
      assigneeId: team.support.userId,
    });

    const note = await perform(team.support.api, c, 'note', { content: '内部备注：用户情绪激动，注意安抚' });
    expect(note.status).toBe(200);

    // The customer reads the filled text and never the note.
    const mine = await me.api.get(`/support/conversations/${conversationId}/messages`);
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((m: { content: string }) => m.content)).toEqual([
      filled,
      '补充：卖家不回消息',
      '你好，我的订单还没交付',
    ]);
    expect(mine.body.items[0]).toMatchObject({
      senderKind: 'agent',
      sender: { id: team.support.userId, nickname: '客服小陈' },
    });
    expect(JSON.stringify(mine.body)).not.toContain('内部备注');
    expect(mine.body.items[0]).not.toHaveProperty('isNote');
    const list = await me.api.get('/support/conversations');
    expect(list.body.items[0]).toMatchObject({ unreadCount: 1, lastMessage: { content: filled } });

    // Staff see everything, the note marked.
    const staffView = await team.support.api.get(`/ops/support/conversations/${c.id}/messages`);
    expect(staffView.status).toBe(200);
    expect(staffView.body.items[0]).toMatchObject({
      isNote: true,
      content: '内部备注：用户情绪激动，注意安抚',
    });
    expect(staffView.body.items[1]).toMatchObject({
      isNote: false,
      cannedReplyId: canned.id,
      content: filled,
    });
    const detail = await team.support.api.get<CaseDetail>(`/ops/cases/${c.id}`);
    expect(detail.body.detail).toMatchObject({
      conversation: { id: conversationId, orderNumber, customer: { id: me.userId, nickname: '小明同学' } },
    });
    expect(detail.body.actions.find((a) => a.action === 'reply')).toMatchObject({ available: true });
    // Other staff without support.chat do not get the messages.
    expect((await team.moderator.api.get(`/ops/support/conversations/${c.id}/messages`)).status).toBe(403);

    // The agent's reply reached the customer's socket live; the note did not.
    const pushed = await eventually(() =>
      live.received.find((e) => e.type === 'support.message_created' && e.payload['senderKind'] === 'agent'),
    );
    expect(pushed.payload).toMatchObject({ caseId: c.id, conversationId, isNote: false, userId: me.userId });
    expect(filled.startsWith(pushed.payload['preview'] as string)).toBe(true);

    // The customer reads; the read receipt moves and their unread count drops.
    const read = await me.api.post(`/support/conversations/${conversationId}/read`, {
      upToMessageId: mine.body.items[0].id,
    });
    expect(read.body).toMatchObject({ unreadCount: 0, caseId: c.id });
    // A note's id is not a message of the customer's conversation.
    const peek = await me.api.post(`/support/conversations/${conversationId}/read`, {
      upToMessageId: staffView.body.items[0].id,
    });
    expect(peek.status).toBe(400);
    // Events arrive in seq order: once the read receipt (appended after the note) is here, a pushed
    // note would have been too.
    await eventually(() => live.received.find((e) => e.type === 'support.read'));
    expect(live.received.some((e) => e.payload['isNote'] === true)).toBe(false);
    expect(live.received.filter((e) => e.type === 'support.message_created')).toHaveLength(3);
    live.socket.disconnect();
  });

  it('simultaneous "ask support" taps open one conversation and one case', async () => {
    const me = await customer();
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        me.api.post('/support/conversations', { subject: '无法付款', message: `第${i + 1}次点击` }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const cases = await team.support.api.get(`/ops/cases?kind=support_chat&userId=${me.userId}`);
    expect(cases.body.items).toHaveLength(1);
    const messages = await me.api.get(`/support/conversations/${results[0]!.body.id}/messages`);
    expect(messages.body.items).toHaveLength(5);
  });

  it('unread counts go up with customer messages and down after the agent reads', async () => {
    const agent = await signUpStaff(t, ['support'], '客服小吴');
    const me = await customer();
    const opened = await openChat(me);
    const c = await caseOf(opened.body.id);
    await agent.api.post(`/ops/cases/${c.id}/claim`, { version: c.version });
    const unread = async () => {
      const res = await agent.api.get('/ops/support/unread');
      expect(res.status).toBe(200);
      return res.body as { total: number; items: { caseId: number; unread: number }[] };
    };
    expect(await unread()).toEqual({
      total: 1,
      items: [{ caseId: c.id, conversationId: opened.body.id, unread: 1 }],
    });
    for (const text of ['还在吗？', '麻烦尽快处理']) {
      const sent = await me.api.post(`/support/conversations/${opened.body.id}/messages`, { content: text });
      expect(sent.status).toBe(201);
    }
    expect((await unread()).total).toBe(3);
    // Someone else's held chats are not counted for this agent.
    expect(
      (await team.support.api.get('/ops/support/unread')).body.items.map((i: { caseId: number }) => i.caseId),
    ).not.toContain(c.id);

    const messages = await agent.api.get(`/ops/support/conversations/${c.id}/messages?limit=1`);
    expect(messages.body.nextCursor).toBeTruthy();
    const older = await agent.api.get(
      `/ops/support/conversations/${c.id}/messages?limit=5&cursor=${messages.body.nextCursor}`,
    );
    expect(older.body.items.map((m: { content: string }) => m.content)).toEqual([
      '还在吗？',
      '你好，我想咨询一下',
    ]);
    const read = await agent.api.post(`/ops/support/conversations/${c.id}/read`, {
      upToMessageId: messages.body.items[0].id,
    });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ unreadCount: 0, lastReadMessageId: messages.body.items[0].id });
    expect(await unread()).toMatchObject({ total: 0, items: [{ caseId: c.id, unread: 0 }] });
    // The customer sees the agents' read receipt.
    const mine = await me.api.get('/support/conversations');
    expect(mine.body.items[0].agentLastReadMessageId).toBe(messages.body.items[0].id);

    await me.api.post(`/support/conversations/${opened.body.id}/messages`, { content: '谢谢' });
    expect((await unread()).total).toBe(1);
  });

  it('the agents’ read receipt never names a private note: the customer cannot tell that a note exists', async () => {
    const me = await customer();
    const opened = await openChat(me, { message: '我的退款到哪一步了？' });
    const c = await caseOf(opened.body.id);
    const claimed = await team.support.api.post(`/ops/cases/${c.id}/claim`, { version: c.version });
    expect(claimed.status).toBe(200);
    const live = connectEvents(t.url, { token: me.api.token! });
    await live.connected;
    expect((await perform(team.support.api, c, 'note', { content: '内部：退款卡在财务复核' })).status).toBe(
      200,
    );
    const staffView = await team.support.api.get(`/ops/support/conversations/${c.id}/messages`);
    const [note, question] = staffView.body.items as { id: number; isNote: boolean }[];
    expect(note).toMatchObject({ isNote: true });
    // Writing the note did not put its id where the customer can see it.
    const afterNote = await me.api.get('/support/conversations');
    expect(afterNote.body.items[0].agentLastReadMessageId).toBeLessThan(note!.id);
    // The agent reads everything, up to and including the note (what the console does on opening a chat).
    const read = await team.support.api.post(`/ops/support/conversations/${c.id}/read`, {
      upToMessageId: note!.id,
    });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ unreadCount: 0, lastReadMessageId: question!.id });
    const mine = await me.api.get('/support/conversations');
    expect(mine.body.items[0].agentLastReadMessageId).toBe(question!.id);
    // Events arrive in seq order: once the customer's next message is here, any receipt naming the note
    // would have been too.
    const next = await me.api.post(`/support/conversations/${opened.body.id}/messages`, {
      content: '好的，谢谢',
    });
    expect(next.status).toBe(201);
    await eventually(() =>
      live.received.find((e) => e.type === 'support.message_created' && e.payload['senderKind'] === 'user'),
    );
    expect(live.received.filter((e) => e.payload['upToMessageId'] === note!.id)).toEqual([]);
    live.socket.disconnect();
  });

  it('the chat list previews each chat’s last message the customer can see; the case detail has its typed shape', async () => {
    const first = await customer('预览甲');
    const second = await customer('预览乙');
    const a = await caseOf((await openChat(first, { message: '甲的第一句' })).body.id);
    const b = await caseOf((await openChat(second, { message: '乙的问题' })).body.id);
    await team.support.api.post(`/ops/cases/${a.id}/claim`, { version: a.version });
    expect((await perform(team.support.api, a, 'reply', { content: '您好，请讲' })).status).toBe(200);
    // A private note is never the preview.
    expect((await perform(team.support.api, a, 'note', { content: '备注不应出现在预览' })).status).toBe(200);

    const previews = await team.support.api.get(
      `/ops/support/previews?caseIds=${b.id},${a.id},987654321,${a.id}`,
    );
    expect(previews.status, JSON.stringify(previews.body)).toBe(200);
    const byCase = new Map(
      previews.body.items.map((i: { caseId: number; lastMessage: { content: string } }) => [
        i.caseId,
        i.lastMessage,
      ]),
    );
    expect([...byCase.keys()].sort((x, y) => Number(x) - Number(y))).toEqual(
      [a.id, b.id].sort((x, y) => x - y),
    );
    expect(byCase.get(a.id)).toMatchObject({ content: '您好，请讲', senderKind: 'agent' });
    expect(byCase.get(b.id)).toMatchObject({ content: '乙的问题', senderKind: 'user' });

    for (const bad of ['', 'abc', '1,,2', '0', Array.from({ length: 201 }, (_, i) => i + 1).join(',')])
      expect((await team.support.api.get(`/ops/support/previews?caseIds=${bad}`)).status, bad).toBe(400);
    expect((await team.moderator.api.get(`/ops/support/previews?caseIds=${a.id}`)).status).toBe(403);

    const detail = await team.support.api.get<CaseDetail>(`/ops/cases/${a.id}`);
    const typed = supportChatDetailSchema.parse(detail.body.detail);
    expect(typed.conversation).toMatchObject({ customer: { nickname: '预览甲' }, status: 'open' });
    expect(typed.messages.map((m) => m.content)).toEqual(['备注不应出现在预览', '您好，请讲', '甲的第一句']);
  });

  it('an agent attaches a file: the customer downloads it, nobody else outside staff can', async () => {
    const me = await customer();
    const outsider = await customer();
    const opened = await openChat(me);
    const c = await caseOf(opened.body.id);
    const form = new FormData();
    form.append(
      'file',
      new Blob([new Uint8Array(Buffer.from('%PDF-1.4\n退款流程说明'))], { type: 'application/pdf' }),
      '退款流程.pdf',
    );
    const upload = await fetch(`${t.url}/api/v1/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${team.support.api.token}` },
      body: form,
    });
    expect(upload.status).toBe(201);
    const fileId = ((await upload.json()) as { id: number }).id;
    // A customer cannot attach the agent's upload.
    const stolen = await me.api.post(`/support/conversations/${opened.body.id}/messages`, {
      fileIds: [fileId],
    });
    expect(stolen.status).toBe(400);
    expect(stolen.body.code).toBe('file_not_usable');
    expect((await me.api.get(`/files/${fileId}`)).status).toBe(404);

    const sent = await perform(team.support.api, c, 'reply', { content: '请查看附件', fileIds: [fileId] });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    const mine = await me.api.get(`/support/conversations/${opened.body.id}/messages`);
    expect(mine.body.items[0].files).toEqual([
      expect.objectContaining({ id: fileId, filename: '退款流程.pdf' }),
    ]);
    const download = await fetch(`${t.url}/api/v1/files/${fileId}/content`, {
      headers: { authorization: `Bearer ${me.api.token}` },
    });
    expect(download.status).toBe(200);
    expect(await download.text()).toContain('退款流程说明');
    const denied = await fetch(`${t.url}/api/v1/files/${fileId}/content`, {
      headers: { authorization: `Bearer ${outsider.api.token}` },
    });
    expect(denied.status).toBe(404);
  });

  it('resolve ends the chat; the customer writing again reopens the case (flag reopened), and staff may reopen too', async () => {
    const me = await customer();
    const opened = await openChat(me);
    const conversationId = opened.body.id as number;
    const c = await caseOf(conversationId);
    await team.support.api.post(`/ops/cases/${c.id}/claim`, { version: c.version });
    await perform(team.support.api, c, 'reply', { content: '您好，问题已经处理好了' });
    const resolved = await perform(team.support.api, c, 'resolve', { note: '已解答' });
    expect(resolved.status).toBe(200);
    expect(resolved.body.case).toMatchObject({ status: 'resolved', outcome: 'resolved', assigneeId: null });
    const mine = await me.api.get(`/support/conversations/${conversationId}/messages`);
    expect(mine.body.items[0]).toMatchObject({ senderKind: 'system', sender: null });
    expect((await me.api.get('/support/conversations')).body.items[0].status).toBe('resolved');
    expect((await perform(team.support.api, c, 'reply', { content: '还在吗' })).status).toBe(409);

    const back = await me.api.post(`/support/conversations/${conversationId}/messages`, {
      content: '又出问题了',
    });
    expect(back.status).toBe(201);
    const reopened = await team.support.api.get<CaseDetail>(`/ops/cases/${c.id}`);
    expect(reopened.body.case).toMatchObject({ status: 'open', stage: 'awaiting_agent', assigneeId: null });
    expect(reopened.body.case.flags).toContain('reopened');
    expect(reopened.body.history.map((h) => h.action)).toEqual([
      'opened',
      'claimed',
      'reply',
      'resolve',
      'reopened',
    ]);
    expect((await me.api.get('/support/conversations')).body.items[0].status).toBe('open');
    // Still one case for the conversation.
    const all = await team.support.api.get(`/ops/cases?kind=support_chat&userId=${me.userId}`);
    expect(all.body.items).toHaveLength(1);

    // Staff side: resolve again, then reopen by hand.
    await perform(team.support.api, c, 'resolve', {});
    const byStaff = await perform(team.support.api, c, 'reopen', { note: '用户来电，继续跟进' });
    expect(byStaff.status).toBe(200);
    expect(byStaff.body.case).toMatchObject({ status: 'open', assigneeId: team.support.userId });
  });

  it('canned replies: support lists, only managers change them (audited); unknown variables are refused by name', async () => {
    const seeded = await team.support.api.get('/ops/canned-replies');
    expect(seeded.body.items.length).toBeGreaterThanOrEqual(5);
    const before = await count('canned_replies');
    const created = {
      title: '催促交付',
      bodyZh: '{{user.nickname}}您好，已联系卖家尽快交付。',
      shortcut: 'urge',
    };
    expect((await team.support.api.post('/ops/canned-replies', created)).status).toBe(403);

    const unknown = await team.admin.api.post('/ops/canned-replies', {
      ...created,
      bodyEn: 'Hi {{user.phone}} {{ foo }}',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({
      code: 'canned_reply_unknown_variable',
      variables: ['user.phone', 'foo'],
    });
    expect(unknown.body.errors.map((e: { field: string }) => e.field)).toEqual(['body.bodyEn']);
    expect(unknown.body.detail).toContain('{{user.phone}}');

    const auditsBefore = await auditCount('canned_reply.create');
    const ok = await team.admin.api.post('/ops/canned-replies', created);
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ ...created, bodyEn: '', createdBy: team.admin.userId });
    expect(await auditCount('canned_reply.create')).toBe(auditsBefore + 1);
    const dup = await team.admin.api.post('/ops/canned-replies', { ...created, title: '重复' });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('canned_reply_shortcut_taken');

    const patched = await team.admin.api.patch(`/ops/canned-replies/${ok.body.id}`, {
      bodyEn: 'Hello {{user.nickname}}, we asked the seller to deliver soon.',
    });
    expect(patched.status).toBe(200);
    expect(patched.body.bodyEn).toContain('{{user.nickname}}');
    const badPatch = await team.admin.api.patch(`/ops/canned-replies/${ok.body.id}`, {
      bodyZh: '{{user.idNumber}}',
    });
    expect(badPatch.status).toBe(400);
    expect(badPatch.body.errors[0].field).toBe('body.bodyZh');
    expect((await team.support.api.get('/ops/canned-replies?q=urge')).body.items[0].bodyZh).toBe(
      created.bodyZh,
    );

    // English rendering with lang=en.
    const me = await customer('Lily');
    const opened = await openChat(me);
    const c = await caseOf(opened.body.id);
    const en = await perform(team.support.api, c, 'reply', { cannedReplyId: ok.body.id, lang: 'en' });
    expect(en.body.result.content).toBe('Hello Lily, we asked the seller to deliver soon.');

    expect((await team.support.api.request('DELETE', `/ops/canned-replies/${ok.body.id}`)).status).toBe(403);
    const del = await team.admin.api.request('DELETE', `/ops/canned-replies/${ok.body.id}`);
    expect(del.status).toBe(200);
    expect(await count('canned_replies')).toBe(before);
    expect(await auditCount('canned_reply.delete')).toBeGreaterThanOrEqual(1);
    // The message sent with it survives the deletion.
    const staffView = await team.support.api.get(`/ops/support/conversations/${c.id}/messages`);
    expect(staffView.body.items[0]).toMatchObject({ content: en.body.result.content, cannedReplyId: null });
  });

  it('customer context masks personal data; reveal needs pii.reveal and writes an audit row', async () => {
    const me = await customer('欧阳同学', '13800138000');
    expect(
      (await me.api.post('/me/real-name', { realName: '欧阳娜娜', idNumber: '11010519491231002X' })).status,
    ).toBe(200);
    const freelancer = await signUp(api, { userType: 'freelancer', nickname: '设计师阿杰' });
    const { orderId } = await insertOrder(t, { clientId: me.userId, freelancerId: freelancer.userId });
    await openChat(me, { orderId });

    const ctxRes = await team.support.api.get(`/ops/users/${me.userId}/context`);
    expect(ctxRes.status).toBe(200);
    const order = await t.db.read
      .selectFrom('orders')
      .selectAll()
      .where('id', '=', orderId)
      .executeTakeFirstOrThrow();
    expect(ctxRes.body.profile).toMatchObject({
      id: me.userId,
      nickname: '欧阳同学',
      phone: '138****8000',
      realName: '欧阳**',
      idNumber: '1101**********002X',
      realNameStatus: 'pending',
      status: 'active',
    });
    expect(JSON.stringify(ctxRes.body)).not.toContain('13800138000');
    expect(ctxRes.body.orders).toEqual([
      expect.objectContaining({
        id: orderId,
        orderNumber: order.order_number,
        status: 'in_progress',
        amountFen: order.amount_fen,
        role: 'client',
        counterpart: { id: freelancer.userId, nickname: '设计师阿杰' },
      }),
    ]);
    expect(ctxRes.body.wallet).toEqual({
      availableFen: 0,
      payoutPendingFen: 0,
      escrowAsClientFen: order.amount_fen,
    });
    expect(ctxRes.body.cases).toEqual([
      expect.objectContaining({ kind: 'support_chat', status: 'open', outcome: null }),
    ]);
    // Always masked, even for an admin who could reveal.
    expect((await team.admin.api.get(`/ops/users/${me.userId}/context`)).body.profile.phone).toBe(
      '138****8000',
    );
    expect((await me.api.get(`/ops/users/${me.userId}/context`)).status).toBe(403);
    expect((await team.support.api.get('/ops/users/987654321/context')).status).toBe(404);

    const reveals = await auditCount('pii.reveal');
    const body = { field: 'phone', reason: '用户来电要求核实手机号' };
    const denied = await team.support.api.post(`/ops/users/${me.userId}/reveal`, body);
    expect(denied.status).toBe(403);
    expect(denied.body).not.toHaveProperty('value');
    expect(await auditCount('pii.reveal')).toBe(reveals);

    const bad = await team.admin.api.post(`/ops/users/${me.userId}/reveal`, { field: 'email', reason: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'body.field',
      'body.reason',
    ]);
    expect(await auditCount('pii.reveal')).toBe(reveals);

    const revealed = await team.admin.api.post(`/ops/users/${me.userId}/reveal`, body);
    expect(revealed.status).toBe(200);
    expect(revealed.body).toEqual({ userId: me.userId, field: 'phone', value: '13800138000' });
    const idNumber = await team.admin.api.post(`/ops/users/${me.userId}/reveal`, {
      field: 'idNumber',
      reason: '处理实名申诉',
    });
    expect(idNumber.body.value).toBe('11010519491231002X');
    const audit = await team.admin.api.get(`/ops/audit?action=pii.reveal&subjectId=${me.userId}`);
    expect(audit.status).toBe(200);
    expect(audit.body.items.map((a: { data: unknown; actorId: number }) => [a.actorId, a.data])).toEqual([
      [team.admin.userId, { field: 'idNumber', reason: '处理实名申诉' }],
      [team.admin.userId, { field: 'phone', reason: '用户来电要求核实手机号' }],
    ]);
  });

  it('refuses bad input naming the field, and writes nothing', async () => {
    const me = await customer();
    const stranger = await customer();
    const freelancer = await signUp(api, { userType: 'freelancer' });
    const { orderId: strangersOrder } = await insertOrder(t, {
      clientId: stranger.userId,
      freelancerId: freelancer.userId,
    });
    const snapshot = async () => [
      await count('support_conversations'),
      await count('support_messages'),
      await count('cases'),
    ];
    const before = await snapshot();
    const starts: [Record<string, unknown>, number, string][] = [
      [{ subject: '', message: '你好' }, 400, 'body.subject'],
      [{ subject: '问题', message: '   ' }, 400, 'body.message'],
      [{ subject: '问题', message: '字'.repeat(5001) }, 400, 'body.message'],
      [{ subject: '问题', message: '你好', orderId: strangersOrder }, 400, 'body.orderId'],
      [{ subject: '问题', message: '你好', fileIds: [987_654_321] }, 400, 'body.fileIds'],
      [{ subject: '问题', message: '你好', extra: 1 }, 400, 'body'],
    ];
    for (const [body, status, field] of starts) {
      const res = await me.api.post('/support/conversations', body);
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(status);
      expect(
        res.body.errors.map((e: { field: string }) => e.field).some((f: string) => f.startsWith(field)),
      ).toBe(true);
    }
    expect((await api.post('/support/conversations', { subject: '问题', message: '你好' })).status).toBe(401);
    expect(await snapshot()).toEqual(before);

    const opened = await openChat(me);
    const cid = opened.body.id as number;
    const c = await caseOf(cid);
    const afterOpen = await snapshot();
    const bad = await me.api.post(`/support/conversations/${cid}/messages`, { content: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('body.content');
    expect(
      (await stranger.api.post(`/support/conversations/${cid}/messages`, { content: '你好' })).status,
    ).toBe(404);
    expect((await stranger.api.get(`/support/conversations/${cid}/messages`)).status).toBe(404);
    expect((await me.api.get(`/support/conversations/${cid}/messages?cursor=abc`)).status).toBe(400);

    // Staff actions refused before anything is written; the case version stays.
    await team.support.api.post(`/ops/cases/${c.id}/claim`, { version: c.version });
    const version = (await team.support.api.get<CaseDetail>(`/ops/cases/${c.id}`)).body.case.version;
    const refusals: [Record<string, unknown>, number, string, string][] = [
      [{}, 400, 'body.content', 'reply'],
      [{ content: '好的', fileIds: [987_654_321] }, 400, 'body.fileIds', 'reply'],
      [{ cannedReplyId: 987_654_321 }, 400, 'body.cannedReplyId', 'reply'],
      [{ cannedReplyId: (await cannedByShortcut('refund')).id }, 409, 'body.cannedReplyId', 'reply'],
      [
        { content: '{{user.phone}}', cannedReplyId: (await cannedByShortcut('hi')).id },
        400,
        'body.content',
        'reply',
      ],
      [{ content: '' }, 400, 'body.content', 'note'],
    ];
    for (const [body, status, field, action] of refusals) {
      const res = await team.support.api.post(`/ops/cases/${c.id}/perform/${action}`, { version, ...body });
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect(await snapshot()).toEqual(afterOpen);
    expect((await team.support.api.get<CaseDetail>(`/ops/cases/${c.id}`)).body.case.version).toBe(version);
    expect(
      (await team.support.api.post('/ops/support/conversations/987654321/read', { upToMessageId: 1 })).status,
    ).toBe(404);
    expect(
      (await team.support.api.post(`/ops/support/conversations/${c.id}/read`, { upToMessageId: 987_654_321 }))
        .status,
    ).toBe(400);
  });
});
