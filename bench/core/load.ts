import http from 'node:http';

/** A keep-alive HTTP/1.1 client over node:http (lighter than fetch, so the load generator costs less CPU). */
export class HttpClient {
  readonly #agent: http.Agent;
  readonly #host: string;
  readonly #port: number;

  constructor(baseUrl: string, maxSockets: number) {
    const u = new URL(baseUrl);
    this.#host = u.hostname;
    this.#port = Number(u.port);
    this.#agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  request(
    method: string,
    path: string,
    opts: { headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
  ): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { ...opts.headers };
      if (opts.body !== undefined) headers['content-length'] = Buffer.byteLength(opts.body);
      const req = http.request(
        { host: this.#host, port: this.#port, method, path, headers, agent: this.#agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.setTimeout(opts.timeoutMs ?? 30_000, () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on('error', reject);
      if (opts.body !== undefined) req.write(opts.body);
      req.end();
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

/** Latency samples in milliseconds. */
export class Samples {
  readonly values: number[] = [];
  add(ms: number): void {
    this.values.push(ms);
  }
  get count(): number {
    return this.values.length;
  }
  summary(): LatencySummary {
    const v = [...this.values].sort((a, b) => a - b);
    const q = (p: number) =>
      v.length ? v[Math.min(v.length - 1, Math.ceil(p * v.length) - 1)]! : Number.NaN;
    const mean = v.length ? v.reduce((s, x) => s + x, 0) / v.length : Number.NaN;
    return { count: v.length, mean, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: v.at(-1) ?? Number.NaN };
  }
}

export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface LoadResult {
  /** Operations that completed inside the measured window. */
  completed: number;
  seconds: number;
  perSecond: number;
  errors: number;
  firstError: string | null;
  /** `total` is the whole operation; other keys are the parts the operation reported. */
  latency: Record<string, LatencySummary>;
}

/**
 * A closed loop: `concurrency` workers each run `op` back to back until the window ends (or `maxOps`
 * operations have been measured). Operations completing during the warm-up are not recorded; the
 * window starts when the warm-up ends, and only operations that complete inside it count, each with its
 * own latency and the part latencies it returns. Stops by itself; an error rate above 1 % aborts.
 */
export async function closedLoop(opts: {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  maxOps?: number;
  op: (worker: number, n: number) => Promise<Record<string, number> | undefined>;
  /** Called when the measured window opens and when it closes (CPU and server counters are read there). */
  onWindow?: (edge: 'start' | 'end') => void;
}): Promise<LoadResult> {
  const parts = new Map<string, Samples>([['total', new Samples()]]);
  let measuring = false;
  let stop = false;
  let completed = 0;
  let started = 0;
  let errors = 0;
  let attempts = 0;
  let firstError: string | null = null;
  let windowStart = 0;
  let windowEnd = 0;

  const worker = async (w: number) => {
    while (!stop) {
      const n = started++;
      const t0 = performance.now();
      try {
        const partTimes = await opts.op(w, n);
        const t1 = performance.now();
        if (measuring && !stop) {
          completed += 1;
          // An operation may report its own `total` (to leave out bookkeeping it did after the work).
          if (partTimes?.['total'] === undefined) parts.get('total')!.add(t1 - t0);
          for (const [k, v] of Object.entries(partTimes ?? {})) {
            const s = parts.get(k) ?? new Samples();
            parts.set(k, s);
            s.add(v);
          }
          if (opts.maxOps !== undefined && completed >= opts.maxOps) {
            stop = true;
            windowEnd = performance.now();
            opts.onWindow?.('end');
          }
        }
      } catch (err) {
        errors += 1;
        firstError ??= String((err as Error).message ?? err);
      }
      attempts += 1;
      if (errors > 20 && errors > attempts * 0.01) {
        stop = true;
        throw new Error(`aborting: ${errors} of ${attempts} operations failed; first: ${firstError}`);
      }
    }
  };

  const workers = Array.from({ length: opts.concurrency }, (_, w) => worker(w));
  const timers: NodeJS.Timeout[] = [];
  timers.push(
    setTimeout(() => {
      measuring = true;
      windowStart = performance.now();
      opts.onWindow?.('start');
    }, opts.warmupMs),
  );
  timers.push(
    setTimeout(() => {
      if (!stop) {
        stop = true;
        windowEnd = performance.now();
        opts.onWindow?.('end');
      }
    }, opts.warmupMs + opts.durationMs),
  );
  try {
    await Promise.all(workers);
  } finally {
    for (const t of timers) clearTimeout(t);
    stop = true;
  }
  if (!windowEnd) windowEnd = performance.now();
  const seconds = (windowEnd - windowStart) / 1000;
  return {
    completed,
    seconds,
    perSecond: completed / seconds,
    errors,
    firstError,
    latency: Object.fromEntries([...parts].map(([k, s]) => [k, s.summary()])),
  };
}
