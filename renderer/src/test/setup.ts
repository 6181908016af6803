/**
 * jsdom lacks a few browser APIs antd and TanStack Virtual use; these stand-ins give them the answers a
 * desktop window would (no media query matches, a fixed element size), nothing more.
 */
import { createRequire } from 'node:module';
import { cleanup } from '@testing-library/react';
import { afterAll, afterEach } from 'vitest';

// A commit outside act() (a bridge answer arriving after the last assertion) leaves work on React's
// scheduler, which runs it from setImmediate and first reads `window.event`. If the file ends before that,
// Vitest has removed jsdom's globals and the callback throws "window is not defined" into the run. So after
// unmounting, wait — while the window still exists — for an idle-priority task on the scheduler (the same
// module instance react-dom uses): it runs only once every task queued before it, and any they queue, has
// run. Twice, a few milliseconds apart, for work a timer starts; at most a couple of seconds.
const scheduler = createRequire(import.meta.url)('scheduler') as {
  unstable_IdlePriority: number;
  unstable_scheduleCallback(priority: number, callback: () => void): unknown;
};
const idle = () =>
  new Promise<void>((resolve) =>
    scheduler.unstable_scheduleCallback(scheduler.unstable_IdlePriority, resolve),
  );
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const drainScheduler = () =>
  Promise.race([
    (async () => {
      for (let round = 0; round < 2; round++) {
        await idle();
        await pause(5);
      }
    })(),
    pause(2_000),
  ]);
afterEach(async () => {
  cleanup();
  await drainScheduler();
});
afterAll(drainScheduler);

if (!window.matchMedia) {
  window.matchMedia = (query: string) =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => {},
      removeListener: () => {},
      addEventListener: () => {},
      removeEventListener: () => {},
      dispatchEvent: () => false,
    }) as MediaQueryList;
}

if (!window.ResizeObserver) {
  window.ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
}

// jsdom lays nothing out: give elements the size of a desktop window so virtualized lists render rows.
Object.defineProperties(HTMLElement.prototype, {
  offsetHeight: { configurable: true, get: () => 800 },
  offsetWidth: { configurable: true, get: () => 1200 },
});
Object.defineProperties(Element.prototype, {
  clientHeight: { configurable: true, get: () => 800 },
  clientWidth: { configurable: true, get: () => 1200 },
});
Element.prototype.getBoundingClientRect = function getBoundingClientRect() {
  return { x: 0, y: 0, top: 0, left: 0, bottom: 800, right: 1200, width: 1200, height: 800, toJSON() {} };
};
Element.prototype.scrollTo = function scrollTo() {};
