import { CASE_KINDS } from '@jiangxin/shared/ops/cases';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from '../db/database';
import type { SequencedEvent } from '../events/dispatcher';

/** Prometheus metrics at /metrics: process defaults plus request duration by route and status. */
export function registerMetrics(app: FastifyInstance): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  app.addHook('onResponse', async (req, reply) => {
    duration.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
  return registry;
}

/**
 * Sign-in refusals by the limit that made them (a surge of `global` or `address` is an attack to alert
 * on), and whether the limit counters are in Redis (0 while Redis is configured but unreachable).
 */
export function registerLimitMetrics(
  registry: Registry,
  counters: { readonly backend: 'redis' | 'local'; readonly usesRedis: boolean },
): { loginRefused(limit: string): void } {
  const refusals = new Counter({
    name: 'login_refusals_total',
    help: 'Sign-in attempts refused by a failure limit, by limit (accountAddress, account, address, global)',
    labelNames: ['limit'],
    registers: [registry],
  });
  new Gauge({
    name: 'limit_counters_shared',
    help: '1 while rate-limit counters are shared in Redis, 0 while counting per instance (Redis unset or unreachable)',
    registers: [registry],
    collect() {
      this.set(counters.usesRedis && counters.backend === 'redis' ? 1 : 0);
    },
  });
  return { loginRefused: (limit) => refusals.inc({ limit }) };
}

/** Gateway payment notifications by provider and outcome: accepted, rejected (signature, app, amount…), error (the core failed). */
export function registerPaymentMetrics(registry: Registry): {
  notification(provider: string, outcome: 'accepted' | 'rejected' | 'error'): void;
} {
  const notifications = new Counter({
    name: 'payment_notifications_total',
    help: 'Gateway payment notifications by provider and outcome (accepted, rejected, error)',
    labelNames: ['provider', 'outcome'],
    registers: [registry],
  });
  for (const provider of ['alipay', 'wechat'])
    for (const outcome of ['accepted', 'rejected', 'error']) notifications.inc({ provider, outcome }, 0);
  return { notification: (provider, outcome) => notifications.inc({ provider, outcome }) };
}

/**
 * Per-job counters and timings, fed by the jobs service (platform/jobs/jobs.ts). The label is `job_name`,
 * not `job`: Prometheus gives every scraped series `job` (the scrape job) and would rename ours.
 */
export interface JobMetrics {
  runs: Counter<'job_name' | 'outcome'>;
  failures: Counter<'job_name'>;
  duration: Histogram<'job_name'>;
}

export function jobMetrics(registry: Registry): JobMetrics {
  return {
    runs: new Counter({
      name: 'job_runs_total',
      help: 'Background job runs by job and outcome (ok, failed)',
      labelNames: ['job_name', 'outcome'],
      registers: [registry],
    }),
    failures: new Counter({
      name: 'job_failures_total',
      help: 'Background job runs that threw, by job',
      labelNames: ['job_name'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'job_duration_seconds',
      help: 'Background job run duration by job',
      labelNames: ['job_name'],
      buckets: [0.005, 0.025, 0.1, 0.25, 1, 2.5, 10, 30, 120],
      registers: [registry],
    }),
  };
}

/**
 * Metrics of the event stream and the ops queue. Event lag is measured when the dispatcher hands a batch
 * on (now − creation of the newest event in it); the backlog and the queue depths are read on scrape
 * with one cheap query each (partial/queue indexes), so they are current and cost nothing between scrapes.
 * They read the primary (`db.fresh`), not the replica: an alert must see the primary's state, which a
 * lagging or stopped replica would freeze (a backlog hidden, a job seemingly not run).
 */
export function registerCoreMetrics(
  registry: Registry,
  deps: { db: Db; dispatcher: { subscribe(fn: (events: SequencedEvent[]) => void): () => void } },
): () => void {
  const lag = new Gauge({
    name: 'events_dispatch_lag_seconds',
    help: 'Seconds between the newest event of the last dispatched batch being written and its dispatch',
    registers: [registry],
  });
  const dispatched = new Counter({
    name: 'events_dispatched_total',
    help: 'Events sequenced and dispatched by this instance',
    registers: [registry],
  });
  new Gauge({
    name: 'events_unsequenced',
    help: 'Committed events still waiting for a sequence number',
    registers: [registry],
    async collect() {
      const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM events WHERE seq IS NULL`.execute(
        deps.db.fresh,
      );
      this.set(r.rows[0]?.n ?? 0);
    },
  });
  const perKind = (name: string, help: string, where: string) =>
    new Gauge({
      name,
      help,
      labelNames: ['kind'],
      registers: [registry],
      async collect() {
        const r = await sql<{ kind: string; n: number }>`
          SELECT kind, count(*)::int AS n FROM cases WHERE ${sql.raw(where)} GROUP BY kind`.execute(
          deps.db.fresh,
        );
        const counts = new Map(r.rows.map((row) => [row.kind, row.n]));
        for (const kind of CASE_KINDS) this.set({ kind }, counts.get(kind) ?? 0);
      },
    });
  new Gauge({
    name: 'payouts_oldest_unfinished_seconds',
    help: 'Age since approval of the oldest payout still approved (not yet sent) or processing (sent, no answer), by status; 0 when none',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const r = await sql<{ status: string; age: number }>`
        SELECT status, EXTRACT(EPOCH FROM now() - min(coalesce(approved_at, created_at)))::float8 AS age
        FROM payouts WHERE status IN ('approved', 'processing') GROUP BY status`.execute(deps.db.fresh);
      const ages = new Map(r.rows.map((row) => [row.status, Number(row.age)]));
      for (const status of ['approved', 'processing'])
        this.set({ status }, Math.max(0, ages.get(status) ?? 0));
    },
  });
  new Gauge({
    name: 'job_last_success_timestamp_seconds',
    help: 'Unix time of the last successful run of each background job (any instance), from job_runs',
    labelNames: ['job_name'],
    registers: [registry],
    async collect() {
      const r = await sql<{ job: string; at: number }>`
        SELECT job, EXTRACT(EPOCH FROM max(finished_at))::float8 AS at
        FROM job_runs WHERE ok GROUP BY job`.execute(deps.db.fresh);
      this.reset();
      for (const row of r.rows) this.set({ job_name: row.job }, Number(row.at));
    },
  });
  new Gauge({
    name: 'ledger_check_problems',
    help: 'Problems found by the latest scheduled ledger check (job ledger-check); 0 before its first run (job_last_success_timestamp_seconds{job_name="ledger-check"} says when it last ran)',
    registers: [registry],
    async collect() {
      const r = await sql<{ problems: number | null }>`
        SELECT (result->>'problems')::int AS problems FROM job_runs
        WHERE job = 'ledger-check' AND ok ORDER BY finished_at DESC LIMIT 1`.execute(deps.db.fresh);
      this.reset();
      const problems = r.rows[0]?.problems;
      if (problems !== undefined && problems !== null) this.set(problems);
    },
  });
  const replica = deps.db.replica;
  if (replica) {
    // Measured on the replica itself, never through the fallback (the primary would say 0). While the
    // replica cannot be reached the lag is unknown: NaN (no alert compares true on it) and
    // db_replica_up 0; the scrape still answers at once (replica.ts does not wait on an open breaker).
    new Gauge({
      name: 'db_replica_lag_seconds',
      help: 'Seconds the read replica is behind the primary (0 when it has replayed all it received; NaN while it cannot be reached, see db_replica_up)',
      registers: [registry],
      async collect() {
        this.set((await replica.lagSeconds()) ?? Number.NaN);
      },
    });
    new Gauge({
      name: 'db_replica_up',
      help: '1 while reads go to the read replica, 0 while it cannot be reached and reads run on the primary',
      registers: [registry],
      async collect() {
        await replica.lagSeconds();
        this.set(replica.available ? 1 : 0);
      },
    });
    new Counter({
      name: 'db_replica_fallbacks_total',
      help: 'Reads meant for the read replica that ran on the primary because the replica could not be reached',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(replica.fallbacks);
      },
    });
  }
  perKind('cases_queue_depth', 'Cases not yet resolved, by kind', `status <> 'resolved'`);
  perKind(
    'cases_sla_breached',
    'Unresolved cases past their SLA deadline (escalated), by kind',
    `status <> 'resolved' AND sla_breached`,
  );
  return deps.dispatcher.subscribe((events) => {
    let newest = 0;
    for (const e of events) newest = Math.max(newest, Date.parse(e.occurredAt));
    dispatched.inc(events.length);
    if (newest) lag.set(Math.max(0, (Date.now() - newest) / 1000));
  });
}
