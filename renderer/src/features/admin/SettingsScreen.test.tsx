import { DEFAULT_OPS_SETTINGS, type OpsSettings } from '@jiangxin/shared/ops/settings';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithConsole, ScriptedBridge } from '../../test/render';
import { parseYuanInput, SettingsScreen } from './SettingsScreen';
import { adminSession } from './testkit';

const loaded: OpsSettings = {
  ...DEFAULT_OPS_SETTINGS,
  payoutSecondApprovalFen: 200_000,
  slaMinutes: { ...DEFAULT_OPS_SETTINGS.slaMinutes },
};

function scripted() {
  return new ScriptedBridge()
    .answer('settings.get', () => loaded)
    .answer('settings.update', (patch) => ({
      ...loaded,
      ...(patch as Partial<OpsSettings>),
      slaMinutes: { ...loaded.slaMinutes, ...(patch.slaMinutes ?? {}) },
    }));
}

describe('SettingsScreen', () => {
  it('converts ¥5,000.00 to 500000 fen and sends only what changed; the save is confirmed', async () => {
    const bridge = scripted();
    renderWithConsole(<SettingsScreen session={adminSession} />, { bridge });
    const payout = (await screen.findByLabelText('提现复核金额')) as HTMLInputElement;
    expect(payout.value).toBe('2,000.00');
    expect(screen.getByTestId('settings-form').contains(screen.getByTestId('settings-save'))).toBe(true);
    fireEvent.change(payout, { target: { value: '¥5,000.00' } });
    // Support chats: 30 minutes → 1 hour 15 minutes.
    fireEvent.change(screen.getByLabelText('客服会话：小时'), { target: { value: '1' } });
    fireEvent.change(screen.getByLabelText('客服会话：分钟'), { target: { value: '15' } });
    fireEvent.click(screen.getByTestId('settings-save'));

    await waitFor(() => expect(bridge.callsOf('settings.update')).toHaveLength(1));
    expect(bridge.callsOf('settings.update')[0]).toEqual({
      payoutSecondApprovalFen: 500_000,
      slaMinutes: { support_chat: 75 },
    });
    expect((await screen.findByTestId('settings-notice')).textContent).toContain('已保存');
    expect((screen.getByLabelText('提现复核金额') as HTMLInputElement).value).toBe('5,000.00');
  });

  it('names bad amounts, a minimum above the maximum and an impossible SLA, and sends nothing', async () => {
    const bridge = scripted();
    renderWithConsole(<SettingsScreen session={adminSession} />, { bridge });
    fireEvent.change(await screen.findByLabelText('纠纷复核金额'), { target: { value: '5000.005' } });
    fireEvent.change(screen.getByLabelText('最低提现金额'), { target: { value: '60,000' } });
    fireEvent.change(screen.getByLabelText('服务审核：分钟'), { target: { value: '75' } });
    fireEvent.click(screen.getByTestId('settings-save'));
    expect(await screen.findByText(/请输入金额（元），最多两位小数/)).toBeTruthy();
    expect(screen.getByText('最低提现金额不能高于最高提现金额。')).toBeTruthy();
    expect(screen.getByText(/服务审核的时限须为整数小时和分钟/)).toBeTruthy();
    expect(screen.getByLabelText('纠纷复核金额').getAttribute('aria-invalid')).toBe('true');
    expect(bridge.callsOf('settings.update')).toHaveLength(0);
  });

  it('says so when nothing changed, without calling the core', async () => {
    const bridge = scripted();
    renderWithConsole(<SettingsScreen session={adminSession} />, { bridge });
    await screen.findByTestId('settings-form');
    fireEvent.click(screen.getByTestId('settings-save'));
    expect((await screen.findByTestId('settings-notice')).textContent).toContain('没有修改');
    expect(bridge.callsOf('settings.update')).toHaveLength(0);
  });
});

describe('parseYuanInput', () => {
  it('reads yuan exactly, with or without ¥ and thousands separators, and refuses the rest', () => {
    expect(parseYuanInput('¥5,000.00')).toBe(500_000);
    expect(parseYuanInput('5000')).toBe(500_000);
    expect(parseYuanInput(' ￥ 0.1 ')).toBe(10);
    expect(parseYuanInput('1,234,567.89')).toBe(123_456_789);
    for (const bad of ['5,00.00', '1e3', '-1', '1.005', '', '5000.']) expect(parseYuanInput(bad)).toBeNull();
  });
});
