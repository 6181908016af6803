import { act, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import { BridgeProvider } from '../../bridge';
import { alwaysOpen } from '../../bridge/connection';
import { ScriptedBridge } from '../../test/render';
import { sampleCase } from './testing';
import { useCaseWindow } from './useCaseWindow';

describe('reading a long queue in windows', () => {
  it('keeps one read out at a time and reads only the newest window a fast scroll asked for', async () => {
    const all = Array.from({ length: 100_000 }, (_, i) => sampleCase(i + 1));
    const pending: (() => void)[] = [];
    const bridge = new ScriptedBridge().answer(
      'cases.list',
      (args) =>
        new Promise((resolve) => {
          const offset = args.offset ?? 0;
          pending.push(() =>
            resolve({ items: all.slice(offset, offset + (args.limit ?? 200)), total: all.length }),
          );
        }),
    );
    const wrapper = ({ children }: { children: ReactNode }) => (
      <BridgeProvider bridge={bridge} connection={alwaysOpen}>
        {children}
      </BridgeProvider>
    );
    const query = { kinds: ['listing_review' as const], sort: 'sla' as const };
    const { result } = renderHook(() => useCaseWindow(query), { wrapper });
    await waitFor(() => expect(pending).toHaveLength(1));
    await act(async () => pending.shift()!());
    expect(result.current.total).toBe(100_000);

    // A fast scroll: three windows asked for while the first of them is still being read.
    act(() => result.current.ensure(10_000, 10_040));
    act(() => result.current.ensure(20_000, 20_040));
    act(() => result.current.ensure(30_000, 30_040));
    expect(bridge.callsOf('cases.list')).toHaveLength(2);
    await act(async () => pending.shift()!());
    // The 20,000 wish was overtaken: the next read is the newest one, 30,000.
    await waitFor(() => expect(bridge.callsOf('cases.list')).toHaveLength(3));
    expect(bridge.callsOf('cases.list')[2]?.offset).toBe(30_000 - 150);
    await act(async () => pending.shift()!());
    expect(result.current.rowAt(30_000)?.id).toBe(30_001);
    expect(bridge.callsOf('cases.list')).toHaveLength(3);
  });
});
