import {
  type ActionReceipt,
  BridgeCallError,
  bridgeProblem,
  type ConsoleSession,
} from '@jiangxin/shared/bridge';
import type { CaseActionOffer, CaseDetail, CaseSummary } from '@jiangxin/shared/ops/cases';
import type {
  CannedReply,
  CustomerContext,
  StaffSupportMessage,
  SupportChatDetail,
} from '@jiangxin/shared/ops/support';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import { renderWithConsole, ScriptedBridge } from '../../test/render';
import { SupportScreen } from './SupportScreen';

const AGENT: ConsoleSession = {
  userId: 10,
  username: 'agent_chen',
  nickname: '客服小陈',
  roles: ['support'],
  permissions: ['cases.view', 'support.chat', 'disputes.view'],
  coreUrl: 'http://127.0.0.1:3000',
};
const WITH_REVEAL: ConsoleSession = { ...AGENT, permissions: [...AGENT.permissions, 'pii.reveal'] };
const CUSTOMER = { id: 77, nickname: '顾客小美' };
const AT = '2026-11-26T06:00:00.000Z';

function chatCase(over: Partial<CaseSummary> = {}): CaseSummary {
  return {
    id: 7,
    kind: 'support_chat',
    status: 'open',
    stage: 'awaiting_agent',
    priority: 1,
    assigneeId: AGENT.userId,
    assigneeName: AGENT.nickname,
    version: 4,
    slaDueAt: '2026-11-26T07:00:00.000Z',
    slaBreached: false,
    subjectType: 'support_conversation',
    subjectId: 3,
    userId: CUSTOMER.id,
    orderId: 9,
    amountFen: null,
    title: '退款咨询',
    summary: { conversationId: 3, customerNickname: CUSTOMER.nickname, orderNumber: 'JX20261126000001' },
    flags: [],
    outcome: null,
    createdAt: AT,
    updatedAt: AT,
    resolvedAt: null,
    ...over,
  };
}

function message(id: number, over: Partial<StaffSupportMessage> = {}): StaffSupportMessage {
  return {
    id,
    conversationId: 3,
    senderKind: 'user',
    sender: CUSTOMER,
    content: `消息 ${id}`,
    files: [],
    createdAt: AT,
    isNote: false,
    cannedReplyId: null,
    ...over,
  };
}

const offer = (action: string, available = true): CaseActionOffer => ({ action, available, reason: null });

function detailOf(c: CaseSummary, chat: Partial<NonNullable<SupportChatDetail['conversation']>> = {}) {
  const detail: SupportChatDetail = {
    tags: [],
    conversation: {
      id: 3,
      subject: c.title,
      status: c.status === 'resolved' ? 'resolved' : 'open',
      customer: CUSTOMER,
      orderId: 9,
      orderNumber: 'JX20261126000001',
      userLastReadMessageId: 0,
      agentLastReadMessageId: 0,
      unread: 0,
      ...chat,
    },
    messages: [],
    nextCursor: null,
  };
  const mine = c.assigneeId === AGENT.userId;
  const result: CaseDetail = {
    case: c,
    history: [],
    actions: [
      offer('claim', c.assigneeId === null),
      offer('release', mine),
      offer('assign', c.assigneeId === null || mine),
      offer('reply', mine || c.assigneeId === null),
      offer('note', mine || c.assigneeId === null),
      offer('resolve', mine || c.assigneeId === null),
      offer('reopen', false),
    ],
    detail,
  };
  return result;
}

const CONTEXT: CustomerContext = {
  profile: {
    id: CUSTOMER.id,
    username: 'xiaomei',
    nickname: CUSTOMER.nickname,
    status: 'active',
    isClient: true,
    isFreelancer: false,
    createdAt: AT,
    realNameStatus: 'verified',
    phone: '138****8000',
    phoneVerified: true,
    realName: '王**',
    idNumber: '1101**********1234',
  },
  orders: [
    {
      id: 9,
      orderNumber: 'JX20261126000001',
      status: 'in_progress',
      amountFen: 88_800,
      serviceTitle: 'Logo 设计',
      role: 'client',
      counterpart: { id: 88, nickname: '设计师阿杰' },
      createdAt: AT,
    },
  ],
  wallet: { availableFen: 12_345, payoutPendingFen: 0, escrowAsClientFen: 88_800 },
  cases: [
    {
      id: 2,
      kind: 'dispute',
      status: 'resolved',
      outcome: 'refund',
      title: '旧纠纷',
      createdAt: AT,
      resolvedAt: AT,
    },
  ],
};

const CANNED: CannedReply[] = [
  {
    id: 31,
    title: '问候',
    bodyZh: '{{user.nickname}}您好，我是客服{{agent.nickname}}，很高兴为您服务。',
    bodyEn: 'Hello {{user.nickname}}',
    shortcut: 'hi',
    createdBy: null,
    createdAt: AT,
    updatedAt: AT,
  },
  {
    id: 32,
    title: '核实订单',
    bodyZh: '我们正在核实订单 {{order.number}} 的情况，请稍候。',
    bodyEn: '',
    shortcut: 'check',
    createdBy: null,
    createdAt: AT,
    updatedAt: AT,
  },
];

function receipt(c: CaseSummary, over: Partial<ActionReceipt> = {}): ActionReceipt {
  return { queued: false, outboxId: null, case: c, result: {}, ...over };
}

/** A bridge answering everything the screen reads, for chat #7 with these messages. */
function scripted(
  c: CaseSummary = chatCase(),
  messages: StaffSupportMessage[] = [message(1, { content: '你好，退款什么时候到账？' })],
  chat: Partial<NonNullable<SupportChatDetail['conversation']>> = {},
) {
  const ok = () => ({ ok: true as const });
  return new ScriptedBridge()
    .answer('cases.list', () => ({ items: [c], total: 1 }))
    .answer('chat.previews', () => ({ items: [] }))
    .answer('chat.unread', () => ({ total: 2, items: [{ caseId: c.id, conversationId: 3, unread: 2 }] }))
    .answer('cases.get', () => ({ detail: detailOf(c, chat), cachedAt: AT, stale: false }))
    .answer('chat.messages', () => ({ items: [...messages].reverse(), nextCursor: null, offline: false }))
    .answer('chat.markRead', ok)
    .answer('chat.typing', ok)
    .answer('presence.view', ok)
    .answer('presence.leave', ok)
    .answer('users.context', () => CONTEXT)
    .answer('cannedReplies.list', () => ({ items: CANNED }))
    .answer('chat.send', () => receipt({ ...c, version: c.version + 1, status: 'waiting' }))
    .answer('chat.note', () => receipt(c));
}

function renderChats(bridge: ScriptedBridge, session = AGENT, route = '/support/chats/7') {
  return renderWithConsole(
    <Routes>
      <Route path="/support/chats/*" element={<SupportScreen session={session} />} />
    </Routes>,
    { bridge, route },
  );
}

const composer = () => screen.getByTestId('composer') as HTMLTextAreaElement;
const type = (text: string) => fireEvent.change(composer(), { target: { value: text } });

describe('support chat workspace', () => {
  it('lists the conversations with unread counts and shows the open one; a live message appears at once', async () => {
    const bridge = scripted();
    renderChats(bridge);
    const item = await screen.findByTestId('chat-item-7');
    expect(item.textContent).toContain('顾客小美');
    expect(item.getAttribute('aria-current')).toBe('true');
    expect((await screen.findByTestId('chat-unread-7')).textContent).toContain('2 条未读');
    expect((await screen.findByTestId('chat-message-1')).textContent).toContain('你好，退款什么时候到账？');
    expect(bridge.callsOf('cases.list')[0]).toMatchObject({ kinds: ['support_chat'], assignee: 'me' });
    expect(bridge.callsOf('presence.view')).toEqual([{ caseId: 7 }]);

    act(() =>
      bridge.emit('chat.message', { caseId: 7, message: message(5, { content: '订单号 JX20261126000001' }) }),
    );
    expect(screen.getByTestId('chat-message-5').textContent).toContain('订单号 JX20261126000001');
    expect(screen.getByTestId('chat-preview-7').textContent).toContain('订单号 JX20261126000001');
    // A message of another chat is not shown in this one.
    act(() => bridge.emit('chat.message', { caseId: 8, message: message(6, { content: '别的会话' }) }));
    expect(screen.queryByTestId('chat-message-6')).toBeNull();
    // Shown to the holder, so read.
    await waitFor(() =>
      expect(bridge.callsOf('chat.markRead').at(-1)).toEqual({ caseId: 7, upToMessageId: 5 }),
    );
  });

  it('shows the customer typing and the read receipts of my messages', async () => {
    const bridge = scripted(
      chatCase(),
      [message(1), message(2, { senderKind: 'agent', sender: { id: 10, nickname: '客服小陈' } })],
      { userLastReadMessageId: 1 },
    );
    renderChats(bridge);
    expect((await screen.findByTestId('chat-receipt-2')).textContent).toContain('客户未读');
    act(() => bridge.emit('chat.typing', { caseId: 7, side: 'customer' }));
    expect(screen.getByTestId('chat-typing').textContent).toContain('客户正在输入…');
    act(() => bridge.emit('chat.read', { caseId: 7, side: 'customer', upToMessageId: 2 }));
    expect(screen.getByTestId('chat-receipt-2').textContent).toContain('客户已读');
  });

  it('renders a private note distinctly and sends a note with chat.note, never to the customer', async () => {
    const note = message(3, {
      senderKind: 'agent',
      sender: { id: 10, nickname: '客服小陈' },
      content: '用户情绪激动，注意安抚',
      isNote: true,
    });
    const bridge = scripted(chatCase(), [message(1), note]);
    renderChats(bridge);
    const shown = await screen.findByTestId('chat-message-3');
    expect(within(shown).getByText('内部备注 · 客户不可见')).toBeTruthy();
    expect(shown.classList.contains('msg-note')).toBe(true);
    expect(screen.getByTestId('chat-message-1').classList.contains('msg-note')).toBe(false);
    // A note has no read receipt: the customer never sees it.
    expect(screen.queryByTestId('chat-receipt-3')).toBeNull();

    fireEvent.click(screen.getByTestId('composer-note-tab'));
    expect(screen.getByTestId('composer-note-tab').getAttribute('aria-selected')).toBe('true');
    type('已核实订单，等待财务确认');
    fireEvent.keyDown(composer(), { key: 'Enter' });
    await waitFor(() =>
      expect(bridge.callsOf('chat.note')).toEqual([
        { caseId: 7, version: 4, content: '已核实订单，等待财务确认' },
      ]),
    );
    expect(bridge.callsOf('chat.send')).toEqual([]);
    // Typing a note is not told to the customer.
    expect(bridge.callsOf('chat.typing')).toEqual([]);
  });

  it('Enter sends the reply with the case version; Shift+Enter is a new line', async () => {
    const bridge = scripted();
    renderChats(bridge);
    await screen.findByTestId('composer');
    type('您好，退款将在 3 个工作日内原路退回');
    expect(bridge.callsOf('chat.typing')).toEqual([{ caseId: 7 }]);
    fireEvent.keyDown(composer(), { key: 'Enter', shiftKey: true });
    expect(bridge.callsOf('chat.send')).toEqual([]);
    // An input method's Enter (choosing Chinese characters) does not send either.
    fireEvent.keyDown(composer(), { key: 'Enter', keyCode: 229 });
    expect(bridge.callsOf('chat.send')).toEqual([]);
    fireEvent.keyDown(composer(), { key: 'Enter' });
    await waitFor(() =>
      expect(bridge.callsOf('chat.send')).toEqual([
        { caseId: 7, version: 4, content: '您好，退款将在 3 个工作日内原路退回' },
      ]),
    );
    expect(composer().value).toBe('');
    // The next message goes with the version the reply moved the case to (once the first is sent).
    await waitFor(() =>
      expect(screen.getByTestId('composer-send').classList.contains('ant-btn-loading')).toBe(false),
    );
    type('还有其他问题吗？');
    fireEvent.click(screen.getByTestId('composer-send'));
    await waitFor(() => expect(bridge.callsOf('chat.send')[1]).toMatchObject({ version: 5 }));
  });

  it('a reply queued offline shows as pending', async () => {
    const c = chatCase();
    const bridge = scripted(c).answer('chat.send', () => receipt(c, { queued: true, outboxId: 41 }));
    renderChats(bridge);
    await screen.findByTestId('composer');
    type('稍等，我查一下');
    fireEvent.keyDown(composer(), { key: 'Enter' });
    const pending = await screen.findByText('稍等，我查一下');
    await waitFor(() => expect(pending.closest('li')?.textContent).toContain('待发送'));
    expect(pending.closest('li')?.getAttribute('data-state')).toBe('pending');
  });

  it('/ opens the canned replies; picking one fills the variables into the composer', async () => {
    const bridge = scripted();
    renderChats(bridge);
    await screen.findByTestId('composer');
    type('/');
    const menu = await screen.findByTestId('canned-menu');
    expect(await within(menu).findByText('问候')).toBeTruthy();
    expect(within(menu).getByText('核实订单')).toBeTruthy();
    type('/chec');
    await waitFor(() => expect(within(menu).queryByText('问候')).toBeNull());
    type('/h');
    fireEvent.click(await screen.findByTestId('canned-option-31'));
    expect(screen.queryByTestId('canned-menu')).toBeNull();
    expect(composer().value).toBe('顾客小美您好，我是客服客服小陈，很高兴为您服务。');
    fireEvent.keyDown(composer(), { key: 'Enter' });
    await waitFor(() =>
      expect(bridge.callsOf('chat.send')).toEqual([
        {
          caseId: 7,
          version: 4,
          content: '顾客小美您好，我是客服客服小陈，很高兴为您服务。',
          cannedReplyId: 31,
        },
      ]),
    );
  });

  it('the keyboard picks a canned reply: the order number is filled in', async () => {
    const bridge = scripted();
    renderChats(bridge);
    await screen.findByTestId('composer');
    type('/');
    await screen.findByTestId('canned-option-32');
    fireEvent.keyDown(composer(), { key: 'ArrowDown' });
    fireEvent.keyDown(composer(), { key: 'Enter' });
    expect(composer().value).toBe('我们正在核实订单 JX20261126000001 的情况，请稍候。');
    expect(bridge.callsOf('chat.send')).toEqual([]);
  });

  it('an unclaimed chat offers Claim instead of the composer', async () => {
    const c = chatCase({ assigneeId: null, assigneeName: null });
    const bridge = scripted(c).answer('cases.claim', () =>
      receipt({ ...c, assigneeId: AGENT.userId, assigneeName: AGENT.nickname, version: 5 }),
    );
    renderChats(bridge);
    const claim = await screen.findByTestId('chat-claim');
    expect(screen.queryByTestId('composer')).toBeNull();
    fireEvent.click(claim);
    await waitFor(() => expect(bridge.callsOf('cases.claim')).toEqual([{ caseId: 7, version: 4 }]));
    expect(await screen.findByTestId('composer')).toBeTruthy();
  });

  it('resolve performs the support kind’s resolve action with the version', async () => {
    const c = chatCase();
    const bridge = scripted(c).answer('cases.perform', () =>
      receipt({ ...c, status: 'resolved', version: 5 }),
    );
    renderChats(bridge);
    fireEvent.click(await screen.findByTestId('chat-resolve'));
    fireEvent.click(await screen.findByTestId('resolve-submit'));
    await waitFor(() =>
      expect(bridge.callsOf('cases.perform')).toEqual([
        { caseId: 7, version: 4, kind: 'support_chat', action: 'resolve', fields: {} },
      ]),
    );
  });

  it('transfer picks a colleague from the staff directory: online first, found by part of a Chinese name', async () => {
    const c = chatCase();
    const bridge = scripted(c)
      .answer('staff.directory', () => ({
        items: [
          { id: 21, nickname: '客服小美', roles: ['support'], online: false },
          { id: AGENT.userId, nickname: AGENT.nickname, roles: ['support'], online: true },
          { id: 23, nickname: '管理员老周', roles: ['admin'], online: null },
          { id: 22, nickname: '客服阿美', roles: ['support', 'moderator'], online: true },
        ],
      }))
      .answer('cases.assign', (args) =>
        receipt({ ...c, assigneeId: args.assigneeId, assigneeName: '客服小美', version: 5 }),
      );
    renderChats(bridge);
    fireEvent.click(await screen.findByTestId('chat-transfer'));
    const pick = await screen.findByTestId('transfer-pick');
    await within(pick).findByRole('radio', { name: /客服阿美/ });
    expect(bridge.callsOf('staff.directory')).toEqual([{ kind: 'support_chat' }]);
    // Myself excluded; whoever has the console open comes first; roles and presence beside the name.
    const options = () =>
      within(pick)
        .getAllByRole('radio')
        .map((r) => r.closest('label')!.textContent);
    expect(options()).toEqual(['客服阿美客服、内容审核● 在线', '管理员老周管理员', '客服小美客服○ 不在线']);

    // Nothing picked: nothing is sent.
    fireEvent.click(screen.getByTestId('transfer-submit'));
    expect((await within(screen.getByRole('dialog')).findByRole('alert')).textContent).toBe(
      '请先选择要转交的同事；尚未发送任何操作。',
    );
    expect(bridge.callsOf('cases.assign')).toEqual([]);

    const search = screen.getByLabelText('按姓名查找同事');
    fireEvent.change(search, { target: { value: '美' } });
    expect(options()).toEqual(['客服阿美客服、内容审核● 在线', '客服小美客服○ 不在线']);
    fireEvent.change(search, { target: { value: ' 老王 ' } });
    expect(within(pick).queryAllByRole('radio')).toEqual([]);
    expect(pick.textContent).toContain('没有姓名包含“老王”的同事。');
    fireEvent.change(search, { target: { value: '小美' } });
    fireEvent.click(within(pick).getByRole('radio', { name: /客服小美/ }));
    fireEvent.change(screen.getByLabelText('转交说明（可选）'), {
      target: { value: '客户要求退款，请跟进' },
    });
    fireEvent.click(screen.getByTestId('transfer-submit'));
    await waitFor(() =>
      expect(bridge.callsOf('cases.assign')).toEqual([
        { caseId: 7, version: 4, assigneeId: 21, note: '客户要求退款，请跟进' },
      ]),
    );
  });

  it('offline, transfer offers the colleagues the cache knows and says the directory is unavailable', async () => {
    const c = chatCase();
    const other = chatCase({ id: 8, assigneeId: 25, assigneeName: '客服小林' });
    const bridge = scripted(c)
      .answer('cases.list', () => ({ items: [c, other], total: 2 }))
      .answer('staff.directory', () => {
        throw new BridgeCallError(
          bridgeProblem('offline', { zh: '无法连接到平台服务，已切换为离线模式', en: 'Offline' }),
        );
      })
      .answer('cases.assign', () => receipt(c, { queued: true, outboxId: 3, case: null }));
    renderChats(bridge);
    fireEvent.click(await screen.findByTestId('chat-transfer'));
    expect((await screen.findByTestId('transfer-fallback')).textContent).toContain(
      '暂时无法读取员工名录（无法连接到平台服务，已切换为离线模式）',
    );
    const pick = screen.getByTestId('transfer-pick');
    expect(
      within(pick)
        .getAllByRole('radio')
        .map((r) => r.closest('label')!.textContent),
    ).toEqual(['客服小林']);
    fireEvent.click(within(pick).getByRole('radio', { name: '客服小林' }));
    fireEvent.click(screen.getByTestId('transfer-submit'));
    await waitFor(() =>
      expect(bridge.callsOf('cases.assign')).toEqual([{ caseId: 7, version: 4, assigneeId: 25 }]),
    );
  });

  it('the customer sidebar masks personal data; without pii.reveal there is no reveal button', async () => {
    const bridge = scripted();
    renderChats(bridge, AGENT);
    const sidebar = await screen.findByTestId('customer-sidebar');
    expect((await within(sidebar).findByTestId('pii-phone')).textContent).toContain('138****8000');
    expect(within(sidebar).getByText(/JX20261126000001/)).toBeTruthy();
    expect(within(sidebar).getByText('¥123.45')).toBeTruthy();
    expect(within(sidebar).getByText(/旧纠纷/)).toBeTruthy();
    expect(screen.queryByTestId('reveal-phone')).toBeNull();
    expect(screen.queryByTestId('reveal-idNumber')).toBeNull();
  });

  it('with pii.reveal, 查看 asks for a reason, reveals through the engine and shows a refusal', async () => {
    const bridge = scripted().answer('users.reveal', ({ field }) => {
      if (field === 'idNumber')
        throw Object.assign(new Error('x'), {
          problem: {
            code: 'forbidden',
            status: 403,
            message: { zh: '今日查看次数已达上限', en: 'Daily limit reached' },
            extra: {},
          },
        });
      return { userId: CUSTOMER.id, field, value: '13800138000' };
    });
    renderChats(bridge, WITH_REVEAL);
    fireEvent.click(await screen.findByTestId('reveal-phone'));
    fireEvent.click(await screen.findByTestId('reveal-submit'));
    expect((await screen.findByTestId('reveal-problem')).textContent).toContain('至少 2 个字');
    expect(bridge.callsOf('users.reveal')).toEqual([]);
    fireEvent.change(screen.getByTestId('reveal-reason'), { target: { value: '核实退款账户' } });
    fireEvent.click(screen.getByTestId('reveal-submit'));
    await waitFor(() => expect(screen.getByTestId('pii-phone').textContent).toContain('13800138000'));
    expect(bridge.callsOf('users.reveal')).toEqual([
      { userId: CUSTOMER.id, field: 'phone', reason: '核实退款账户' },
    ]);

    fireEvent.click(screen.getByTestId('reveal-idNumber'));
    fireEvent.change(await screen.findByTestId('reveal-reason'), { target: { value: '身份核验' } });
    fireEvent.click(screen.getByTestId('reveal-submit'));
    expect((await screen.findByTestId('reveal-problem')).textContent).toContain('今日查看次数已达上限');
    expect(screen.getByTestId('pii-idNumber').textContent).toContain('1101**********1234');
  });

  it('a new message in another chat I hold raises a page notification', async () => {
    const bridge = scripted();
    renderChats(bridge);
    await screen.findByTestId('chat-message-1');
    act(() =>
      bridge.emit('notify', { kind: 'chat_message', title: '客户新消息', body: '在吗？', caseId: 8 }),
    );
    expect(await screen.findByText('#8 在吗？')).toBeTruthy();
    // The open chat's own messages are on screen already: no notification for them.
    act(() =>
      bridge.emit('notify', { kind: 'chat_message', title: '客户新消息', body: '还在吗', caseId: 7 }),
    );
    expect(screen.queryByText('#7 还在吗')).toBeNull();
  });

  it('images show as thumbnails with alt text, other files as links with name and size', async () => {
    const file = (id: number, filename: string, contentType: string, sizeBytes: number) => ({
      id,
      filename,
      contentType,
      sizeBytes,
      sha256: 'x',
      url: `/api/v1/files/${id}/content`,
      createdAt: AT,
    });
    const bridge = scripted(chatCase(), [
      message(1, {
        content: '',
        files: [
          file(51, '截图.png', 'image/png', 2048),
          file(52, '合同.pdf', 'application/pdf', 3 * 1024 * 1024),
        ],
      }),
    ]).answer('files.content', () => ({
      contentType: 'image/png',
      sizeBytes: 8,
      dataUrl: 'data:image/png;base64,iVBORw0KGgo=',
    }));
    renderChats(bridge);
    expect((await screen.findByAltText('图片：截图.png')).getAttribute('src')).toBe(
      'data:image/png;base64,iVBORw0KGgo=',
    );
    expect(screen.getByRole('link', { name: '下载文件 合同.pdf（3.0 MB）' })).toBeTruthy();
    expect(bridge.callsOf('files.content')).toEqual([{ fileId: 51 }]);
  });
});

const MACRO: CannedReply = {
  id: 33,
  title: '退款完成',
  bodyZh: '退款已原路退回，请注意查收。',
  bodyEn: '',
  shortcut: 'done',
  effects: { status: 'resolved', priority: 2, addTags: ['退款'] },
  createdBy: null,
  createdAt: AT,
  updatedAt: AT,
};
const TAGGING: CannedReply = {
  ...MACRO,
  id: 34,
  title: '物流跟进',
  bodyZh: '已联系物流核实。',
  shortcut: 'ship',
  effects: { status: null, priority: null, addTags: ['物流'] },
};

/** The chat's detail with these tags on the case. */
function detailWithTags(c: CaseSummary, tags: string[]): CaseDetail {
  const d = detailOf(c);
  return { ...d, detail: { ...(d.detail as SupportChatDetail), tags } };
}

/** Types `/shortcut` and picks the canned reply from the menu. */
async function pickCanned(id: number, shortcut: string) {
  type(`/${shortcut}`);
  fireEvent.click(await screen.findByTestId(`canned-option-${id}`));
}

const sendButton = () => screen.getByTestId('composer-send');

describe('support chat workspace: macros and tags', () => {
  it('the case’s tags show in the conversation header', async () => {
    const c = chatCase();
    const bridge = scripted(c).answer('cases.get', () => ({
      detail: detailWithTags(c, ['加急', '退款']),
      cachedAt: AT,
      stale: false,
    }));
    renderChats(bridge);
    const tags = await screen.findByTestId('chat-tags');
    expect([...tags.querySelectorAll('.ant-tag')].map((t) => t.textContent)).toEqual(['加急', '退款']);
    expect(tags.closest('header')).toBeTruthy();
  });

  it('no tags: nothing in the header', async () => {
    renderChats(scripted());
    await screen.findByTestId('composer');
    expect(screen.queryByTestId('chat-tags')).toBeNull();
  });

  it('a macro: the composer says what sending will do, the button says 发送并设为已解决; a plain reply does not', async () => {
    const bridge = scripted().answer('cannedReplies.list', () => ({ items: [...CANNED, MACRO, TAGGING] }));
    renderChats(bridge);
    await screen.findByTestId('composer');
    expect(sendButton().textContent?.replace(/\s/g, '')).toBe('发送');

    await pickCanned(33, 'done');
    expect(composer().value).toBe('退款已原路退回，请注意查收。');
    expect(screen.getByTestId('composer-macro').textContent).toBe(
      '发送后：结束会话 · 优先级改为 高 · 添加标签 退款',
    );
    expect(sendButton().textContent).toBe('发送并设为已解决');

    // Clearing the text drops the canned reply, and with it the preview.
    type('');
    expect(screen.queryByTestId('composer-macro')).toBeNull();
    expect(sendButton().textContent?.replace(/\s/g, '')).toBe('发送');

    // A canned reply that only fills in text: no preview, a plain 发送.
    await pickCanned(31, 'hi');
    expect(composer().value).toContain('顾客小美您好');
    expect(screen.queryByTestId('composer-macro')).toBeNull();
    expect(sendButton().textContent?.replace(/\s/g, '')).toBe('发送');

    // A macro that does not end the chat: 发送并更新工单.
    type('');
    await pickCanned(34, 'ship');
    expect(screen.getByTestId('composer-macro').textContent).toBe('发送后：添加标签 物流');
    expect(sendButton().textContent).toBe('发送并更新工单');

    // A private note never carries the canned reply.
    fireEvent.click(screen.getByTestId('composer-note-tab'));
    expect(screen.queryByTestId('composer-macro')).toBeNull();
    expect(sendButton().textContent).toBe('添加备注');
  });

  it('in English the preview and the button read in English, never a raw code', async () => {
    const bridge = scripted().answer('cannedReplies.list', () => ({ items: [MACRO] }));
    renderWithConsole(
      <Routes>
        <Route path="/support/chats/*" element={<SupportScreen session={AGENT} />} />
      </Routes>,
      { bridge, route: '/support/chats/7', locale: 'en' },
    );
    await screen.findByTestId('composer');
    await pickCanned(33, 'done');
    expect(screen.getByTestId('composer-macro').textContent).toBe(
      'After sending: end the chat · priority to High · add tags 退款',
    );
    expect(sendButton().textContent).toBe('Send and resolve');
  });

  it('sending a macro says what it did and shows the tags it added', async () => {
    const c = chatCase();
    // What the core holds: the reply moves the case and adds the tag.
    let now = c;
    let tags = ['加急'];
    const bridge = scripted(c)
      .answer('cannedReplies.list', () => ({ items: [MACRO] }))
      .answer('cases.get', () => ({ detail: detailWithTags(now, tags), cachedAt: AT, stale: false }))
      .answer('chat.send', () => {
        now = { ...c, version: 5, status: 'resolved', priority: 2 };
        tags = ['加急', '退款'];
        return receipt(now, {
          result: {
            messageId: 9,
            content: MACRO.bodyZh,
            macro: {
              status: 'resolved',
              priority: { from: 1, to: 2 },
              priorityLabel: { zh: '高', en: 'High' },
              addedTags: ['退款'],
            },
          },
        });
      });
    renderChats(bridge);
    expect((await screen.findByTestId('chat-tags')).textContent).not.toContain('退款');
    await pickCanned(33, 'done');
    fireEvent.click(sendButton());
    await waitFor(() =>
      expect(bridge.callsOf('chat.send')).toEqual([
        { caseId: 7, version: 4, content: '退款已原路退回，请注意查收。', cannedReplyId: 33 },
      ]),
    );
    expect(
      await screen.findByText('快捷回复已发送：会话已结束 · 优先级 普通 → 高 · 已添加标签 退款'),
    ).toBeTruthy();
    await waitFor(() =>
      expect(
        [...screen.getByTestId('chat-tags').querySelectorAll('.ant-tag')].map((t) => t.textContent),
      ).toEqual(['加急', '退款']),
    );
    // The chat ended: the composer gives way to the resolved hint.
    expect(await screen.findByText('会话已结束。客户再次留言会自动重新打开。')).toBeTruthy();
    expect(screen.queryByTestId('composer')).toBeNull();
  });

  it('a macro queued offline says its changes wait for the send', async () => {
    const c = chatCase();
    const bridge = scripted(c)
      .answer('cannedReplies.list', () => ({ items: [MACRO] }))
      .answer('chat.send', () => receipt(c, { queued: true, outboxId: 42 }));
    renderChats(bridge);
    await screen.findByTestId('composer');
    await pickCanned(33, 'done');
    fireEvent.click(sendButton());
    expect(await screen.findByText('离线：消息已排队，快捷回复的其他操作会在发送时一并执行。')).toBeTruthy();
    expect(screen.queryByText(/快捷回复已发送/)).toBeNull();
  });

  it('a macro refused while the customer has unread messages shows the core’s reason and keeps the draft', async () => {
    const reason = {
      zh: '客户有 1 条未读消息，不能用此快捷回复直接结束会话；请先阅读',
      en: 'The customer has 1 unread message(s); read them before ending the chat with this macro',
    };
    const bridge = scripted()
      .answer('cannedReplies.list', () => ({ items: [MACRO] }))
      .answer('chat.send', () => {
        throw new BridgeCallError(bridgeProblem('case_action_unavailable', reason));
      });
    renderChats(bridge);
    await screen.findByTestId('composer');
    await pickCanned(33, 'done');
    fireEvent.keyDown(composer(), { key: 'Enter' });
    expect((await screen.findByTestId('composer-problem')).textContent).toBe(reason.zh);
    expect(bridge.callsOf('chat.send')).toHaveLength(1);
    // The draft, and the macro it came from, are kept: sending again sends the macro again.
    expect(composer().value).toBe('退款已原路退回，请注意查收。');
    expect(screen.getByTestId('composer-macro').textContent).toContain('结束会话');
    expect(sendButton().textContent).toBe('发送并设为已解决');
    expect(screen.queryByText(/快捷回复已发送/)).toBeNull();
  });
});
