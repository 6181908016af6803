import { BridgeCallError, bridgeProblem } from '@jiangxin/shared/bridge';
import { beforeAll, describe, expect, it, vi } from 'vitest';

/**
 * The preload script against a stand-in for the `electron` module (the real one needs the Electron
 * binary): what it exposes to the page and how it turns IPC replies into results and rejections.
 */
const fake = vi.hoisted(() => {
  const exposed: Record<string, any> = {};
  const ipcListeners = new Map<string, Set<(...args: any[]) => void>>();
  const invoke = vi.fn();
  return {
    exposed,
    invoke,
    emit: (channel: string, message: unknown) => {
      for (const l of ipcListeners.get(channel) ?? []) l({}, message);
    },
    module: {
      contextBridge: {
        exposeInMainWorld: (key: string, api: unknown) => {
          exposed[key] = api;
        },
      },
      ipcRenderer: {
        invoke,
        on: (channel: string, l: (...args: any[]) => void) => {
          if (!ipcListeners.has(channel)) ipcListeners.set(channel, new Set());
          ipcListeners.get(channel)!.add(l);
        },
        removeListener: (channel: string, l: (...args: any[]) => void) =>
          ipcListeners.get(channel)?.delete(l),
      },
    },
  };
});
vi.mock('electron', () => fake.module);

beforeAll(async () => {
  await import('../preload/index');
});

describe('preload', () => {
  it('exposes the bridge and the navigation hook, never ipcRenderer', () => {
    expect(Object.keys(fake.exposed).sort()).toEqual(['jiangxin', 'jiangxinDesktop']);
    expect(Object.keys(fake.exposed['jiangxin']).sort()).toEqual(['call', 'on']);
    expect(Object.keys(fake.exposed['jiangxinDesktop'])).toEqual(['onNavigate']);
    for (const api of Object.values(fake.exposed))
      expect(Object.values(api)).not.toContain(fake.module.ipcRenderer);
  });

  it('sends calls over bridge:call and resolves with the result', async () => {
    fake.invoke.mockResolvedValueOnce({ ok: true, result: { coreUrl: 'http://x', locale: 'zh-CN' } });
    await expect(fake.exposed['jiangxin'].call('config.get', {})).resolves.toEqual({
      coreUrl: 'http://x',
      locale: 'zh-CN',
    });
    expect(fake.invoke).toHaveBeenLastCalledWith('bridge:call', { method: 'config.get', args: {} });
  });

  it('rejects a refusal with the whole problem, as plain data that survives the context bridge', async () => {
    const problem = bridgeProblem(
      'conflict',
      { zh: '案件已被他人认领', en: 'Claimed by someone else' },
      { holder: 3 },
    );
    fake.invoke.mockResolvedValueOnce({ ok: false, problem });
    const error = await fake.exposed['jiangxin']
      .call('cases.claim', { caseId: 1, version: 1 })
      .catch((e: any) => e);
    expect(error).toEqual({
      name: 'BridgeCallError',
      message: 'Claimed by someone else',
      code: 'conflict',
      problem,
    });
    expect(Object.getPrototypeOf(error)).toBe(Object.prototype);
    expect(new BridgeCallError(error.problem).problem.extra).toEqual({ holder: 3 });
  });

  it('delivers engine events by name until unsubscribed', () => {
    const seen: unknown[] = [];
    const off = fake.exposed['jiangxin'].on('counts.changed', (p: unknown) => seen.push(p));
    fake.emit('bridge:event', { event: 'counts.changed', payload: { assignedOpen: 1, unreadChats: 2 } });
    fake.emit('bridge:event', { event: 'sync.status', payload: { state: 'online' } });
    off();
    fake.emit('bridge:event', { event: 'counts.changed', payload: { assignedOpen: 9, unreadChats: 9 } });
    expect(seen).toEqual([{ assignedOpen: 1, unreadChats: 2 }]);
  });

  it('keeps delivering to other listeners when one throws', () => {
    const seen: unknown[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const offA = fake.exposed['jiangxin'].on('notify', () => {
      throw new Error('boom');
    });
    const offB = fake.exposed['jiangxin'].on('notify', (p: unknown) => seen.push(p));
    fake.emit('bridge:event', { event: 'notify', payload: { kind: 'chat_message' } });
    expect(seen).toHaveLength(1);
    expect(spy).toHaveBeenCalledOnce();
    offA();
    offB();
    spy.mockRestore();
  });

  it('passes navigation requests to the page', () => {
    const targets: unknown[] = [];
    const off = fake.exposed['jiangxinDesktop'].onNavigate((t: unknown) => targets.push(t));
    fake.emit('app:navigate', { caseId: 12 });
    off();
    fake.emit('app:navigate', { caseId: 13 });
    expect(targets).toEqual([{ caseId: 12 }]);
  });
});
