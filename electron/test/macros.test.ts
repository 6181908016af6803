import { type SupportChatDetail, supportChatDetailSchema } from '@jiangxin/shared/ops/support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp } from '../../core/src/test/client';
import { type StaffMember, signUpStaff } from '../../core/src/test/factories/staff';
import { startTestApp, type TestApp } from '../../core/src/test/harness';
import { type EngineUnderTest, removeDir, signedInEngine, until } from './support';

/**
 * Macros through a real engine to a real core (issue 13): a canned reply's effects go through the
 * bridge's create/update untouched, a bad tag is refused at the bridge, and replying with a macro
 * hands the renderer what it did (`result.macro`), the case as it left it, and the tags in the detail.
 * The engine passes all of this through as it is: this holds it to that.
 */
let t: TestApp;
let lead: StaffMember;
const engines: EngineUnderTest[] = [];

beforeAll(async () => {
  t = await startTestApp();
  lead = await signUpStaff(t, ['admin', 'support'], '客服主管老周');
});
afterAll(async () => {
  for (const e of engines) {
    await e.close();
    removeDir(e.dir);
  }
  await t?.close();
});

const signedIn = (login: string) => signedInEngine(t.url, login, engines);

describe('macros through the engine', () => {
  it('saves a macro’s effects, refuses a bad tag, and a reply with it returns what it did', async () => {
    const e = await signedIn(lead.username);
    const macro = await e.call('cannedReplies.create', {
      title: '退款完成',
      bodyZh: '{{user.nickname}}您好，退款已原路退回。',
      shortcut: 'refunded',
      effects: { status: 'resolved', priority: 2, addTags: ['退款', ' 退款 ', '已处理'] },
    });
    expect(macro.effects).toEqual({ status: 'resolved', priority: 2, addTags: ['退款', '已处理'] });
    const cleared = await e.call('cannedReplies.update', {
      id: macro.id,
      effects: { status: null, priority: null, addTags: [] },
    });
    expect(cleared.effects).toEqual({ status: null, priority: null, addTags: [] });
    const bad = await e.engine.dispatch('cannedReplies.update', {
      id: macro.id,
      effects: { status: 'resolved', priority: null, addTags: ['退款,物流'] },
    });
    expect(bad).toMatchObject({ ok: false, problem: { code: 'bad_call' } });
    const again = await e.call('cannedReplies.update', {
      id: macro.id,
      effects: { status: 'resolved', priority: 2, addTags: ['退款'] },
    });
    expect(again.effects).toEqual({ status: 'resolved', priority: 2, addTags: ['退款'] });

    // A customer's chat, claimed by the lead.
    const customer = await signUp(new ApiClient(t.url), { nickname: '顾客小美' });
    const opened = await customer.api.post<{ id: number }>('/support/conversations', {
      subject: '宏测试',
      message: '退款到账了吗？',
    });
    expect([200, 201]).toContain(opened.status);
    const chatCase = async () =>
      (await e.call('cases.list', { kinds: ['support_chat'], q: '宏测试', limit: 5 })).items[0];
    const c = (await until('the chat case', chatCase))!;
    const claimed = await e.call('cases.claim', { caseId: c.id, version: c.version });
    const version = claimed.case!.version;

    // The customer's message is unread: the macro would end the chat unseen, so the core refuses it.
    const refused = await e.engine.dispatch('chat.send', {
      caseId: c.id,
      version,
      content: '',
      cannedReplyId: macro.id,
    });
    expect(refused).toMatchObject({ ok: false, problem: { code: 'case_action_unavailable', status: 409 } });
    expect((await e.call('outbox.list', {})).items).toEqual([]);

    const page = await e.call('chat.messages', { caseId: c.id });
    const newest = Math.max(...page.items.filter((m) => m.senderKind === 'user').map((m) => m.id));
    await e.call('chat.markRead', { caseId: c.id, upToMessageId: newest });
    const receipt = await e.call('chat.send', {
      caseId: c.id,
      version,
      content: '',
      cannedReplyId: macro.id,
    });
    expect(receipt.queued).toBe(false);
    expect(receipt.result).toMatchObject({
      content: '顾客小美您好，退款已原路退回。',
      macro: { status: 'resolved', addedTags: ['退款'] },
    });
    expect(receipt.case).toMatchObject({ status: 'resolved', priority: 2 });

    const read = await e.call('cases.get', { caseId: c.id });
    const detail: SupportChatDetail = supportChatDetailSchema.parse(read.detail?.detail);
    expect(detail.tags).toEqual(['退款']);
  });
});
