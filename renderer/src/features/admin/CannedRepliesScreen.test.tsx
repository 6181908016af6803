import type { CannedReply } from '@jiangxin/shared/ops/support';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithConsole, ScriptedBridge } from '../../test/render';
import { CannedRepliesScreen } from './CannedRepliesScreen';
import { adminSession } from './testkit';

const refund: CannedReply = {
  id: 4,
  title: '退款说明',
  bodyZh: '{{user.nickname}}您好，订单 {{order.number}} 的退款已提交。',
  bodyEn: 'Hello {{user.nickname}}, the refund of {{order.number}} is on its way.',
  shortcut: 'refund',
  createdBy: 1,
  createdAt: '2026-11-20T00:00:00.000Z',
  updatedAt: '2026-11-21T00:00:00.000Z',
};

function scripted() {
  return new ScriptedBridge()
    .answer('cannedReplies.list', (args) => ({ items: args.q === '没有' ? [] : [refund] }))
    .answer('cannedReplies.create', (args) => ({
      ...refund,
      id: 5,
      title: args.title,
      bodyZh: args.bodyZh,
      bodyEn: args.bodyEn ?? '',
      shortcut: args.shortcut ?? null,
      effects: {
        status: args.effects?.status ?? null,
        priority: args.effects?.priority ?? null,
        addTags: args.effects?.addTags ?? [],
      },
    }))
    .answer('cannedReplies.update', (args) => ({ ...refund, ...args }) as CannedReply)
    .answer('cannedReplies.delete', () => ({ ok: true as const }));
}

describe('CannedRepliesScreen', () => {
  it('refuses a reply with an unknown variable, naming it, and sends nothing; a valid one is created', async () => {
    const bridge = scripted();
    renderWithConsole(<CannedRepliesScreen session={adminSession} />, { bridge });
    await screen.findByTestId('canned-row-4');
    fireEvent.click(screen.getByTestId('canned-create'));
    expect(screen.getByTestId('canned-table').contains(screen.getByTestId('canned-row-4'))).toBe(true);
    const dialog = await screen.findByRole('dialog', { name: '新建快捷回复' });
    fireEvent.change(within(dialog).getByLabelText('标题'), { target: { value: '问候' } });
    fireEvent.change(within(dialog).getByLabelText('中文内容'), {
      target: { value: '您好 {{user.nickname}}，我是 {{unknown.var}}' },
    });
    fireEvent.click(screen.getByTestId('canned-form-submit'));

    const error = await within(dialog).findByText(/不支持的变量：\{\{unknown\.var\}\}/);
    expect(error.textContent).not.toContain('{{user.nickname}}。');
    expect(error.textContent).toContain('可用变量：{{user.nickname}}、{{order.number}}、{{agent.nickname}}');
    expect(within(dialog).getByLabelText('中文内容').getAttribute('aria-invalid')).toBe('true');
    expect(bridge.callsOf('cannedReplies.create')).toHaveLength(0);

    fireEvent.change(within(dialog).getByLabelText('中文内容'), {
      target: { value: '您好 {{ user.nickname }}，我是 {{agent.nickname}}' },
    });
    fireEvent.change(within(dialog).getByLabelText('快捷指令（可选）'), { target: { value: 'hi' } });
    fireEvent.click(screen.getByTestId('canned-form-submit'));
    await waitFor(() => expect(bridge.callsOf('cannedReplies.create')).toHaveLength(1));
    expect(bridge.callsOf('cannedReplies.create')[0]).toEqual({
      title: '问候',
      bodyZh: '您好 {{ user.nickname }}，我是 {{agent.nickname}}',
      bodyEn: '',
      shortcut: 'hi',
      effects: { status: null, priority: null, addTags: [] },
    });
    expect(await screen.findByText('已保存快捷回复“问候”')).toBeTruthy();
  });

  it('checks the English text too, edits with the id and deletes after a confirmation', async () => {
    const bridge = scripted();
    renderWithConsole(<CannedRepliesScreen session={adminSession} />, { bridge });
    fireEvent.click(await screen.findByTestId('canned-edit-4'));
    const dialog = await screen.findByRole('dialog', { name: '编辑快捷回复' });
    expect((within(dialog).getByLabelText('标题') as HTMLInputElement).value).toBe('退款说明');
    fireEvent.change(within(dialog).getByLabelText('英文内容（可选）'), {
      target: { value: 'Hi {{order.amount}}' },
    });
    fireEvent.click(screen.getByTestId('canned-form-submit'));
    expect(await within(dialog).findByText(/^不支持的变量：\{\{order\.amount\}\}/)).toBeTruthy();
    expect(bridge.callsOf('cannedReplies.update')).toHaveLength(0);

    fireEvent.change(within(dialog).getByLabelText('英文内容（可选）'), {
      target: { value: 'Hi {{user.nickname}}' },
    });
    fireEvent.change(within(dialog).getByLabelText('快捷指令（可选）'), { target: { value: '' } });
    fireEvent.click(screen.getByTestId('canned-form-submit'));
    await waitFor(() => expect(bridge.callsOf('cannedReplies.update')).toHaveLength(1));
    expect(bridge.callsOf('cannedReplies.update')[0]).toEqual({
      id: 4,
      title: '退款说明',
      bodyZh: refund.bodyZh,
      bodyEn: 'Hi {{user.nickname}}',
      shortcut: null,
      effects: { status: null, priority: null, addTags: [] },
    });

    fireEvent.click(await screen.findByTestId('canned-delete-4'));
    expect(bridge.callsOf('cannedReplies.delete')).toHaveLength(0);
    const pop = (await screen.findAllByText('删除“退款说明”'))
      .map((el) => el.closest('.ant-popover'))
      .find(Boolean) as HTMLElement;
    fireEvent.click(within(pop).getByRole('button', { name: /删\s*除/ }));
    await waitFor(() => expect(bridge.callsOf('cannedReplies.delete')).toEqual([{ id: 4 }]));
    expect(await screen.findByText('已删除快捷回复“退款说明”')).toBeTruthy();
  });

  it('searches through the core', async () => {
    const bridge = scripted();
    renderWithConsole(<CannedRepliesScreen session={adminSession} />, { bridge });
    await screen.findByTestId('canned-row-4');
    const search = screen.getByRole('searchbox', { name: '搜索快捷回复（标题、内容）' });
    fireEvent.change(search, { target: { value: '没有' } });
    fireEvent.keyDown(search, { key: 'Enter', code: 'Enter', keyCode: 13 });
    await waitFor(() => expect(bridge.callsOf('cannedReplies.list').at(-1)).toEqual({ q: '没有' }));
    expect(await screen.findByText('没有快捷回复')).toBeTruthy();
    expect(screen.queryByTestId('canned-row-4')).toBeNull();
  });
});

const closing: CannedReply = {
  ...refund,
  id: 6,
  title: '结束语',
  bodyZh: '问题已解决，祝您愉快！',
  bodyEn: '',
  shortcut: 'bye',
  effects: { status: 'resolved', priority: 2, addTags: ['退款', '已处理'] },
};

/** Types a tag into the tags field and presses Enter (antd's Select in tags mode). */
function addTag(dialog: HTMLElement, tag: string, label = '添加标签') {
  const input = within(dialog).getByLabelText(label);
  fireEvent.change(input, { target: { value: tag } });
  fireEvent.keyDown(input, { key: 'Enter', code: 'Enter', keyCode: 13 });
}

describe('CannedRepliesScreen: macros (回复后)', () => {
  it('shows each macro’s effects as chips in the list; a plain reply has none', async () => {
    const bridge = scripted().answer('cannedReplies.list', () => ({ items: [refund, closing] }));
    renderWithConsole(<CannedRepliesScreen session={adminSession} />, { bridge });
    const chips = await screen.findByTestId('canned-effects-6');
    expect([...chips.querySelectorAll('.ant-tag')].map((t) => t.textContent)).toEqual([
      '结束会话',
      '优先级→高',
      '+退款',
      '+已处理',
    ]);
    expect(screen.queryByTestId('canned-effects-4')).toBeNull();
    expect(screen.getByTestId('canned-row-6').textContent).not.toMatch(/resolved|waiting/);
  });

  it('sends the status, priority and tags set under 回复后 with the new reply', async () => {
    const bridge = scripted();
    renderWithConsole(<CannedRepliesScreen session={adminSession} />, { bridge });
    await screen.findByTestId('canned-row-4');
    fireEvent.click(screen.getByTestId('canned-create'));
    const dialog = await screen.findByRole('dialog', { name: '新建快捷回复' });
    fireEvent.change(within(dialog).getByLabelText('标题'), { target: { value: '退款完成' } });
    fireEvent.change(within(dialog).getByLabelText('中文内容'), { target: { value: '退款已到账。' } });
    fireEvent.click(within(dialog).getByRole('radio', { name: '已解决（结束会话）' }));
    fireEvent.click(within(dialog).getByRole('radio', { name: '紧急' }));
    addTag(dialog, '退款');
    addTag(dialog, '已处理');
    fireEvent.click(screen.getByTestId('canned-form-submit'));
    await waitFor(() => expect(bridge.callsOf('cannedReplies.create')).toHaveLength(1));
    expect(bridge.callsOf('cannedReplies.create')[0]).toEqual({
      title: '退款完成',
      bodyZh: '退款已到账。',
      bodyEn: '',
      shortcut: null,
      effects: { status: 'resolved', priority: 3, addTags: ['退款', '已处理'] },
    });
  });

  it('edits a macro’s effects: the form starts from them and “不改变” clears them', async () => {
    const bridge = scripted().answer('cannedReplies.list', () => ({ items: [closing] }));
    renderWithConsole(<CannedRepliesScreen session={adminSession} />, { bridge });
    fireEvent.click(await screen.findByTestId('canned-edit-6'));
    const dialog = await screen.findByRole('dialog', { name: '编辑快捷回复' });
    const resolved = within(dialog).getByRole('radio', { name: '已解决（结束会话）' }) as HTMLInputElement;
    expect(resolved.checked).toBe(true);
    expect((within(dialog).getByRole('radio', { name: '高' }) as HTMLInputElement).checked).toBe(true);
    expect(within(screen.getByTestId('canned-form-effects')).getByText('退款')).toBeTruthy();
    const keeps = within(dialog).getAllByRole('radio', { name: '不改变' });
    for (const keep of keeps) fireEvent.click(keep);
    fireEvent.click(screen.getByTestId('canned-form-submit'));
    await waitFor(() => expect(bridge.callsOf('cannedReplies.update')).toHaveLength(1));
    expect(bridge.callsOf('cannedReplies.update')[0]).toMatchObject({
      id: 6,
      effects: { status: null, priority: null, addTags: ['退款', '已处理'] },
    });
  });

  it('a tag with a comma, or too long, is named in the error and nothing is sent', async () => {
    const bridge = scripted();
    renderWithConsole(<CannedRepliesScreen session={adminSession} />, { bridge });
    await screen.findByTestId('canned-row-4');
    fireEvent.click(screen.getByTestId('canned-create'));
    const dialog = await screen.findByRole('dialog', { name: '新建快捷回复' });
    fireEvent.change(within(dialog).getByLabelText('标题'), { target: { value: '物流' } });
    fireEvent.change(within(dialog).getByLabelText('中文内容'), { target: { value: '已催促发货。' } });
    addTag(dialog, '退款,物流');
    fireEvent.click(screen.getByTestId('canned-form-submit'));
    const error = await screen.findByTestId('canned-form-tags-error');
    expect(error.textContent).toBe('标签“退款,物流”含有逗号；每个标签单独输入并按 Enter。');
    expect(within(dialog).getByLabelText('添加标签').getAttribute('aria-invalid')).toBe('true');
    expect(bridge.callsOf('cannedReplies.create')).toHaveLength(0);

    // Removing it clears the error; a tag over 20 characters is refused the same way.
    fireEvent.click(within(screen.getByTestId('canned-form-effects')).getByLabelText('close'));
    await waitFor(() => expect(screen.queryByTestId('canned-form-tags-error')).toBeNull());
    addTag(dialog, '这是一个非常非常非常非常非常长的标签名字啊');
    fireEvent.click(screen.getByTestId('canned-form-submit'));
    expect((await screen.findByTestId('canned-form-tags-error')).textContent).toBe(
      '标签“这是一个非常非常非常非常非常长的标签名字啊”太长：最多 20 个字。',
    );
    expect(bridge.callsOf('cannedReplies.create')).toHaveLength(0);
  });

  it('says the problem in English too', async () => {
    const bridge = scripted();
    renderWithConsole(<CannedRepliesScreen session={adminSession} />, { bridge, locale: 'en' });
    await screen.findByTestId('canned-row-4');
    fireEvent.click(screen.getByTestId('canned-create'));
    const dialog = await screen.findByRole('dialog', { name: 'New canned reply' });
    fireEvent.change(within(dialog).getByLabelText('Title'), { target: { value: 'Tags' } });
    fireEvent.change(within(dialog).getByLabelText('Chinese text'), { target: { value: '好的' } });
    for (let i = 1; i <= 11; i++) addTag(dialog, `t${i}`, 'Add tags');
    fireEvent.click(screen.getByTestId('canned-form-submit'));
    expect((await screen.findByTestId('canned-form-tags-error')).textContent).toBe(
      'At most 10 tags; there are 11.',
    );
    expect(bridge.callsOf('cannedReplies.create')).toHaveLength(0);
  });
});
