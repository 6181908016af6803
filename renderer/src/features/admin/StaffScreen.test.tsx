import { BridgeCallError } from '@jiangxin/shared/bridge';
import type { StaffMember } from '@jiangxin/shared/ops/staff';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithConsole, ScriptedBridge } from '../../test/render';
import { StaffScreen } from './StaffScreen';
import { adminSession } from './testkit';

const member = (id: number, extra: Partial<StaffMember> = {}): StaffMember => ({
  id,
  username: `staff${id}`,
  nickname: `员工${id}`,
  roles: ['support'],
  active: true,
  disabledAt: null,
  lastLoginAt: null,
  createdAt: '2026-11-01T00:00:00.000Z',
  version: 3,
  ...extra,
});
const me = member(1, { username: 'zhou_admin', nickname: '管理员老周', roles: ['admin'] });
const other = member(2, { nickname: '客服小陈', roles: ['support', 'admin'], version: 5 });

function scripted() {
  return new ScriptedBridge().answer('staff.list', () => ({ items: [me, other] }));
}

describe('StaffScreen', () => {
  it('lists staff with roles and state; my own admin role and disable control are disabled with the reason', async () => {
    const bridge = scripted();
    renderWithConsole(<StaffScreen session={adminSession} />, { bridge });
    const mine = await screen.findByTestId('staff-row-1');
    expect(screen.getByTestId('staff-table').contains(mine)).toBe(true);
    expect(mine.textContent).toContain('（我）');
    expect(mine.textContent).toContain('管理员');
    expect(mine.textContent).toContain('从未登录');
    expect((within(mine).getByTestId('staff-disable-1') as HTMLButtonElement).disabled).toBe(true);
    expect(mine.textContent).toContain('不能停用自己的账号');
    expect(
      (within(screen.getByTestId('staff-row-2')).getByTestId('staff-disable-2') as HTMLButtonElement)
        .disabled,
    ).toBe(false);

    fireEvent.click(within(mine).getByTestId('staff-roles-1'));
    const dialog = await screen.findByRole('dialog', { name: '修改 管理员老周 的角色' });
    const adminBox = within(dialog).getByRole('checkbox', { name: '管理员' }) as HTMLInputElement;
    expect(adminBox.checked).toBe(true);
    expect(adminBox.disabled).toBe(true);
    expect(within(dialog).getByTestId('staff-own-admin-reason').textContent).toContain(
      '不能移除自己的管理员角色',
    );
    // Other roles stay changeable: add support to myself.
    const supportBox = within(dialog).getByRole('checkbox', { name: '客服' }) as HTMLInputElement;
    expect(supportBox.disabled).toBe(false);
  });

  it('someone else’s admin role can be changed; the roles are sent with the version', async () => {
    const bridge = scripted().answer('staff.setRoles', (args) => ({
      ...other,
      roles: args.roles,
      version: 6,
    }));
    renderWithConsole(<StaffScreen session={adminSession} />, { bridge });
    fireEvent.click(await screen.findByTestId('staff-roles-2'));
    const dialog = await screen.findByRole('dialog', { name: '修改 客服小陈 的角色' });
    const adminBox = within(dialog).getByRole('checkbox', { name: '管理员' }) as HTMLInputElement;
    expect(adminBox.disabled).toBe(false);
    fireEvent.click(adminBox);
    fireEvent.click(within(dialog).getByRole('checkbox', { name: '财务' }));
    fireEvent.click(screen.getByTestId('staff-roles-save'));
    await waitFor(() => expect(bridge.callsOf('staff.setRoles')).toHaveLength(1));
    expect(bridge.callsOf('staff.setRoles')[0]).toEqual({ id: 2, roles: ['finance', 'support'], version: 5 });
    expect(await screen.findByText('已更新 客服小陈 的角色')).toBeTruthy();
  });

  it('refuses a short password in the create form and sends nothing; a valid form creates the account', async () => {
    const bridge = scripted().answer('staff.create', (args) =>
      member(9, { username: args.username, nickname: args.nickname, roles: args.roles, version: 1 }),
    );
    renderWithConsole(<StaffScreen session={adminSession} />, { bridge });
    await screen.findByTestId('staff-row-1');
    fireEvent.click(screen.getByTestId('staff-create'));
    const dialog = await screen.findByRole('dialog', { name: '新建员工账号' });
    fireEvent.change(within(dialog).getByLabelText('用户名'), { target: { value: 'li_finance' } });
    fireEvent.change(within(dialog).getByLabelText('昵称'), { target: { value: '李会计' } });
    fireEvent.change(within(dialog).getByLabelText('初始密码'), { target: { value: 'short' } });
    fireEvent.change(within(dialog).getByLabelText('确认密码'), { target: { value: 'short' } });
    fireEvent.click(within(dialog).getByRole('checkbox', { name: '财务' }));
    fireEvent.click(screen.getByTestId('staff-form-submit'));

    expect(await within(dialog).findByText('密码至少需要 8 位。')).toBeTruthy();
    expect(within(dialog).getByLabelText('初始密码').getAttribute('aria-invalid')).toBe('true');
    expect(bridge.callsOf('staff.create')).toHaveLength(0);

    fireEvent.change(within(dialog).getByLabelText('初始密码'), { target: { value: 'long-enough-1' } });
    fireEvent.change(within(dialog).getByLabelText('确认密码'), { target: { value: 'long-enough-1' } });
    fireEvent.click(screen.getByTestId('staff-form-submit'));
    await waitFor(() => expect(bridge.callsOf('staff.create')).toHaveLength(1));
    expect(bridge.callsOf('staff.create')[0]).toEqual({
      username: 'li_finance',
      nickname: '李会计',
      password: 'long-enough-1',
      roles: ['finance'],
    });
    expect(await screen.findByText('已创建员工账号 李会计')).toBeTruthy();
  });

  it('disables after a confirmation and shows the core’s refusal in the person’s language', async () => {
    let refuse = true;
    const bridge = scripted().answer('staff.disable', (args) => {
      if (refuse) {
        throw new BridgeCallError({
          code: 'staff_last_admin',
          status: 409,
          message: {
            zh: '至少需要保留一名启用状态的管理员',
            en: 'At least one active administrator must remain',
          },
          extra: {},
        });
      }
      return { ...other, active: false, version: args.version + 1 };
    });
    renderWithConsole(<StaffScreen session={adminSession} />, { bridge });
    fireEvent.click(await screen.findByTestId('staff-disable-2'));
    // Nothing is sent before the confirmation.
    expect(bridge.callsOf('staff.disable')).toHaveLength(0);
    const confirm = await screen.findByText('停用 客服小陈？其登录将立即失效。');
    const pop = confirm.closest('.ant-popover') as HTMLElement;
    fireEvent.click(within(pop).getByRole('button', { name: /停\s*用/ }));
    await waitFor(() => expect(bridge.callsOf('staff.disable')).toEqual([{ id: 2, version: 5 }]));
    expect(await screen.findByText('至少需要保留一名启用状态的管理员')).toBeTruthy();

    refuse = false;
    fireEvent.click(screen.getByTestId('staff-disable-2'));
    const pop2 = (await screen.findAllByText('停用 客服小陈？其登录将立即失效。'))
      .at(-1)!
      .closest('.ant-popover') as HTMLElement;
    fireEvent.click(within(pop2).getByRole('button', { name: /停\s*用/ }));
    expect(await screen.findByText('已停用 客服小陈')).toBeTruthy();
  });
});
