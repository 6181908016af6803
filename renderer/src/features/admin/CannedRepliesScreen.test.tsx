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
