/**
 * Keeps the embedded core running under `npm run start:web`: when the core child exits (a crash, an OOM
 * kill, someone stopping it), the web host and the console engine stay up — the engine is then simply
 * offline, as with any unreachable core — and the supervisor starts a new core after a pause that doubles
 * with each failure (1 s, 2 s, 4 s … capped at 30 s) and starts over once a core has stayed up a while.
 * Every exit, wait and restart is logged in Chinese and English. `stop()` ends it all: no further restart,
 * a start in progress aborted, the running child stopped by its PID.
 *
 * The supervisor knows nothing about the core itself: `start` starts one child and resolves once it is
 * ready (startCoreProcess for the real core, a small script in the unit test).
 */

export interface SupervisedChild {
  pid: number;
  /** Resolves with the exit code (or the signal's name) when the child ends, for whatever reason. */
  exited: Promise<number | string>;
  /** Ends this child (by its PID) and resolves once it is gone. */
  stop(): Promise<void>;
}

export interface CoreSupervisorOptions<C extends SupervisedChild> {
  /** Starts one child and resolves once it is ready, or rejects; `signal` aborts a start in progress. */
  start: (signal: AbortSignal) => Promise<C>;
  /** Each exit, wait and restart (one line each, zh + en). */
  log?: (line: string) => void;
  /** A child that did start (the first one included). */
  onStarted?: (child: C) => void;
  /** The first pause before a restart (default 1 s); doubled after each failed or short-lived start. */
  initialDelayMs?: number;
  /** The longest pause (default 30 s). */
  maxDelayMs?: number;
  /** A child that stayed up this long (default 60 s) resets the pause to `initialDelayMs`. */
  stableAfterMs?: number;
}

export interface CoreSupervisor<C extends SupervisedChild> {
  /** The running child, or null while it is down (between an exit and the next successful start). */
  current(): C | null;
  /** How many times a child was started again after an exit. */
  restarts(): number;
  /** No further restart; aborts a start in progress and stops the running child. Safe to call twice. */
  stop(): Promise<void>;
}

export const SUPERVISOR_DEFAULTS = { initialDelayMs: 1000, maxDelayMs: 30_000, stableAfterMs: 60_000 };

/**
 * Starts the first child (rejecting, with nothing left running, if that fails: a core that cannot start
 * at all is a configuration problem to report, not to retry) and then watches it.
 */
export async function superviseCore<C extends SupervisedChild>(
  opts: CoreSupervisorOptions<C>,
): Promise<CoreSupervisor<C>> {
  const log = opts.log ?? (() => {});
  const initialDelayMs = opts.initialDelayMs ?? SUPERVISOR_DEFAULTS.initialDelayMs;
  const maxDelayMs = opts.maxDelayMs ?? SUPERVISOR_DEFAULTS.maxDelayMs;
  const stableAfterMs = opts.stableAfterMs ?? SUPERVISOR_DEFAULTS.stableAfterMs;
  const aborter = new AbortController();

  let current: C | null = null;
  let restarts = 0;
  /** Failed or short-lived starts in a row: the next pause is initialDelayMs · 2^failures. */
  let failures = 0;
  let stopping = false;
  /** The watch-and-restart loop, so stop() can wait for it to notice. */
  let loop: Promise<void> = Promise.resolve();

  const started = (child: C) => {
    current = child;
    opts.onStarted?.(child);
    loop = watch(child);
  };

  const watch = async (child: C): Promise<void> => {
    const since = Date.now();
    const status = await child.exited;
    current = null;
    if (stopping) return;
    const upMs = Date.now() - since;
    if (upMs >= stableAfterMs) failures = 0;
    log(
      `核心服务已退出（${status}，运行了 ${seconds(upMs)} 秒），控制台继续运行（离线） ` +
        `The core exited (${status}) after ${seconds(upMs)} s; the console keeps running (offline)`,
    );
    while (!stopping) {
      const delay = Math.min(maxDelayMs, initialDelayMs * 2 ** failures);
      failures += 1;
      log(`${seconds(delay)} 秒后重启核心服务 Restarting the core in ${seconds(delay)} s…`);
      await pause(delay, aborter.signal);
      if (stopping) return;
      try {
        const next = await opts.start(aborter.signal);
        if (stopping) {
          await next.stop();
          return;
        }
        restarts += 1;
        log(`核心服务已重新启动（PID ${next.pid}） The core is running again (PID ${next.pid})`);
        started(next);
        return;
      } catch (err) {
        if (stopping) return;
        log(
          `核心服务重启失败 The core could not restart: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
  };

  started(await opts.start(aborter.signal));

  return {
    current: () => current,
    restarts: () => restarts,
    stop: async () => {
      stopping = true;
      aborter.abort();
      const child = current;
      await child?.stop();
      await loop;
    },
  };
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1);
}

/** Waits `ms`, or less if `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
