/**
 * What bench:ui does in the page. The in-page code is plain JavaScript in strings (not functions handed to
 * `page.evaluate`): the TypeScript loader may wrap functions with helpers that do not exist in the page.
 * Every time is taken in the page with `performance.now()`; Node only starts things and collects figures.
 */
import type { CDPSession, Page } from 'playwright-core';

export const ROW = '[data-testid^="case-row-"]';

/**
 * Installed before any script of each document (`addInitScript`): a MutationObserver that notes when the
 * first case row enters the DOM (`performance.now()`, i.e. ms since the navigation started), and the
 * next animation frame after it (the row's first paint is at most that frame).
 */
export const FIRST_ROW_PROBE = `(() => {
  let done;
  const bench = { firstRowMs: null, firstRowFrameMs: null, done: new Promise((r) => { done = r; }) };
  window.__bench = bench;
  const mo = new MutationObserver(() => {
    if (bench.firstRowMs !== null) return;
    if (!document.querySelector('${ROW}')) return;
    bench.firstRowMs = performance.now();
    mo.disconnect();
    requestAnimationFrame(() => {
      bench.firstRowFrameMs = performance.now();
      const nav = performance.getEntriesByType('navigation')[0];
      done({
        firstRowMs: bench.firstRowMs,
        firstRowFrameMs: bench.firstRowFrameMs,
        domContentLoadedMs: nav ? nav.domContentLoadedEventEnd : undefined,
        bridgeFirstSendMs: reads.firstSendAt,
        firstReadSentMs: reads.firstReadSentAt,
        firstReadAnsweredMs: reads.firstReadAnsweredAt,
        callsBeforeFirstRead: reads.callsBeforeFirstRead,
      });
    });
  });
  mo.observe(document, { childList: true, subtree: true });

  // The page's cases.list reads over the bridge socket: sent (call id → time), answered (round trip).
  const reads = {
    calls: 0, roundTrip: [], replyChars: 0, lastReplyAt: 0, pending: new Map(),
    // The document's first bridge call of any kind, its first cases.list and that read's reply.
    firstSendAt: null, firstReadSentAt: null, firstReadAnsweredAt: null, callsBeforeFirstRead: [],
  };
  window.__benchReads = reads;
  const send = WebSocket.prototype.send;
  const watched = new WeakSet();
  WebSocket.prototype.send = function (data) {
    if (!watched.has(this)) {
      watched.add(this);
      this.addEventListener('message', (ev) => {
        if (typeof ev.data !== 'string') return;
        const m = /^\\{"t":"reply","id":(\\d+)/.exec(ev.data);
        const sent = m && reads.pending.get(Number(m[1]));
        if (sent === undefined || sent === null) return;
        reads.pending.delete(Number(m[1]));
        reads.lastReplyAt = performance.now();
        if (reads.firstReadAnsweredAt === null) reads.firstReadAnsweredAt = reads.lastReplyAt;
        reads.roundTrip.push(reads.lastReplyAt - sent);
        reads.replyChars += ev.data.length;
      });
    }
    if (typeof data === 'string') {
      const now = performance.now();
      if (reads.firstSendAt === null) reads.firstSendAt = now;
      const method = /"method":"([^"]+)"/.exec(data);
      const id = /"id":(\\d+)/.exec(data);
      if (method && method[1] === 'cases.list' && id) {
        reads.pending.set(Number(id[1]), now);
        reads.calls += 1;
        if (reads.firstReadSentAt === null) reads.firstReadSentAt = now;
      } else if (method && reads.firstReadSentAt === null) reads.callsBeforeFirstRead.push(method[1]);
    }
    return send.call(this, data);
  };
})();`;

export interface FirstRender {
  /** Navigation (or hash change) → first case row in the DOM. */
  firstRowMs: number;
  /** → the animation frame after it. */
  firstRowFrameMs: number;
  /** Reload only: the navigation entry's DOMContentLoaded end (HTML + scripts parsed and run). */
  domContentLoadedMs?: number;
  /** Reload only: the page's first bridge call (the socket is open and the host ready). */
  bridgeFirstSendMs?: number | null;
  /** Reload only: the first `cases.list` sent, and its reply. */
  firstReadSentMs?: number | null;
  firstReadAnsweredMs?: number | null;
  /** Reload only: the bridge calls the page sent before its first `cases.list`. */
  callsBeforeFirstRead?: string[];
}

/** Reloads the page on `route` (already signed in) and returns the page's own timings. */
export async function firstRenderByReload(
  page: Page,
  route: string,
  timeoutMs: number,
): Promise<FirstRender> {
  const url = new URL(page.url());
  url.hash = route;
  if (page.url() !== url.toString()) {
    await page.evaluate(`location.hash = ${JSON.stringify(route)}`);
    await page.waitForSelector(ROW, { timeout: timeoutMs });
  }
  await page.reload({ waitUntil: 'commit' });
  // Polled rather than \`waitForFunction\`, which evaluates a string the page's CSP (no unsafe-eval) refuses.
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const r = (await page
      .evaluate('window.__bench ? window.__bench.done : null')
      .catch(() => null)) as FirstRender | null;
    if (r) return r;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const reads = await page
    .evaluate(
      'window.__benchReads ? JSON.stringify({ calls: window.__benchReads.calls, unanswered: window.__benchReads.pending.size, before: window.__benchReads.callsBeforeFirstRead }) : "no probe"',
    )
    .catch(() => 'unknown');
  throw new Error(`${route}: no case row within ${timeoutMs} ms of the reload (page's reads: ${reads})`);
}

/**
 * In-app navigation to another queue's route: from the hash change until a case row that was not on
 * screen before (the other queue's rows have other ids) is in the DOM.
 */
export async function firstRenderByNavigation(
  page: Page,
  route: string,
  timeoutMs: number,
): Promise<FirstRender> {
  return (await page.evaluate(`new Promise((resolve, reject) => {
    const before = new Set([...document.querySelectorAll('${ROW}')].map((e) => e.getAttribute('data-testid')));
    let firstRowMs = null;
    const timer = setTimeout(() => { mo.disconnect(); reject(new Error('no new row within ${timeoutMs} ms')); }, ${timeoutMs});
    const check = () => {
      if (firstRowMs !== null) return;
      for (const e of document.querySelectorAll('${ROW}')) {
        if (before.has(e.getAttribute('data-testid'))) continue;
        firstRowMs = performance.now() - t0;
        mo.disconnect();
        clearTimeout(timer);
        requestAnimationFrame(() => resolve({ firstRowMs, firstRowFrameMs: performance.now() - t0 }));
        return;
      }
    };
    const mo = new MutationObserver(check);
    mo.observe(document.body, { childList: true, subtree: true });
    const t0 = performance.now();
    location.hash = ${JSON.stringify(route)};
  })`)) as FirstRender;
}

export interface LongFrames {
  supported: boolean;
  count: number;
  maxMs: number;
  totalMs: number;
  blockingMs: number;
  /** Tasks before the frame's rendering (bridge replies, React work they start). */
  beforeRenderMs: number;
  /** The rendering steps' scripts: scroll events (the virtualizer, React), animation frame callbacks. */
  renderScriptsMs: number;
  /** Style, layout and paint at the end of the frame. */
  styleLayoutMs: number;
  /** Layout forced by scripts (reading geometry after the DOM changed), inside the script times. */
  forcedLayoutMs: number;
  /** Script time by what invoked it, heaviest first: [invoker, ms]. */
  byInvoker: [string, number][];
}

export interface CaseReads {
  /** `cases.list` calls the page sent during the scroll. */
  calls: number;
  /** Page → engine → page round trip of each answered call (ms, in the page). */
  roundTrip: number[];
  replyKiB: number;
  /** Of those, answered before the scroll stopped. */
  answeredDuringScroll: number;
  /** From the scroll's last frame until the last reply it had asked for arrived (ms). */
  backlogMs: number;
  /** Still unanswered when bench:ui stopped waiting (BACKLOG_CAP_MS). */
  stillPending: number;
}

export interface ScrollRun {
  frames: number;
  seconds: number;
  /** requestAnimationFrame → requestAnimationFrame, ms, one per frame. */
  deltas: number[];
  /** Frames in which some rendered row was still a placeholder (its window not yet read from the cache). */
  placeholderFrames: number;
  /** Rows passed (scrolled distance / row height). */
  rowsPassed: number;
  /** The furthest row reached. */
  deepestRow: number;
  longTasks: { count: number; totalMs: number; maxMs: number };
  /** Long animation frames (> 50 ms) where the browser reports them, and where their time went. */
  longFrames: LongFrames;
  rowHeight: number;
  rowsInDom: number;
  reads: CaseReads;
}

const BACKLOG_CAP_MS = 180_000;

/**
 * Scrolls the queue by `step` px per animation frame: down for `seconds`, then up for as many frames, so
 * a long queue goes down and comes back to the top (a short one bounces off its ends). Records the
 * delta between consecutive animation frames, long tasks and long animation frames meanwhile, and the
 * page's `cases.list` reads (counted by the probe), waiting at the end until the last of them is answered.
 */
export async function scrollQueue(page: Page, o: { seconds: number; step: number }): Promise<ScrollRun> {
  return (await page.evaluate(`new Promise((resolve) => {
    const el = document.querySelector('[data-testid="case-scroll"]');
    const firstRow = document.querySelector('${ROW}');
    const rowHeight = firstRow ? firstRow.getBoundingClientRect().height : 40;
    el.scrollTop = 0;
    const reads = window.__benchReads;
    const tasks = [];
    const taskObs = new PerformanceObserver((l) => { for (const e of l.getEntries()) tasks.push(e.duration); });
    taskObs.observe({ type: 'longtask' });
    const frames = [];
    let loafSupported = true;
    let frameObs = null;
    try {
      frameObs = new PerformanceObserver((l) => { for (const e of l.getEntries()) frames.push(e); });
      frameObs.observe({ type: 'long-animation-frame' });
    } catch { loafSupported = false; }
    const longFrames = () => {
      const sum = (f) => frames.reduce((a, e) => a + f(e), 0);
      const invokers = new Map();
      let forced = 0;
      for (const e of frames)
        for (const sc of e.scripts || []) {
          const name = sc.invokerType + (sc.invoker ? ' ' + sc.invoker : '');
          invokers.set(name, (invokers.get(name) || 0) + sc.duration);
          forced += sc.forcedStyleAndLayoutDuration || 0;
        }
      return {
        supported: loafSupported,
        count: frames.length,
        maxMs: Math.max(0, ...frames.map((e) => e.duration)),
        totalMs: sum((e) => e.duration),
        blockingMs: sum((e) => e.blockingDuration || 0),
        beforeRenderMs: sum((e) => (e.renderStart ? e.renderStart - e.startTime : e.duration)),
        renderScriptsMs: sum((e) => (e.renderStart ? e.styleAndLayoutStart - e.renderStart : 0)),
        styleLayoutMs: sum((e) => (e.renderStart ? e.startTime + e.duration - e.styleAndLayoutStart : 0)),
        forcedLayoutMs: forced,
        byInvoker: [...invokers].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k, v]) => [k.slice(0, 80), Math.round(v)]),
      };
    };
    const atStart = { calls: reads.calls, answered: reads.roundTrip.length, replyChars: reads.replyChars };
    const deltas = [];
    let placeholderFrames = 0, moved = 0, deepest = 0, rowsInDom = 0;
    let last = null, t0 = null, downFrames = null, frame = 0, dir = 1;
    const finish = (now) => {
      taskObs.disconnect();
      if (frameObs) frameObs.disconnect();
      const stopped = performance.now();
      const answeredDuringScroll = reads.roundTrip.length - atStart.answered;
      const drained = () => {
        if (reads.pending.size > 0 && performance.now() - stopped < ${BACKLOG_CAP_MS}) return void setTimeout(drained, 20);
        resolve({
          frames: deltas.length,
          seconds: (now - t0) / 1000,
          deltas,
          placeholderFrames,
          rowsPassed: Math.round(moved / rowHeight),
          deepestRow: Math.round(deepest / rowHeight),
          longTasks: { count: tasks.length, totalMs: tasks.reduce((a, b) => a + b, 0), maxMs: Math.max(0, ...tasks) },
          longFrames: longFrames(),
          rowHeight,
          rowsInDom,
          reads: {
            calls: reads.calls - atStart.calls,
            roundTrip: reads.roundTrip.slice(atStart.answered),
            replyKiB: (reads.replyChars - atStart.replyChars) / 1024,
            answeredDuringScroll,
            backlogMs: reads.pending.size > 0 ? performance.now() - stopped : Math.max(0, reads.lastReplyAt - stopped),
            stillPending: reads.pending.size,
          },
        });
      };
      drained();
    };
    const tick = (now) => {
      if (last !== null) deltas.push(now - last);
      else t0 = now;
      last = now;
      if (el.querySelector('tr.placeholder')) placeholderFrames += 1;
      rowsInDom = Math.max(rowsInDom, el.querySelectorAll('${ROW}').length);
      frame += 1;
      if (downFrames === null && now - t0 >= ${o.seconds * 1000}) { downFrames = frame; dir = -1; }
      if (downFrames !== null && frame >= 2 * downFrames) return finish(now);
      // Reading geometry here forces the layout the frame needs anyway (React changed the rows in the
      // scroll event before this callback); it is part of the frame's cost, not extra work.
      const max = el.scrollHeight - el.clientHeight;
      if (dir > 0 && el.scrollTop >= max - 1) dir = -1;
      else if (dir < 0 && el.scrollTop <= 0) dir = 1;
      const before = el.scrollTop;
      el.scrollTop = Math.min(max, Math.max(0, before + dir * ${o.step}));
      moved += Math.abs(el.scrollTop - before);
      deepest = Math.max(deepest, el.scrollTop);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(() => requestAnimationFrame(tick));
  })`)) as ScrollRun;
}

/** Megabytes of 10^6 bytes, as the goal (300 MB) is stated. */
export interface Heap {
  usedMB: number;
  totalMB: number;
  domNodes: number;
  listeners: number;
}

/** A full garbage collection (CDP `HeapProfiler.collectGarbage`), then `Performance.getMetrics`. */
export async function heapAfterGc(cdp: CDPSession): Promise<Heap> {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const m = (name: string) => metrics.find((x) => x.name === name)?.value ?? Number.NaN;
  return {
    usedMB: m('JSHeapUsedSize') / 1e6,
    totalMB: m('JSHeapTotalSize') / 1e6,
    domNodes: m('Nodes'),
    listeners: m('JSEventListeners'),
  };
}

/** The number `case-total` shows ("共 100,000 条" → 100000), or null while it is not there. */
export async function queueTotal(page: Page): Promise<number | null> {
  const text = await page
    .getByTestId('case-total')
    .textContent({ timeout: 1000 })
    .catch(() => null);
  const digits = text?.replace(/\D/g, '');
  return digits ? Number(digits) : null;
}
