/**
 * `npm run bench:ui`: the operations console's queue in Chromium over 100,000 cases, against a 1,000-case
 * queue of the same page, same engine cache and same run as the baseline.
 *
 * 1. Setup (setup.ts): the embedded core (PGlite; or a scratch database on BENCH_DATABASE_URL) with the
 *    demo seed, then 100,000 open `listing_review` and 1,000 open `report` cases (bench:engine's loader),
 *    the console engine + web host (`startConsoleStack`) on 127.0.0.1, the renderer built if it is stale.
 * 2. Chromium (playwright-core, /usr/bin/chromium, never downloaded) signs in as the demo moderator and
 *    waits until the engine is online and the listings queue reads 100,000.
 * 3. Per queue — listings (`#/moderation/listings`, 100k) and reports (`#/moderation/reports`, 1k):
 *    - time to first render: page reload on the queue's route → first case row in the DOM
 *      (`performance.now()` in the page, a MutationObserver installed before the page's scripts), and
 *      in-app navigation from the other queue → first row of this one; BENCH_UI_RUNS runs each after one
 *      discarded warm-up, median and p95;
 *    - JS heap after a full GC (CDP `HeapProfiler.collectGarbage`, `Performance.getMetrics`) after a
 *      reload on the queue, and again after the scroll;
 *    - scroll: BENCH_UI_SCROLL_STEP px (2,000) per animation frame down for BENCH_UI_SCROLL_SECONDS (6),
 *      back up as many frames; requestAnimationFrame deltas at the display's 60 Hz (what a person sees),
 *      long tasks and long animation frames; then the same in a second Chromium started with
 *      `--disable-frame-rate-limit --disable-gpu-vsync`, where a frame is drawn as soon as the previous
 *      one is done, so the delta is the frame's own cost rather than a multiple of 16.7 ms.
 * 4. Prints the tables, writes BENCH_JSON (bench/ui/results.json) and rewrites the generated section of
 *    BENCH_RESULTS (bench/RESULTS.md; `none` to skip) between its bench:ui markers.
 *
 * Every process it starts (core child, engine + web host, browsers) and every temp folder (and the scratch
 * database) is removed at the end, also on failure and on Ctrl-C.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaseKind } from '@jiangxin/shared/ops/cases';
import pg from 'pg';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { ConsoleEngineHandle } from '../../electron/engine/api';
import type { CoreProcess } from '../../electron/web-host/core-process';
import { ensureRendererBuilt } from '../../electron/web-host/renderer-build';
import { type ConsoleStack, startConsoleStack } from '../../electron/web-host/stack';
import { Samples } from '../core/load';
import { cpuBetween, cpuMark, describeMachine, loadAverage } from '../core/machine';
import {
  FIRST_ROW_PROBE,
  type FirstRender,
  firstRenderByNavigation,
  firstRenderByReload,
  type Heap,
  heapAfterGc,
  queueTotal,
  ROW,
  type ScrollRun,
  scrollQueue,
} from './page';
import {
  type EngineRead,
  type FirstRenderSummary,
  renderReport,
  type ScrollSummary,
  type UiResults,
  updateResultsFile,
} from './report';
import { DEMO_PASSWORD, fillQueues, freePort, startCore } from './setup';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const env = (k: string, d: string) => process.env[k] || d;
const CHROMIUM = env('BENCH_CHROMIUM', '/usr/bin/chromium');
const CASES = Number(env('BENCH_UI_CASES', '100000'));
const BASELINE_CASES = Number(env('BENCH_UI_BASELINE_CASES', '1000'));
const RUNS = Number(env('BENCH_UI_RUNS', '7'));
const SCROLL_SECONDS = Number(env('BENCH_UI_SCROLL_SECONDS', '6'));
const SCROLL_STEP = Number(env('BENCH_UI_SCROLL_STEP', '2000'));
/** A second, gentler scroll at 60 Hz (5 rows per frame): the frames when the reads can keep up. */
const GENTLE_STEP = Number(env('BENCH_UI_GENTLE_STEP', '200'));
const DATABASE_URL = process.env.BENCH_DATABASE_URL || '';
/** A folder: writes a CPU profile of the page (CDP Profiler) during each queue's 60 Hz and unthrottled scrolls. */
const PROFILE_DIR = process.env.BENCH_UI_PROFILE || '';
/** A folder: writes a Chromium trace (DevTools timeline: style, layout, paint, GPU) of each unthrottled scroll. */
const TRACE_DIR = process.env.BENCH_UI_TRACE || '';
const JSON_OUT = env('BENCH_JSON', path.join(here, 'results.json'));
const RESULTS_FILE = env('BENCH_RESULTS', path.join(here, '../RESULTS.md'));
/** Waits in the page (sync of 100k cases included). */
const WAIT_MS = 240_000;
const SETTLE_MS = 1500;

const GOALS = { firstRenderMs: 1000, frameP95Ms: 1000 / 60, heapMB: 300 };

interface Queue {
  id: 'listings' | 'reports';
  kind: CaseKind;
  route: string;
  cases: number;
}
const QUEUES: Queue[] = [
  { id: 'listings', kind: 'listing_review', route: '#/moderation/listings', cases: CASES },
  { id: 'reports', kind: 'report', route: '#/moderation/reports', cases: BASELINE_CASES },
];

const started = performance.now();
const say = (line: string) =>
  console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function commit(): string {
  try {
    const head = fs.readFileSync(path.join(repoRoot, '.git/HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head.slice(0, 7);
    const ref = head.slice(5);
    const loose = path.join(repoRoot, '.git', ref);
    if (fs.existsSync(loose)) return fs.readFileSync(loose, 'utf8').trim().slice(0, 7);
    const packed = fs.readFileSync(path.join(repoRoot, '.git/packed-refs'), 'utf8');
    return (
      packed
        .split('\n')
        .find((l) => l.endsWith(` ${ref}`))
        ?.slice(0, 7) ?? 'unknown'
    );
  } catch {
    return 'unknown';
  }
}

const BROWSER_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const UNTHROTTLED_ARGS = ['--disable-frame-rate-limit', '--disable-gpu-vsync'];
/** Playwright would exit the process on Ctrl-C after closing its browsers, before our cleanup ran. */
const OWN_SIGNALS = { handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false };

async function main() {
  const machine = describeMachine('', {});
  const results: UiResults = {
    machine: {
      date: machine.date,
      cpus: machine.cpus,
      cpuModel: machine.cpuModel,
      memoryGiB: machine.memoryGiB,
      kernel: machine.kernel,
      node: machine.node,
      chromium: '',
      loadBefore: machine.loadBefore.join(' / '),
      loadAfter: '',
    },
    commit: commit(),
    database: DATABASE_URL ? 'PostgreSQL (scratch database)' : 'PGlite (embedded)',
    settings: {
      cases: CASES,
      baselineCases: BASELINE_CASES,
      runs: RUNS,
      scrollSeconds: SCROLL_SECONDS,
      scrollStep: SCROLL_STEP,
      gentleStep: GENTLE_STEP,
    },
    setup: { coreFirstStartMs: 0, loadMs: 0, coreRestartMs: 0, signInToSyncedMs: 0, totals: {} },
    queues: [],
    engineReads: [],
    goals: GOALS,
    problems: [],
    totalSeconds: 0,
  };
  say(
    `bench:ui on ${machine.cpus}× ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, commit ${results.commit}; load ${loadAverage()}`,
  );

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jx-bench-ui-'));
  const logFile = path.join(tmp, 'processes.log');
  const log = (line: string) => fs.appendFileSync(logFile, `${line}\n`);
  let core: CoreProcess | null = null;
  let stack: ConsoleStack | null = null;
  const browsers: Browser[] = [];
  let scratchDb: { admin: string; name: string } | null = null;
  let cleaning: Promise<void> | null = null;
  // Each step bounded, so a stuck part (say an engine that no longer answers) cannot keep the others —
  // the core child above all — running: what is left in this process ends with process.exit below.
  const step = (name: string, p: Promise<unknown> | undefined) =>
    Promise.race([
      Promise.resolve(p),
      sleep(30_000).then(() => {
        throw new Error(`${name} did not finish within 30 s`);
      }),
    ]).catch((err) => console.error(`cleanup: ${(err as Error).message}`));
  // One cleanup however it is reached (the end, a failure, Ctrl-C while a step is running): a second
  // caller waits for the same one rather than exiting under it.
  const cleanup = () => {
    cleaning ??= cleanUp();
    return cleaning;
  };
  const cleanUp = async () => {
    for (const b of browsers.splice(0)) await step('closing Chromium', b.close());
    await step('closing the console stack', stack?.close());
    await step('stopping the core', core?.stop());
    if (scratchDb)
      await step(
        'dropping the scratch database',
        adminQuery(scratchDb.admin, `DROP DATABASE IF EXISTS ${scratchDb.name} WITH (FORCE)`),
      );
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  // \`on\`, not \`once\`: Ctrl-C reaches this process twice (from the terminal and relayed by tsx), and a
  // second signal without a handler would kill it in the middle of the cleanup.
  const onSignal = () => {
    if (!cleaning) console.error('interrupted: stopping everything bench:ui started …');
    void cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    say('renderer: building if stale …');
    await ensureRendererBuilt(say);

    let databaseUrl: string | undefined;
    if (DATABASE_URL) {
      const name = `jx_bench_ui_${randomBytes(4).toString('hex')}`;
      await adminQuery(DATABASE_URL, `CREATE DATABASE ${name}`);
      scratchDb = { admin: DATABASE_URL, name };
      const u = new URL(DATABASE_URL);
      u.pathname = `/${name}`;
      databaseUrl = u.toString();
    }
    const coreOpts = {
      dataDir: path.join(tmp, 'core'),
      databaseUrl,
      port: await freePort(),
      sandboxPort: await freePort(),
      onLine: (line: string) => log(`core: ${line}`),
    };
    say(`core: first start on ${results.database} (migrations + demo seed) …`);
    let t0 = performance.now();
    core = await startCore(coreOpts);
    results.setup.coreFirstStartMs = performance.now() - t0;
    await core.stop();
    core = null;
    say(
      `    ${s(results.setup.coreFirstStartMs)}; loading ${QUEUES.map((q) => `${int(q.cases)} ${q.kind}`).join(' + ')} …`,
    );
    const loaded = await fillQueues(coreOpts, Object.fromEntries(QUEUES.map((q) => [q.kind, q.cases])), say);
    results.setup.loadMs = loaded.loadMs;
    results.setup.totals = loaded.totals;
    say(
      `    loaded in ${s(loaded.loadMs)}: ${JSON.stringify(loaded.totals)} (demo seed: ${JSON.stringify(loaded.demo)})`,
    );
    t0 = performance.now();
    core = await startCore(coreOpts);
    results.setup.coreRestartMs = performance.now() - t0;
    say(`core at ${core.url} (pid ${core.pid}), restarted in ${s(results.setup.coreRestartMs)}`);

    stack = await startConsoleStack({
      coreUrl: core.url,
      dataDir: path.join(tmp, 'console'),
      log: (l) => log(`console: ${l}`),
    });
    say(`console web host at ${stack.host.url.replace(/#.*/, '')}`);

    // ── the main browser: sign in, wait for the whole queue, first render and heap, scroll at 60 Hz
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS, ...OWN_SIGNALS });
    browsers.push(browser);
    results.machine.chromium = browser.version();
    const page = await openPage(browser, results.problems);
    await page.goto(stack.host.url);
    await page.getByTestId('login-name').fill('moderator');
    await page.getByTestId('login-password').fill(DEMO_PASSWORD);
    t0 = performance.now();
    await page.getByTestId('login-submit').click();
    const listings = QUEUES[0]!;
    const expected = (q: Queue) => loaded.totals[q.kind] ?? q.cases;
    await waitForQueue(page, listings.route, expected(listings), true);
    results.setup.signInToSyncedMs = performance.now() - t0;
    say(
      `signed in; engine online and the listings queue reads ${int(expected(listings))} after ${s(results.setup.signInToSyncedMs)}`,
    );
    for (const q of QUEUES) await waitForQueue(page, q.route, expected(q), false);

    say('(0) cases.list windows read by the engine itself (no page), by depth …');
    // The engine of the browser session that just signed in (the web host keeps one per browser).
    const moderatorEngine = await stack.engineOf('moderator');
    if (!moderatorEngine) throw new Error('no console engine is signed in as moderator');
    for (const q of QUEUES) results.engineReads.push(...(await engineReads(moderatorEngine, q, expected(q))));

    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');

    const reload = new Map<string, FirstRender[]>(QUEUES.map((q) => [q.id, []]));
    const navigate = new Map<string, FirstRender[]>(QUEUES.map((q) => [q.id, []]));
    say(
      `(1) time to first render: ${RUNS} reloads and ${RUNS} in-app navigations per queue (after one warm-up each) …`,
    );
    for (let run = 0; run <= RUNS; run++) {
      for (const q of QUEUES) {
        const r = await firstRenderByReload(page, q.route, WAIT_MS);
        if (run > 0) reload.get(q.id)!.push(r);
        await sleep(SETTLE_MS);
      }
    }
    say('    in-app navigations …');
    // Alternate: listings → reports → listings …, each navigation measuring the queue it lands on.
    await page.evaluate(`location.hash = ${JSON.stringify(QUEUES[1]!.route)}`);
    await page.waitForSelector(ROW, { timeout: WAIT_MS });
    await sleep(SETTLE_MS);
    for (let run = 0; run <= RUNS; run++) {
      for (const q of QUEUES) {
        const r = await firstRenderByNavigation(page, q.route, WAIT_MS);
        if (run > 0) navigate.get(q.id)!.push(r);
        await sleep(SETTLE_MS);
      }
    }

    say('(2, 3) heap after loading, scroll at 60 Hz, heap after scrolling …');
    const perQueue = new Map<
      string,
      { heapLoaded: Heap; heapScrolled: Heap; scroll60: Scrolled; gentle: Scrolled }
    >();
    for (const q of QUEUES) {
      await firstRenderByReload(page, q.route, WAIT_MS);
      await sleep(SETTLE_MS * 2);
      const heapLoaded = await heapAfterGc(cdp);
      if (PROFILE_DIR) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.start');
      }
      const scroll60 = await measuredScroll(page, SCROLL_STEP);
      if (PROFILE_DIR) {
        const { profile } = await cdp.send('Profiler.stop');
        fs.mkdirSync(PROFILE_DIR, { recursive: true });
        fs.writeFileSync(path.join(PROFILE_DIR, `scroll-${q.id}.cpuprofile`), JSON.stringify(profile));
      }
      await sleep(SETTLE_MS);
      const heapScrolled = await heapAfterGc(cdp);
      say(
        `    ${q.id}: heap ${heapLoaded.usedMB.toFixed(1)} → ${heapScrolled.usedMB.toFixed(1)} MB; 60 Hz frames p95 ${quantile(scroll60.run.deltas, 0.95).toFixed(1)} ms over ${scroll60.run.frames} frames; ${scroll60.run.reads.calls} reads, last reply ${s(scroll60.run.reads.backlogMs)} after the scroll`,
      );
      const gentle = await measuredScroll(page, GENTLE_STEP);
      say(
        `    ${q.id}: ${GENTLE_STEP} px per frame, 60 Hz frames p95 ${quantile(gentle.run.deltas, 0.95).toFixed(1)} ms over ${gentle.run.frames} frames; ${gentle.run.reads.calls} reads`,
      );
      perQueue.set(q.id, { heapLoaded, heapScrolled, scroll60, gentle });
    }
    // The second Chromium joins the same browser session (its cookie), so it is signed in as the
    // moderator on the same engine and cache instead of signing in and syncing 100k cases again.
    const sessionCookies = await page.context().cookies();
    await browser.close();
    browsers.splice(browsers.indexOf(browser), 1);

    say('(2b) scroll again in a Chromium without the 60 Hz frame limit …');
    const fast = await chromium.launch({
      executablePath: CHROMIUM,
      args: [...BROWSER_ARGS, ...UNTHROTTLED_ARGS],
      ...OWN_SIGNALS,
    });
    browsers.push(fast);
    const fastPage = await openPage(fast, results.problems);
    await fastPage.context().addCookies(sessionCookies);
    await fastPage.goto(stack.host.url);
    await fastPage.getByTestId('session-user').waitFor({ timeout: WAIT_MS });
    const unthrottled = new Map<string, Scrolled>();
    for (const q of QUEUES) {
      await firstRenderByReload(fastPage, q.route, WAIT_MS);
      await sleep(SETTLE_MS * 2);
      const fastCdp = PROFILE_DIR ? await fastPage.context().newCDPSession(fastPage) : null;
      if (fastCdp) {
        await fastCdp.send('Profiler.enable');
        await fastCdp.send('Profiler.start');
      }
      if (TRACE_DIR)
        await fast.startTracing(fastPage, {
          categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'cc', 'gpu'],
        });
      const u = await measuredScroll(fastPage, SCROLL_STEP);
      if (TRACE_DIR) {
        const trace = await fast.stopTracing();
        fs.mkdirSync(TRACE_DIR, { recursive: true });
        fs.writeFileSync(path.join(TRACE_DIR, `scroll-unthrottled-${q.id}.trace.json`), trace);
      }
      if (fastCdp) {
        const { profile } = await fastCdp.send('Profiler.stop');
        fs.mkdirSync(PROFILE_DIR, { recursive: true });
        fs.writeFileSync(
          path.join(PROFILE_DIR, `scroll-unthrottled-${q.id}.cpuprofile`),
          JSON.stringify(profile),
        );
        await fastCdp.detach();
      }
      unthrottled.set(q.id, u);
      say(
        `    ${q.id}: unthrottled frames p95 ${quantile(u.run.deltas, 0.95).toFixed(1)} ms over ${u.run.frames} frames; ${u.run.reads.calls} reads, last reply ${s(u.run.reads.backlogMs)} after the scroll`,
      );
    }
    await fast.close();
    browsers.splice(browsers.indexOf(fast), 1);

    for (const q of QUEUES) {
      const p = perQueue.get(q.id)!;
      const u = unthrottled.get(q.id)!;
      results.queues.push({
        id: q.id,
        kind: q.kind,
        route: q.route,
        cases: expected(q),
        firstRender: {
          reload: summarize(reload.get(q.id)!),
          navigation: summarize(navigate.get(q.id)!),
        },
        heap: { loaded: p.heapLoaded, scrolled: p.heapScrolled },
        scroll: {
          at60Hz: scrollSummary(p.scroll60),
          gentle60Hz: scrollSummary(p.gentle),
          unthrottled: scrollSummary(u),
        },
      });
    }
  } catch (err) {
    // What the page showed when it went wrong (outside the temp folder, which is removed).
    const shot = path.join(os.tmpdir(), 'jx-bench-ui-failure.png');
    for (const b of browsers)
      for (const c of b.contexts())
        for (const p of c.pages()) await p.screenshot({ path: shot, fullPage: true }).catch(() => {});
    if (browsers.length) console.error(`screenshot of the page: ${shot}`);
    throw err;
  } finally {
    await cleanup();
  }
  results.machine.loadAfter = loadAverage();
  results.totalSeconds = (performance.now() - started) / 1000;
  fs.writeFileSync(JSON_OUT, `${JSON.stringify(results, null, 2)}\n`);
  // In the repository's JSON style, so `biome check .` stays clean when the file is committed.
  spawnSync(path.join(repoRoot, 'node_modules/.bin/biome'), ['format', '--write', JSON_OUT], {
    stdio: 'ignore',
  });
  const report = renderReport(results);
  console.log(`\n${report}`);
  say(`figures written to ${path.relative(process.cwd(), JSON_OUT)}`);
  if (RESULTS_FILE !== 'none') {
    updateResultsFile(RESULTS_FILE, report);
    say(`generated section of ${path.relative(process.cwd(), RESULTS_FILE)} updated`);
  }
  if (results.problems.length) {
    console.error(`problems in the page:\n  ${results.problems.join('\n  ')}`);
    process.exitCode = 1;
  }

  async function measuredScroll(page: Page, step: number): Promise<Scrolled> {
    const a = cpuMark({ user: 0, system: 0 }, []);
    const run = await scrollQueue(page, { seconds: SCROLL_SECONDS, step });
    return { run, busy: cpuBetween(a, cpuMark({ user: 0, system: 0 }, [])).machineBusy };
  }
}

async function openPage(browser: Browser, problems: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  await page.addInitScript({ content: FIRST_ROW_PROBE });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  return page;
}

/** Goes to the queue and waits until the engine is online and the queue's total reads `total`. */
async function waitForQueue(page: Page, route: string, total: number, first: boolean) {
  if (!first) await page.evaluate(`location.hash = ${JSON.stringify(route)}`);
  await page.locator('[data-testid="sync-state"][data-state="online"]').waitFor({ timeout: WAIT_MS });
  if (first) await page.evaluate(`location.hash = ${JSON.stringify(route)}`);
  const deadline = Date.now() + WAIT_MS;
  let seen: number | null = null;
  while (Date.now() < deadline) {
    seen = await queueTotal(page);
    if (seen === total) {
      await page.waitForSelector(ROW, { timeout: WAIT_MS });
      return;
    }
    await sleep(250);
  }
  throw new Error(`${route}: the queue reads ${seen} cases, expected ${total}`);
}

function quantile(values: readonly number[], p: number): number {
  const v = [...values].sort((a, b) => a - b);
  return v.length ? v[Math.min(v.length - 1, Math.max(0, Math.ceil(p * v.length) - 1))]! : Number.NaN;
}

function latency(values: readonly number[]) {
  const x = new Samples();
  for (const v of values) x.add(v);
  return x.summary();
}

function summarize(runs: FirstRender[]): FirstRenderSummary {
  const rows = new Samples();
  const frames = new Samples();
  for (const r of runs) {
    rows.add(r.firstRowMs);
    frames.add(r.firstRowFrameMs);
  }
  const p50 = (pick: (r: FirstRender) => number | null | undefined) => {
    const v = runs.map(pick).filter((x): x is number => typeof x === 'number');
    return v.length ? quantile(v, 0.5) : null;
  };
  return {
    firstRow: rows.summary(),
    firstRowFrame: frames.summary(),
    milestonesP50:
      runs[0]?.domContentLoadedMs === undefined
        ? null
        : {
            domContentLoaded: p50((r) => r.domContentLoadedMs),
            bridgeFirstSend: p50((r) => r.bridgeFirstSendMs),
            firstReadSent: p50((r) => r.firstReadSentMs),
            firstReadAnswered: p50((r) => r.firstReadAnsweredMs),
          },
    callsBeforeFirstRead: runs[0]?.callsBeforeFirstRead ?? [],
    runs: runs.map((r) => Math.round(r.firstRowMs * 10) / 10),
  };
}

interface Scrolled {
  run: ScrollRun;
  /** Machine busy over the scroll and the wait for its last reply. */
  busy: number;
}

function scrollSummary({ run, busy }: Scrolled): ScrollSummary {
  const d = new Samples();
  for (const x of run.deltas) d.add(x);
  const interval = 1000 / 60;
  return {
    frames: run.frames,
    seconds: run.seconds,
    fps: run.frames / run.seconds,
    delta: d.summary(),
    /** Frames that took longer than 1.5 display intervals, i.e. missed at least one vsync. */
    missedVsync: run.deltas.filter((x) => x > interval * 1.5).length,
    placeholderFrames: run.placeholderFrames,
    rowsPassed: run.rowsPassed,
    deepestRow: run.deepestRow,
    rowsInDom: run.rowsInDom,
    longTasks: run.longTasks,
    longFrames: run.longFrames,
    machineBusy: busy,
    reads: {
      calls: run.reads.calls,
      roundTrip: latency(run.reads.roundTrip),
      replyKiB: run.reads.replyKiB,
      answeredDuringScroll: run.reads.answeredDuringScroll,
      backlogMs: run.reads.backlogMs,
      stillPending: run.reads.stillPending,
    },
  };
}

/**
 * The page's window read (`cases.list`, default view: open + waiting, sort by SLA, 400 rows as
 * useCaseWindow asks at least) straight through `engine.dispatch` — cache worker and SQLite, no page and no
 * WebSocket — at the top, a quarter, half way and the end of the queue; the median of 5 each.
 */
async function engineReads(engine: ConsoleEngineHandle, q: Queue, total: number): Promise<EngineRead[]> {
  const out: EngineRead[] = [];
  for (const offset of [0, Math.floor(total / 4), Math.floor(total / 2), Math.max(0, total - 400)]) {
    const times: number[] = [];
    let items = 0;
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const reply = await engine.dispatch('cases.list', {
        kinds: [q.kind],
        statuses: ['open', 'waiting'],
        sort: 'sla',
        offset,
        limit: 400,
      });
      times.push(performance.now() - t);
      if (!reply.ok) throw new Error(`cases.list: ${JSON.stringify(reply.problem)}`);
      items = (reply.result as { items: unknown[] }).items.length;
    }
    out.push({ queue: q.id, offset, items, p50Ms: quantile(times, 0.5), maxMs: Math.max(...times) });
  }
  return out;
}

async function adminQuery(url: string, q: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(q);
  } finally {
    await c.end();
  }
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const int = (n: number) => Math.round(n).toLocaleString('en');

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
