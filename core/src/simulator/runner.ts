import {
  ACTION_IMPLS,
  ACTIONS,
  type ActionName,
  DEFAULT_MIX,
  DEFAULT_SHARES,
  EFFECTS,
  type Effect,
  learnOwnListings,
  login,
  type Outcome,
  register,
  type Shares,
  type SimUser,
  type World,
} from './actors';
import { HttpClient, type TrafficStats } from './http';
import { Dice } from './random';

/**
 * `simulate(opts)`: a population of marketplace users driving a running core over HTTP, one weighted
 * action per step, paced at `rate` actions per second, until `steps` or `durationMs` is reached or
 * `signal` aborts. Never throws for what the API answers; returns the stats. Used by the CLI
 * (`npm run simulate`), by `npm start` (gently, in the background) and by the simulator's test.
 */

export interface SimulateOptions {
  /** Base URL of the core, e.g. http://127.0.0.1:3000. */
  url: string;
  /** The sandbox gateway; learnt from the first pay URL when omitted. */
  sandboxUrl?: string | undefined;
  /** Actions per second; 0 (or Infinity) runs them back to back. Default 2. */
  rate?: number;
  /** Stop after this many steps. */
  steps?: number | undefined;
  /** Stop after this many milliseconds. */
  durationMs?: number | undefined;
  /** Seeds every decision (which user, which action, which text). Default: time-based. */
  seed?: number;
  /** Weights per action; missing actions keep their default weight, 0 disables one. */
  mix?: Partial<Record<ActionName, number>>;
  shares?: Partial<Shares>;
  /** Population size per role (default 8 clients, 6 freelancers). */
  clients?: number;
  freelancers?: number;
  /** Accounts to sign in first (the rest of the population comes from demo users or sign-ups). */
  accounts?: { login: string; password: string; role: 'client' | 'freelancer'; realName?: string }[];
  /** Try the demo users (client002…, freelancer002…) before signing up new ones. Default true. */
  demoUsers?: boolean;
  demoPassword?: string;
  signal?: AbortSignal;
  /** Receives the running tally and the final summary lines. Default: nothing is printed. */
  report?: (text: string) => void;
  /** How often the running tally is reported. Default 10 s. */
  reportEveryMs?: number;
  /** Suffix of this run's sign-up user names (unique per run by default). */
  runTag?: string;
}

export interface ActionTally {
  ok: number;
  failed: number;
  skipped: number;
  unavailable: number;
}

export interface SimStats extends TrafficStats {
  seed: number;
  startedAt: string;
  elapsedMs: number;
  steps: number;
  stoppedBy: 'steps' | 'duration' | 'signal' | 'no_population' | null;
  population: { clients: number; freelancers: number };
  actions: Record<ActionName, ActionTally>;
  effects: Record<Effect, number>;
  /** Unexpected exceptions inside an action (bugs in the simulator or garbage from the core). */
  exceptions: number;
}

const pad3 = (n: number) => String(n).padStart(3, '0');

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Signs in the given accounts, then demo users, then signs up whoever is still missing. */
async function populate(w: World, opts: SimulateOptions): Promise<void> {
  for (const a of opts.accounts ?? []) {
    const u = await login(w, a.login, a.password, a.role);
    if (u && a.realName) u.realName = a.realName;
    if (u) (a.role === 'client' ? w.clients : w.freelancers).push(u);
  }
  const targets = { client: opts.clients ?? 8, freelancer: opts.freelancers ?? 6 };
  for (const role of ['client', 'freelancer'] as const) {
    const pool = role === 'client' ? w.clients : w.freelancers;
    // client001 / freelancer001 are the humans' demo logins: the simulator starts at 002.
    for (let i = 2; opts.demoUsers !== false && pool.length < targets[role]; i++) {
      const u: SimUser | null = await login(
        w,
        `${role}${pad3(i)}`,
        opts.demoPassword ?? 'jiangxin-demo',
        role,
      );
      if (!u) break;
      pool.push(u);
    }
    while (pool.length < targets[role]) {
      const u = await register(w, role);
      if (!u) break;
      pool.push(u);
    }
  }
  for (const f of w.freelancers) await learnOwnListings(w, f);
}

function emptyStats(seed: number): SimStats {
  return {
    seed,
    startedAt: new Date().toISOString(),
    elapsedMs: 0,
    steps: 0,
    stoppedBy: null,
    population: { clients: 0, freelancers: 0 },
    actions: Object.fromEntries(
      ACTIONS.map((a) => [a, { ok: 0, failed: 0, skipped: 0, unavailable: 0 }]),
    ) as Record<ActionName, ActionTally>,
    effects: Object.fromEntries(EFFECTS.map((e) => [e, 0])) as Record<Effect, number>,
    requests: 0,
    errors: {},
    unavailable: {},
    exceptions: 0,
  };
}

export async function simulate(opts: SimulateOptions): Promise<SimStats> {
  const seed = opts.seed ?? Date.now() % 2_147_483_647;
  const stats = emptyStats(seed);
  const dice = new Dice(seed);
  const started = Date.now();
  const clientFor = (baseUrl: string) => new HttpClient(baseUrl, stats);
  const w: World = {
    api: clientFor(opts.url),
    sandbox: opts.sandboxUrl ? clientFor(opts.sandboxUrl) : null,
    dice,
    shares: { ...DEFAULT_SHARES, ...opts.shares },
    runTag: opts.runTag ?? Date.now().toString(36).slice(-6),
    clients: [],
    freelancers: [],
    services: new Map(),
    leaves: null,
    plans: new Map(),
    disputed: new Map(),
    leakyMessages: [],
    seq: 0,
    effect: (e, n = 1) => {
      stats.effects[e] += n;
    },
    clientFor,
  };
  const mix: Partial<Record<ActionName, number>> = { ...DEFAULT_MIX, ...opts.mix };
  const rate = opts.rate ?? 2;
  const intervalMs = rate > 0 && Number.isFinite(rate) ? 1000 / rate : 0;
  const report = opts.report;
  const timer = report
    ? setInterval(() => {
        stats.elapsedMs = Date.now() - started;
        report(formatTally(stats));
      }, opts.reportEveryMs ?? 10_000)
    : undefined;
  timer?.unref();

  try {
    await populate(w, opts);
    stats.population = { clients: w.clients.length, freelancers: w.freelancers.length };
    if (w.clients.length + w.freelancers.length === 0) {
      stats.stoppedBy = 'no_population';
      return stats;
    }
    const loopStart = Date.now();
    for (;;) {
      if (opts.signal?.aborted) {
        stats.stoppedBy = 'signal';
        break;
      }
      if (opts.steps !== undefined && stats.steps >= opts.steps) {
        stats.stoppedBy = 'steps';
        break;
      }
      if (opts.durationMs !== undefined && Date.now() - started >= opts.durationMs) {
        stats.stoppedBy = 'duration';
        break;
      }
      await step(w, mix, stats);
      stats.steps += 1;
      if (intervalMs > 0) {
        // Keep the average rate; after a slow stretch, do not burst more than one step to catch up.
        const due = loopStart + stats.steps * intervalMs;
        const wait = Math.max(0, due - Date.now());
        let until = wait;
        if (opts.durationMs !== undefined) until = Math.min(wait, started + opts.durationMs - Date.now());
        await sleep(until, opts.signal);
      }
    }
  } finally {
    if (timer) clearInterval(timer);
    stats.elapsedMs = Date.now() - started;
  }
  report?.(formatSummary(stats));
  return stats;
}

/** One step: a weighted action; when it finds nothing to do, up to two more draws. */
async function step(w: World, mix: Partial<Record<ActionName, number>>, stats: SimStats): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const action = w.dice.weighted(mix);
    if (!action) return;
    let outcome: Outcome;
    try {
      outcome = await ACTION_IMPLS[action](w);
    } catch (err) {
      stats.exceptions += 1;
      const k = `exception ${(err as Error).message.slice(0, 80)}`;
      stats.errors[k] = (stats.errors[k] ?? 0) + 1;
      outcome = 'failed';
    }
    stats.actions[action][outcome] += 1;
    if (outcome !== 'skipped') return;
  }
}

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

/** One line for the running tally. */
export function formatTally(s: SimStats): string {
  const e = s.effects;
  const errors = sum(s.errors);
  const unavailable = sum(s.unavailable);
  return (
    `[simulate ${(s.elapsedMs / 1000).toFixed(0)}s] steps ${s.steps} · requests ${s.requests} · ` +
    `orders ${e.ordersCreated} (paid ${e.paymentsSucceeded}, failed pay ${e.paymentsFailed}, completed ${e.ordersCompleted}, disputed ${e.disputesOpened}) · ` +
    `listings ${e.listingsCreated} (leaks ${e.listingsWithContactLeak}, prohibited ${e.listingsWithProhibitedContent}) · ` +
    `withdrawals ${e.withdrawalsRequested} · support ${e.supportChatsOpened}/${e.supportMessagesSent} · reports ${e.reportsFiled} · ` +
    `errors ${errors}${unavailable ? ` · unavailable ${unavailable}` : ''}`
  );
}

/** The final summary: what the population did, what the API refused, which routes were missing. */
export function formatSummary(s: SimStats): string {
  const lines = [
    `── simulation summary (seed ${s.seed}, ${s.steps} steps in ${(s.elapsedMs / 1000).toFixed(1)} s, stopped by ${s.stoppedBy ?? 'error'}) ──`,
    `population: ${s.population.clients} clients, ${s.population.freelancers} freelancers · ${s.requests} requests`,
    'effects:',
    ...Object.entries(s.effects)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `  ${k.padEnd(32)} ${n}`),
    'actions (ok / failed / skipped / unavailable):',
    ...Object.entries(s.actions)
      .filter(([, t]) => t.ok + t.failed + t.skipped + t.unavailable > 0)
      .map(([k, t]) => `  ${k.padEnd(32)} ${t.ok} / ${t.failed} / ${t.skipped} / ${t.unavailable}`),
  ];
  const errors = Object.entries(s.errors).sort((a, b) => b[1] - a[1]);
  lines.push(errors.length ? 'API errors by code:' : 'API errors: none');
  for (const [k, n] of errors) lines.push(`  ${k.padEnd(40)} ${n}`);
  const missing = Object.entries(s.unavailable);
  if (missing.length) {
    lines.push('routes unavailable on this core (counted, not errors):');
    for (const [k, n] of missing) lines.push(`  ${k.padEnd(52)} ${n}`);
  }
  return lines.join('\n');
}

/** Parses `--mix key=weight,…`; unknown keys and bad numbers are reported, not ignored. */
export function parseMix(text: string): Partial<Record<ActionName, number>> {
  const mix: Partial<Record<ActionName, number>> = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [k, v] = part.split('=').map((x) => x.trim());
    if (!k || !(ACTIONS as readonly string[]).includes(k))
      throw new Error(`unknown action "${k}" in --mix (known: ${ACTIONS.join(', ')})`);
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < 0)
      throw new Error(`bad weight for ${k} in --mix: "${v}"`);
    mix[k as ActionName] = n;
  }
  return mix;
}
