import fs from 'node:fs';
import os from 'node:os';

export interface Machine {
  date: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  postgres: string;
  postgresSettings: Record<string, string>;
  loadBefore: [number, number, number];
  kernel: string;
}

export function describeMachine(postgres: string, settings: Record<string, string>): Machine {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m?.[1]) cpuModel = m[1].trim();
  } catch {
    /* not Linux */
  }
  return {
    date: new Date().toISOString(),
    cpus: os.availableParallelism(),
    cpuModel,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    postgres,
    postgresSettings: settings,
    loadBefore: os.loadavg().map((x) => Math.round(x * 100) / 100) as [number, number, number],
    kernel: `${os.type()} ${os.release()}`,
  };
}

export const loadAverage = (): string =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' / ');

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** Busy and total CPU time of the whole machine (ms, summed over CPUs) from /proc/stat. */
function machineTicks(): { busy: number; total: number } {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    const total = v.slice(0, 8).reduce((s, x) => s + x, 0);
    return { busy: (total - idle) * TICK_MS, total: total * TICK_MS };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/**
 * CPU time (ms) by pid of the given PostgreSQL processes (the backends serving the bench database and
 * the server's background processes, as pg_stat_activity lists them).
 */
function processMs(pids: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(pid, (Number(f[11]) + Number(f[12])) * TICK_MS);
    } catch {
      /* exited */
    }
  }
  return out;
}

export interface CpuMark {
  at: number;
  machine: { busy: number; total: number };
  postgres: Map<number, number>;
  client: number;
  server: number;
}

export function cpuMark(
  serverCpuUs: { user: number; system: number },
  postgresPids: readonly number[],
): CpuMark {
  const c = process.cpuUsage();
  return {
    at: performance.now(),
    machine: machineTicks(),
    postgres: processMs(postgresPids),
    client: (c.user + c.system) / 1000,
    server: (serverCpuUs.user + serverCpuUs.system) / 1000,
  };
}

export interface CpuSpent {
  wallMs: number;
  /** Busy share of all CPUs over the window (0..1). */
  machineBusy: number;
  /** CPU milliseconds spent in the window. */
  serverMs: number;
  postgresMs: number;
  clientMs: number;
  otherMs: number;
}

export function cpuBetween(a: CpuMark, b: CpuMark): CpuSpent {
  const busy = b.machine.busy - a.machine.busy;
  const total = b.machine.total - a.machine.total;
  const serverMs = b.server - a.server;
  // Only processes alive at both marks count (a backend that exited in between is not ours).
  let postgres = 0;
  for (const [pid, ms] of b.postgres) {
    const before = a.postgres.get(pid);
    if (before !== undefined) postgres += ms - before;
  }
  const clientMs = b.client - a.client;
  return {
    wallMs: b.at - a.at,
    machineBusy: total > 0 ? busy / total : Number.NaN,
    serverMs,
    postgresMs: postgres,
    clientMs,
    otherMs: Math.max(0, busy - serverMs - postgres - clientMs),
  };
}
