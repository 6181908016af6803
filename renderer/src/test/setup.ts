/**
 * jsdom lacks a few browser APIs antd and TanStack Virtual use; these stand-ins give them the answers a
 * desktop window would (no media query matches, a fixed element size), nothing more.
 */
import { cleanup } from '@testing-library/react';
import { afterAll, afterEach } from 'vitest';

// A commit outside act() (a bridge answer arriving after the last assertion) leaves React's passive-effect
// flush queued on the scheduler's setImmediate, and that callback reads `window.event`. If the file ends
// first, Vitest has removed jsdom's globals and the callback throws "window is not defined" into the run.
// Unmount, then let the event loop turn until the scheduler has drained, while the window still exists.
const drainScheduler = async () => {
  for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setTimeout(resolve, 5));
};
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
