import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CoreSupervisor, type SupervisedChild, superviseCore } from './core-supervisor';

/**
 * The supervisor with real child processes: a tiny Node script that says `ready` after a while and then
 * exits (or not) as each test plans it, standing in for the core.
 */

const SCRIPT = `
const [readyMs, exitMs, code] = process.argv.slice(2).map(Number);
if (readyMs < 0) process.exit(code);
setTimeout(() => {
  console.log('ready');
  if (exitMs >= 0) setTimeout(() => process.exit(code), exitMs);
}, readyMs);
setInterval(() => {}, 1000);
`;

/** One start: ready after `readyMs` (negative: exits at once, never ready), exits `exitMs` later (negative: stays up). */
interface Plan {
  readyMs: number;
  exitMs: number;
  code?: number;
}

let tmp: string;
let script: string;
const spawned: ChildProcess[] = [];

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jx-supervisor-'));
  script = path.join(tmp, 'child.mjs');
  fs.writeFileSync(script, SCRIPT);
});
afterAll(() => {
  for (const child of spawned)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  fs.rmSync(tmp, { recursive: true, force: true });
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the script per `plan`, resolving at its `ready` line (what startCoreProcess does at /healthz). */
function startScript(plan: Plan, signal: AbortSignal): Promise<SupervisedChild> {
  const child = spawn(
    process.execPath,
    [script, String(plan.readyMs), String(plan.exitMs), String(plan.code ?? 3)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  spawned.push(child);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, sig) => resolve(code ?? sig ?? 'unknown')),
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      void stop();
      reject(new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line !== 'ready') return;
      signal.removeEventListener('abort', onAbort);
      resolve({ pid: child.pid!, exited, stop });
    });
    void exited.then((status) => reject(new Error(`exited before it was ready (${status})`)));
  });
}

/** A supervisor whose n-th start follows plans[n] (the last plan repeats), recording when each start began. */
async function supervise(
  plans: Plan[],
  timing: { initialDelayMs: number; maxDelayMs: number; stableAfterMs: number },
) {
  const starts: number[] = [];
  const log: string[] = [];
  const supervisor = await superviseCore({
    ...timing,
    start: (signal) => {
      starts.push(Date.now());
      return startScript(plans[Math.min(starts.length - 1, plans.length - 1)]!, signal);
    },
    log: (line) => log.push(line),
  });
  running.push(supervisor);
  return { supervisor, starts, log };
}

const running: CoreSupervisor<SupervisedChild>[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

async function until(check: () => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(20);
  }
}

describe('core supervisor', () => {
  it('starts the child again after it exits, waiting longer after each short run, and says so in zh and en', async () => {
    const { supervisor, starts, log } = await supervise(
      [
        { readyMs: 0, exitMs: 0 },
        { readyMs: 0, exitMs: 0 },
        { readyMs: 0, exitMs: 0 },
        { readyMs: 0, exitMs: 0 },
        { readyMs: 0, exitMs: -1 },
      ],
      { initialDelayMs: 100, maxDelayMs: 300, stableAfterMs: 60_000 },
    );
    await until(() => starts.length === 5 && supervisor.current() !== null);
    const child = supervisor.current()!;
    expect(alive(child.pid)).toBe(true);
    expect(supervisor.restarts()).toBe(4);
    // Pauses of 100, 200, 300 (capped), 300 ms between an exit and the next start.
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(100);
    expect(gaps[1]).toBeGreaterThanOrEqual(200);
    expect(gaps[2]).toBeGreaterThanOrEqual(300);
    expect(gaps[3]).toBeGreaterThanOrEqual(300);
    expect(gaps[3]).toBeLessThan(1500); // capped, not 800 + …
    expect(log.filter((l) => l.includes('核心服务已退出') && l.includes('The core exited (3)'))).toHaveLength(
      4,
    );
    expect(
      log.filter((l) => l.includes('秒后重启核心服务') && l.includes('Restarting the core in')),
    ).toHaveLength(4);
    expect(log).toContain(
      `核心服务已重新启动（PID ${child.pid}） The core is running again (PID ${child.pid})`,
    );
    expect(log.some((l) => l.includes('Restarting the core in 0.3 s'))).toBe(true);
  });

  it('goes back to the first pause once a child has stayed up a while', async () => {
    const { starts, log } = await supervise(
      [
        { readyMs: 0, exitMs: 0 },
        { readyMs: 0, exitMs: 0 },
        { readyMs: 0, exitMs: 500 }, // up longer than stableAfterMs
        { readyMs: 0, exitMs: -1 },
      ],
      { initialDelayMs: 100, maxDelayMs: 10_000, stableAfterMs: 400 },
    );
    await until(() => starts.length === 4);
    const waits = log.filter((l) => /^\d/.test(l)).map((l) => l.split(' ')[0]);
    // 0.1 s, 0.2 s, then back to 0.1 s after the child that ran 500 ms.
    expect(waits).toEqual(['0.1', '0.2', '0.1']);
  });

  it('keeps trying when a restart fails, with the same growing pauses', async () => {
    const { supervisor, starts, log } = await supervise(
      [
        { readyMs: 0, exitMs: 0 },
        { readyMs: -1, exitMs: -1, code: 7 },
        { readyMs: -1, exitMs: -1, code: 7 },
        { readyMs: 0, exitMs: -1 },
      ],
      { initialDelayMs: 50, maxDelayMs: 1000, stableAfterMs: 60_000 },
    );
    await until(() => starts.length === 4 && supervisor.current() !== null);
    expect(log.filter((l) => l.startsWith('核心服务重启失败 The core could not restart'))).toHaveLength(2);
    expect(supervisor.restarts()).toBe(1);
    expect(starts[3]! - starts[2]!).toBeGreaterThanOrEqual(200); // 50, 100, 200
  });

  it('stop() ends the running child by its PID and nothing starts after', async () => {
    const { supervisor, starts } = await supervise([{ readyMs: 0, exitMs: -1 }], {
      initialDelayMs: 50,
      maxDelayMs: 50,
      stableAfterMs: 60_000,
    });
    const pid = supervisor.current()!.pid;
    await supervisor.stop();
    expect(alive(pid)).toBe(false);
    expect(supervisor.current()).toBeNull();
    await sleep(300);
    expect(starts).toHaveLength(1);
    await supervisor.stop(); // a second call is harmless
  });

  it('stop() during a pause starts nothing, and during a start stops the child being started', async () => {
    const pausing = await supervise(
      [
        { readyMs: 0, exitMs: 0 },
        { readyMs: 0, exitMs: -1 },
      ],
      { initialDelayMs: 5000, maxDelayMs: 5000, stableAfterMs: 60_000 },
    );
    await until(() => pausing.log.some((l) => l.includes('Restarting the core in 5 s')));
    await pausing.supervisor.stop();
    await sleep(200);
    expect(pausing.starts).toHaveLength(1);

    const slow = await supervise(
      [
        { readyMs: 0, exitMs: 0 },
        { readyMs: 60_000, exitMs: -1 }, // never gets ready in time
      ],
      { initialDelayMs: 20, maxDelayMs: 20, stableAfterMs: 60_000 },
    );
    await until(() => slow.starts.length === 2);
    await sleep(200); // the second child is running, not yet ready
    const starting = spawned.at(-1)!;
    expect(starting.exitCode === null && starting.signalCode === null).toBe(true);
    await slow.supervisor.stop();
    await until(() => starting.exitCode !== null || starting.signalCode !== null, 5000);
    expect(slow.supervisor.current()).toBeNull();
    expect(slow.starts).toHaveLength(2);
  });
});
