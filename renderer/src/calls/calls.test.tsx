import { BridgeCallError, bridgeProblem } from '@jiangxin/shared/bridge';
import { act, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import { BridgeProvider } from '../bridge';
import { alwaysOpen } from '../bridge/connection';
import { type Locale, LocaleContext } from '../i18n';
import { ScriptedBridge } from '../test/render';
import { useAction, useBridgeMutation, useBridgeQuery } from '.';

const refusal = bridgeProblem('staff_version_conflict', {
  zh: '已被他人修改',
  en: 'Changed by someone else',
});

function wrapper(bridge: ScriptedBridge, locale: Locale = 'zh-CN') {
  return ({ children }: { children: ReactNode }) => (
    <BridgeProvider bridge={bridge} connection={alwaysOpen}>
      <LocaleContext value={locale}>{children}</LocaleContext>
    </BridgeProvider>
  );
}

/** A promise the test settles when it wants. */
function later<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('useBridgeQuery', () => {
  it('is loading until the answer, then holds it; reload asks again and keeps it meanwhile', async () => {
    let n = 0;
    const bridge = new ScriptedBridge().answer('outbox.list', () => ({ items: [], n: ++n }) as never);
    const { result } = renderHook(() => useBridgeQuery('outbox.list', {}), { wrapper: wrapper(bridge) });
    expect(result.current.loading).toBe(true);
    expect(result.current.data).toBeUndefined();
    await waitFor(() => expect(result.current.loading).toBe(false));
    expect(result.current.data).toMatchObject({ n: 1 });
    act(() => result.current.reload());
    expect(result.current.loading).toBe(true);
    expect(result.current.data).toMatchObject({ n: 1 });
    await waitFor(() => expect(result.current.data).toMatchObject({ n: 2 }));
    expect(bridge.callsOf('outbox.list')).toHaveLength(2);
  });

  it('gives the refusal in the person’s language, and clears it with the next answer', async () => {
    let fail = true;
    const bridge = new ScriptedBridge().answer('staff.list', () => {
      if (fail) throw new BridgeCallError(refusal);
      return { items: [] };
    });
    const { result } = renderHook(() => useBridgeQuery('staff.list', {}), { wrapper: wrapper(bridge, 'en') });
    await waitFor(() => expect(result.current.error).toBe('Changed by someone else'));
    expect(result.current.problem?.code).toBe('staff_version_conflict');
    fail = false;
    act(() => result.current.reload());
    await waitFor(() => expect(result.current.data).toEqual({ items: [] }));
    expect(result.current.error).toBeNull();
  });

  it('never lets an older read overwrite a newer one, and starts empty for another key', async () => {
    const answers = new Map<number, ReturnType<typeof later<{ userId: number }>>>();
    const bridge = new ScriptedBridge().answer('users.context', ({ userId }) => {
      const pending = later<{ userId: number }>();
      answers.set(userId, pending);
      return pending.promise as never;
    });
    const { result, rerender } = renderHook(({ userId }) => useBridgeQuery('users.context', { userId }), {
      wrapper: wrapper(bridge),
      initialProps: { userId: 1 },
    });
    await waitFor(() => expect(answers.has(1)).toBe(true));
    rerender({ userId: 2 });
    await waitFor(() => expect(answers.has(2)).toBe(true));
    await act(async () => answers.get(2)!.resolve({ userId: 2 }));
    await act(async () => answers.get(1)!.resolve({ userId: 1 }));
    expect(result.current.data).toEqual({ userId: 2 });
    rerender({ userId: 3 });
    expect(result.current.data).toBeUndefined();
    expect(result.current.loading).toBe(true);
  });

  it('asks nothing while there is nothing to ask', () => {
    const bridge = new ScriptedBridge();
    const { result } = renderHook(() => useBridgeQuery('users.context', null), { wrapper: wrapper(bridge) });
    expect(result.current.loading).toBe(false);
    expect(bridge.calls).toEqual([]);
  });
});

describe('useBridgeMutation and useAction', () => {
  it('is busy while the change is out and resolves with the answer or the problem, never rejecting', async () => {
    const pending = later<{ ok: true }>();
    const bridge = new ScriptedBridge().answer('cannedReplies.delete', () => pending.promise);
    const { result } = renderHook(() => useBridgeMutation('cannedReplies.delete'), {
      wrapper: wrapper(bridge),
    });
    let outcome: Promise<unknown> = Promise.resolve();
    act(() => {
      outcome = result.current.run({ id: 3 });
    });
    expect(result.current.busy).toBe(true);
    await act(async () => pending.resolve({ ok: true }));
    await expect(outcome).resolves.toEqual({ ok: true, value: { ok: true } });
    expect(result.current.busy).toBe(false);
    expect(result.current.error).toBeNull();

    bridge.answer('cannedReplies.delete', () => {
      throw new BridgeCallError(refusal);
    });
    let refused: unknown;
    await act(async () => {
      refused = await result.current.run({ id: 3 });
    });
    expect(refused).toMatchObject({ ok: false, problem: { code: 'staff_version_conflict' } });
    expect(result.current.error).toBe('已被他人修改');
    act(() => result.current.reset());
    expect(result.current.error).toBeNull();
  });

  it('runs one at a time when exclusive: a second run while one is out does nothing', async () => {
    const pending = later<number>();
    let runs = 0;
    const { result } = renderHook(
      () =>
        useAction(
          () => {
            runs += 1;
            return pending.promise;
          },
          { exclusive: true },
        ),
      { wrapper: wrapper(new ScriptedBridge()) },
    );
    let first: Promise<unknown> = Promise.resolve();
    let second: unknown;
    await act(async () => {
      first = result.current.run();
      second = await result.current.run();
    });
    expect(second).toMatchObject({ ok: false, problem: { code: 'busy' } });
    expect(result.current.error).toBeNull();
    await act(async () => pending.resolve(7));
    await expect(first).resolves.toEqual({ ok: true, value: 7 });
    expect(runs).toBe(1);
  });
});
