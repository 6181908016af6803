import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import os from 'node:os';
import PgBoss from 'pg-boss';
import { Gauge, type Registry } from 'prom-client';
import type { AppContext } from '../context';
import { type JobMetrics, jobMetrics } from '../http/metrics';
import { bossDb } from './boss-db';

/** One background job of the core. */
export interface JobSpec {
  /** Queue name in pg-boss and the label of its metrics (`order-timeouts`). */
  name: string;
  run(ctx: AppContext): Promise<unknown>;
  /**
   * `every`: runs once per interval (JOB_INTERVAL_SECONDS, or its JOB_INTERVALS override, divided by
   * TIME_SCALE). `cron`: on a cron expression in China time (pg-boss schedules).
   */
  when: { every: true } | { cron: string };
  /** Whether `sweep()` (run every due job now) includes it. */
  sweep: boolean;
  /** pg-boss expiry of one run (default 10 intervals, at least a minute). */
  expireInSeconds?: number;
}

export const CHINA_TZ = 'Asia/Shanghai';

let completionsGuarded = false;
/**
 * pg-boss 10.4 (pinned) records a finished job with `this.complete(…)` / `this.fail(…)` without awaiting
 * them: when the database is unreachable at that moment the rejection is unhandled, which ends a Node
 * process. Its Manager is not exported, so its two methods are wrapped once here: the caller still gets
 * the same promise, and a refusal becomes the boss's 'error' event (logged as a job queue error). The
 * job itself is not lost: pg-boss expires an active job it never heard back about.
 */
function guardPgBossCompletions(): void {
  if (completionsGuarded) return;
  completionsGuarded = true;
  const Manager = createRequire(import.meta.url)('pg-boss/src/manager') as {
    prototype: Record<string, (this: { emit(e: string, arg: unknown): void }, ...args: unknown[]) => unknown>;
  };
  for (const name of ['complete', 'fail']) {
    const original = Manager.prototype[name];
    if (typeof original !== 'function') throw new Error(`pg-boss Manager.${name} not found: check the guard`);
    Manager.prototype[name] = function (this: { emit(e: string, arg: unknown): void }, ...args: unknown[]) {
      const result = original.apply(this, args) as Promise<unknown>;
      result.then(undefined, (err: unknown) => this.emit('error', err));
      return result;
    };
  }
}

/** Parses `name=seconds,…`; unknown names are refused so a typo does not silently keep the default. */
function intervalOverrides(raw: string | undefined, names: readonly string[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const part of raw ? raw.split(',') : []) {
    const [name, seconds] = part.split('=') as [string, string];
    if (!names.includes(name))
      throw new Error(`JOB_INTERVALS: unknown job "${name}" (jobs: ${names.join(', ')})`);
    map.set(name, Number(seconds));
  }
  return map;
}

/**
 * The background jobs on pg-boss, on the same database (PostgreSQL, or PGlite through `bossDb`).
 *
 * A periodic job is a pg-boss queue with the `stately` policy (at most one queued and one running run)
 * fed by every instance: each instance offers a run every half interval with a singleton key and
 * `singletonSeconds` = the interval, and pg-boss's unique (name, time slot, key) index keeps exactly one
 * per slot however many instances offer it. Whichever instance's worker fetches it runs it. Cron jobs use
 * pg-boss schedules, which are also sent once per minute cluster-wide. Every run is counted in the
 * metrics and logged in `job_runs` (with its slot, so tests can prove once per slot).
 *
 * `sweep()` runs every periodic job now, in this process, awaited (tests move the clock and call it).
 */
export class Jobs {
  /** Identifies this process in `job_runs`. */
  readonly instance = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly metrics: JobMetrics;
  private readonly intervals: Map<string, number>;
  private boss: PgBoss | undefined;
  private readonly tickers: NodeJS.Timeout[] = [];

  constructor(
    private readonly ctx: AppContext,
    readonly specs: readonly JobSpec[],
    registry: Registry,
  ) {
    this.metrics = jobMetrics(registry);
    const queueSize = (name: string) => this.boss?.getQueueSize(name) ?? Promise.resolve(null);
    new Gauge({
      name: 'job_queue_depth',
      help: 'Runs waiting in the job queue (created or retrying, not yet active), by job; absent while jobs are off',
      labelNames: ['job_name'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const spec of specs) {
          const n = await queueSize(spec.name);
          if (n !== null) this.set({ job_name: spec.name }, n);
        }
      },
    });
    const names = specs.map((s) => s.name);
    const overrides = intervalOverrides(ctx.env.JOB_INTERVALS, names);
    this.intervals = new Map(
      specs.map((s) => [
        s.name,
        Math.max(1, Math.round((overrides.get(s.name) ?? ctx.env.JOB_INTERVAL_SECONDS) / ctx.env.TIME_SCALE)),
      ]),
    );
  }

  get enabled(): boolean {
    return this.ctx.env.JOBS_ENABLED && this.ctx.env.SWEEP_INTERVAL_SECONDS > 0;
  }

  /** Seconds between runs of a periodic job, after TIME_SCALE (at least 1). */
  intervalOf(name: string): number {
    const seconds = this.intervals.get(name);
    if (seconds === undefined) throw new Error(`no job named ${name}`);
    return seconds;
  }

  /** Runs one job now in this process, counted in the metrics; rethrows its error. */
  async run(name: string, opts: { slot?: Date | null; record?: boolean } = {}): Promise<unknown> {
    const spec = this.specs.find((s) => s.name === name);
    if (!spec) throw new Error(`no job named ${name}`);
    const started = new Date();
    const stop = this.metrics.duration.startTimer({ job_name: name });
    let error: unknown;
    let result: unknown;
    try {
      result = await spec.run(this.ctx);
      this.metrics.runs.inc({ job_name: name, outcome: 'ok' });
    } catch (err) {
      error = err;
      this.metrics.runs.inc({ job_name: name, outcome: 'failed' });
      this.metrics.failures.inc({ job_name: name });
    } finally {
      stop();
    }
    if (opts.record) await this.record(name, opts.slot ?? null, started, result, error);
    if (error) throw error;
    return result;
  }

  /** Runs every periodic job now, in order, awaited; throws after all ran if any failed. */
  async sweep(): Promise<void> {
    const errors: unknown[] = [];
    for (const spec of this.specs) {
      if (!spec.sweep) continue;
      await this.run(spec.name).catch((err) => errors.push(err));
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length) throw new AggregateError(errors, `${errors.length} jobs failed`);
  }

  /** Starts pg-boss, its queues, workers and schedules (no-op when jobs are disabled). */
  async start(): Promise<void> {
    if (!this.enabled || this.boss) return;
    guardPgBossCompletions();
    const hasCron = this.specs.some((s) => 'cron' in s.when);
    const boss = new PgBoss({
      db: bossDb(this.ctx.db),
      schema: 'pgboss',
      migrate: true,
      supervise: true,
      schedule: hasCron,
      maintenanceIntervalSeconds: 120,
      archiveCompletedAfterSeconds: 3600,
      deleteAfterDays: 3,
    });
    boss.on('error', (err) => this.ctx.log.warn({ err }, 'job queue error'));
    await boss.start();
    this.boss = boss;
    for (const spec of this.specs) {
      const every = 'every' in spec.when ? this.intervalOf(spec.name) : 60;
      await boss.createQueue(spec.name, {
        name: spec.name,
        policy: 'stately',
        retryLimit: 0,
        expireInSeconds: spec.expireInSeconds ?? Math.max(60, every * 10),
      });
      await boss.work(
        spec.name,
        {
          batchSize: 1,
          includeMetadata: true,
          pollingIntervalSeconds: Math.min(5, Math.max(0.5, every / 4)),
        },
        async ([job]) => {
          if (!job) return;
          await this.run(spec.name, { slot: job.singletonOn ?? null, record: true });
        },
      );
      if ('cron' in spec.when) {
        await boss.schedule(spec.name, spec.when.cron, {}, { tz: CHINA_TZ });
        continue;
      }
      const offer = () => {
        boss
          .send(spec.name, {}, { singletonKey: spec.name, singletonSeconds: every })
          .catch((err) => this.ctx.log.warn({ err, job: spec.name }, 'could not offer a job run'));
      };
      offer();
      const ticker = setInterval(offer, (every * 1000) / 2);
      ticker.unref();
      this.tickers.push(ticker);
    }
  }

  /** Stops offering runs and lets a running one finish (up to 10 s). */
  async stop(): Promise<void> {
    for (const t of this.tickers) clearInterval(t);
    this.tickers.length = 0;
    const boss = this.boss;
    this.boss = undefined;
    await boss?.stop({ graceful: true, timeout: 10_000, wait: true });
  }

  private async record(name: string, slot: Date | null, started: Date, result: unknown, error: unknown) {
    const value =
      result && typeof result === 'object' ? (result as Record<string, unknown>) : { value: result ?? null };
    await this.ctx.db.write
      .insertInto('job_runs')
      .values({
        job: name,
        slot,
        instance: this.instance,
        started_at: started,
        finished_at: new Date(),
        ok: !error,
        error: error ? String((error as Error).message ?? error).slice(0, 2000) : null,
        result: JSON.stringify(value),
      })
      .execute()
      .catch((err) => this.ctx.log.warn({ err, job: name }, 'could not log a job run'));
    // Keep three days of history.
    if (Math.random() < 0.05)
      await this.ctx.db.write
        .deleteFrom('job_runs')
        .where('started_at', '<', new Date(Date.now() - 3 * 86_400_000))
        .execute()
        .catch(() => {});
  }
}
