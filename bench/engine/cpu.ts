/**
 * CPU over a measured window, by whom, from /proc (Linux; zeros elsewhere): the core process, PostgreSQL
 * (the backends of the bench database and the server's background processes, as pg_stat_activity lists
 * them when the window opens), this process (the engine, its cache worker thread, the bench's sockets),
 * the kernel (interrupts, softirqs and kernel threads: I/O completion, the ext4 journal, writeback — what
 * the cache's fsyncs cost outside this process), the hypervisor's steal, and everything else: other
 * processes alive when the window closes (named, heaviest first, so other people's jobs on a shared
 * machine show up as such) and a remainder of processes that started and ended inside the window.
 */
import fs from 'node:fs';
import pg from 'pg';

const TICK_MS = 10; // USER_HZ is 100 on Linux

interface ProcCpu {
  comm: string;
  ppid: number;
  /** Start time since boot (clock ticks): tells a reused pid from the same process. */
  started: number;
  ms: number;
}

function processes(): Map<number, ProcCpu> {
  const out = new Map<number, ProcCpu>();
  let pids: string[] = [];
  try {
    pids = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return out;
  }
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const f = stat.slice(close + 2).split(' ');
      out.set(Number(pid), {
        comm: stat.slice(stat.indexOf('(') + 1, close),
        ppid: Number(f[1]),
        started: Number(f[19]),
        ms: (Number(f[11]) + Number(f[12])) * TICK_MS,
      });
    } catch {
      /* exited */
    }
  }
  return out;
}

/** busy and total CPU ms of the machine, and its irq + softirq and steal, from /proc/stat. */
function machine(): { busy: number; total: number; irq: number; steal: number } {
  try {
    const v = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = v.slice(0, 8).reduce((s, x) => s + x, 0);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    return {
      busy: (total - idle) * TICK_MS,
      total: total * TICK_MS,
      irq: ((v[5] ?? 0) + (v[6] ?? 0)) * TICK_MS,
      steal: (v[7] ?? 0) * TICK_MS,
    };
  } catch {
    return { busy: 0, total: 0, irq: 0, steal: 0 };
  }
}

interface Mark {
  at: number;
  machine: ReturnType<typeof machine>;
  procs: Map<number, ProcCpu>;
  self: number;
}

const mark = (): Mark => {
  const c = process.cpuUsage();
  return { at: performance.now(), machine: machine(), procs: processes(), self: (c.user + c.system) / 1000 };
};

export interface WindowCpu {
  wallMs: number;
  /** Busy share of all CPUs over the window (0..1). */
  machineBusy: number;
  /** CPU ms of the core process. */
  serverMs: number;
  postgresMs: number;
  /** This process: the engine, its cache worker thread and the bench's own clients. */
  clientMs: number;
  /** Interrupts, softirqs and kernel threads. */
  kernelMs: number;
  /** Time the hypervisor gave to other guests while this one wanted to run. */
  stealMs: number;
  /** Other processes, plus the short-lived remainder. */
  foreignMs: number;
  /** The heaviest of those other processes, e.g. `node 1234: 820 ms`, and the short-lived remainder. */
  foreignTop: string[];
}

/** The PostgreSQL processes serving the bench database, and the server's background processes. */
async function postgresPids(dbUrl: string, dbName: string): Promise<Set<number>> {
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  try {
    const r = await c.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
       WHERE (datname = $1 AND pid <> pg_backend_pid()) OR backend_type <> 'client backend'`,
      [dbName],
    );
    return new Set(r.rows.map((x) => x.pid));
  } finally {
    await c.end();
  }
}

export class CpuWindow {
  private constructor(
    private readonly db: { url: string; name: string },
    private readonly corePid: number | undefined,
    private readonly start: Mark,
  ) {}

  static async open(dbUrl: string, dbName: string, corePid: number | undefined): Promise<CpuWindow> {
    return new CpuWindow({ url: dbUrl, name: dbName }, corePid, mark());
  }

  /**
   * Closes the window. Processes alive at the end count with what they spent since the start (all of it
   * when they started inside the window: a connection the core's pool opened meanwhile); PostgreSQL's are
   * those serving the bench database when the window closes.
   */
  async close(): Promise<WindowCpu> {
    const end = mark();
    const pgPids = await postgresPids(this.db.url, this.db.name);
    const a = this.start;
    let serverMs = 0;
    let postgresMs = 0;
    let kernelThreads = 0;
    let attributed = 0;
    const foreign: { name: string; ms: number }[] = [];
    for (const [pid, p] of end.procs) {
      const before = a.procs.get(pid);
      const ms = p.ms - (before && before.started === p.started ? before.ms : 0);
      if (ms <= 0) continue;
      attributed += ms;
      if (pid === this.corePid) serverMs += ms;
      else if (pgPids.has(pid)) postgresMs += ms;
      else if (pid === process.pid) continue;
      else if (pid === 2 || p.ppid === 2) kernelThreads += ms;
      else foreign.push({ name: `${p.comm} ${pid}`, ms });
    }
    const clientMs = end.self - a.self;
    const busy = end.machine.busy - a.machine.busy;
    const total = end.machine.total - a.machine.total;
    const irq = end.machine.irq - a.machine.irq;
    const stealMs = end.machine.steal - a.machine.steal;
    const selfTicks = (end.procs.get(process.pid)?.ms ?? 0) - (a.procs.get(process.pid)?.ms ?? 0);
    // Busy time no living process accounts for: processes that started and ended inside the window.
    const shortLived = Math.max(0, busy - (attributed - selfTicks + clientMs) - irq - stealMs);
    foreign.sort((x, y) => y.ms - x.ms);
    const foreignLiving = foreign.reduce((s, f) => s + f.ms, 0);
    return {
      wallMs: end.at - a.at,
      machineBusy: total > 0 ? busy / total : Number.NaN,
      serverMs,
      postgresMs,
      clientMs,
      kernelMs: kernelThreads + irq,
      stealMs,
      foreignMs: foreignLiving + shortLived,
      foreignTop: [
        ...foreign.slice(0, 4).map((f) => `${f.name}: ${f.ms} ms`),
        ...(shortLived >= 10 ? [`short-lived processes: ${Math.round(shortLived)} ms`] : []),
      ],
    };
  }
}
