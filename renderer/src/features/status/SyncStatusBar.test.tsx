import type { SyncStatus } from '@jiangxin/shared/bridge';
import { act, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithConsole, ScriptedBridge } from '../../test/render';
import { SyncStatusBar } from './SyncStatusBar';

const status = (patch: Partial<SyncStatus>): SyncStatus => ({
  state: 'online',
  lastSeq: 42,
  headSeq: 42,
  behindBy: 0,
  snapshot: null,
  lastSyncedAt: '2026-12-05T08:00:00.000Z',
  problem: null,
  ...patch,
});

describe('SyncStatusBar', () => {
  it('says 服务暂不可用 with the core’s own words while its database is down, not 离线', async () => {
    const bridge = new ScriptedBridge().answer('sync.status', () => status({}));
    renderWithConsole(<SyncStatusBar />, { bridge });
    expect((await screen.findByTestId('sync-label')).textContent).toBe('在线');

    act(() =>
      bridge.emit(
        'sync.status',
        status({
          state: 'unavailable',
          problem: {
            zh: '服务暂不可用，请稍后再试',
            en: 'The service is temporarily unavailable; try again shortly',
          },
        }),
      ),
    );
    expect(screen.getByTestId('sync-state').getAttribute('data-state')).toBe('unavailable');
    expect(screen.getByTestId('sync-label').textContent).toBe('服务暂不可用');
    expect(screen.getByTestId('sync-problem').textContent).toBe('服务暂不可用，请稍后再试');

    act(() => bridge.emit('sync.status', status({ state: 'offline', problem: { zh: '无法连接', en: 'x' } })));
    expect(screen.getByTestId('sync-label').textContent).toBe('离线');
  });

  it('in English: “Service unavailable”', async () => {
    const bridge = new ScriptedBridge().answer('sync.status', () =>
      status({
        state: 'unavailable',
        problem: {
          zh: '服务暂不可用，请稍后再试',
          en: 'The service is temporarily unavailable; try again shortly',
        },
      }),
    );
    renderWithConsole(<SyncStatusBar />, { bridge, locale: 'en' });
    expect((await screen.findByTestId('sync-label')).textContent).toBe('Service unavailable');
    expect(screen.getByTestId('sync-problem').textContent).toBe(
      'The service is temporarily unavailable; try again shortly',
    );
  });
});
