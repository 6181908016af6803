import { useCallback, useLayoutEffect, useRef } from 'react';

/**
 * A callback that keeps its identity across renders and always runs the latest `fn`: for the handlers
 * passed to memoized parts of the queue (rows, toolbar, header, detail), which would otherwise draw again
 * on every render of the queue — every window read while scrolling is one.
 */
export function useStableCallback<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  const latest = useRef(fn);
  useLayoutEffect(() => {
    latest.current = fn;
  });
  return useCallback((...args: A) => latest.current(...args), []);
}
