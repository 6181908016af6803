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
    const third = bridge.callsOf('cases.list')[2]!;
    expect(third.offset).toBeLessThanOrEqual(30_000);
    expect(third.offset! + third.limit!).toBeGreaterThanOrEqual(30_040);
    await act(async () => pending.shift()!());
    expect(result.current.rowAt(30_000)?.id).toBe(30_001);
    expect(bridge.callsOf('cases.list')).toHaveLength(3);
  });

  it('reads ahead of a scroll, so the rows coming into view are held before they are on screen', async () => {
    const all = Array.from({ length: 100_000 }, (_, i) => sampleCase(i + 1));
    const bridge = new ScriptedBridge().answer('cases.list', (args) => {
      const offset = args.offset ?? 0;
      return { items: all.slice(offset, offset + (args.limit ?? 200)), total: all.length };
    });
    const wrapper = ({ children }: { children: ReactNode }) => (
      <BridgeProvider bridge={bridge} connection={alwaysOpen}>
        {children}
      </BridgeProvider>
    );
    const query = { kinds: ['listing_review' as const], sort: 'sla' as const };
    const { result } = renderHook(() => useCaseWindow(query), { wrapper });
    await waitFor(() => expect(result.current.total).toBe(100_000));
    const reads = () => bridge.callsOf('cases.list').length;
    const held = () => result.current.offset + result.current.rows.length;

    // Scrolling down 50 rows a step (a fast scroll), 20 rows on screen: every row that comes into view
    // was read before it got there, and the reads stay few (one per few hundred rows, not one a step).
    for (let start = 0; start < 3_000; start += 50) {
      act(() => result.current.ensure(start, start + 20));
      for (let i = start; i < start + 20; i++) expect(result.current.rowAt(i)?.id, `row ${i}`).toBe(i + 1);
      await waitFor(() => expect(held()).toBeGreaterThan(start + 20 + 50));
    }
    expect(reads()).toBeLessThan(3_000 / 100);

    // And back up.
    for (let start = 3_000; start >= 0; start -= 50) {
      act(() => result.current.ensure(start, start + 20));
      for (let i = start; i < start + 20; i++) expect(result.current.rowAt(i)?.id, `row ${i}`).toBe(i + 1);
      await waitFor(() => expect(result.current.offset).toBeLessThan(Math.max(1, start - 50)));
    }

    // Standing still reads nothing more.
    const before = reads();
    act(() => result.current.ensure(0, 20));
    act(() => result.current.ensure(0, 20));
    expect(reads()).toBe(before);
  });
});
