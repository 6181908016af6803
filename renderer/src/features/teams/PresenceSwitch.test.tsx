import { BridgeCallError, bridgeProblem } from '@jiangxin/shared/bridge';
import type { MyPresence } from '@jiangxin/shared/ops/routing';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithConsole, ScriptedBridge } from '../../test/render';
import { PresenceSwitch } from './PresenceSwitch';

const presence = (extra: Partial<MyPresence> = {}): MyPresence => ({
  status: 'online',
  changedAt: '2026-12-05T08:00:00.000Z',
  teams: [{ id: 7, name: '审核组' }],
  reassigned: 0,
  received: 0,
  ...extra,
});

/** Loaded (enabled) and showing this status. */
const ready = () =>
  document.querySelector('[data-testid="presence-switch"] .ant-segmented-disabled') === null;
const selected = () =>
  document.querySelector('[data-testid="presence-switch"] .ant-segmented-item-selected')?.textContent;

describe('PresenceSwitch', () => {
  it('shows my status in words and going away says how many cases were handed on', async () => {
    const bridge = new ScriptedBridge()
      .answer('presence.get', () => presence())
      .answer('presence.set', (args) => presence({ status: args.status, reassigned: 2 }));
    renderWithConsole(<PresenceSwitch />, { bridge });
    await waitFor(() => expect(ready() && selected()).toBe('在线'));
    fireEvent.click(screen.getByTestId('presence-away'));
    await waitFor(() => expect(bridge.callsOf('presence.set')).toEqual([{ status: 'away' }]));
    await waitFor(() => expect(selected()).toBe('离开'));
    expect(screen.getByTestId('presence-said').textContent).toBe('已设为离开，2 件未处理的工单已转出');
  });

  it('coming online says how many waiting cases the queue handed me', async () => {
    const bridge = new ScriptedBridge()
      .answer('presence.get', () => presence({ status: 'away' }))
      .answer('presence.set', (args) => presence({ status: args.status, received: 3 }));
    renderWithConsole(<PresenceSwitch />, { bridge });
    await waitFor(() => expect(ready() && selected()).toBe('离开'));
    fireEvent.click(screen.getByTestId('presence-online'));
    await waitFor(() => expect(selected()).toBe('在线'));
    expect(screen.getByTestId('presence-said').textContent).toBe('已设为在线，已为你分配 3 件排队中的工单');
  });

  it('keeps the status and shows why when the core cannot be reached', async () => {
    const bridge = new ScriptedBridge()
      .answer('presence.get', () => presence({ status: 'away' }))
      .answer('presence.set', () => {
        throw new BridgeCallError(
          bridgeProblem('offline', { zh: '未连接平台服务', en: 'Not connected to the platform' }),
        );
      });
    renderWithConsole(<PresenceSwitch />, { bridge, locale: 'en' });
    await waitFor(() => expect(ready() && selected()).toBe('Away'));
    fireEvent.click(screen.getByTestId('presence-online'));
    await waitFor(() => expect(bridge.callsOf('presence.set')).toEqual([{ status: 'online' }]));
    expect((await screen.findByTestId('presence-error')).textContent).toBe('Not connected to the platform');
    expect(selected()).toBe('Away');
  });

  it('is not shown to a member of no team, for whom nothing is routed', async () => {
    const bridge = new ScriptedBridge().answer('presence.get', () => presence({ teams: [] }));
    renderWithConsole(<PresenceSwitch />, { bridge });
    await waitFor(() => expect(bridge.callsOf('presence.get').length).toBe(1));
    await waitFor(() => expect(screen.queryByTestId('presence-switch')).toBeNull());
  });
});
