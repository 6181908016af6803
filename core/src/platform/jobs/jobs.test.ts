import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCase } from '../../modules/cases/commands';
import { eventually } from '../../test/flows';
import { startTestApp, type TestApp } from '../../test/harness';
import { yesterdayInChina } from './schedule';

/**
 * pg-boss on the backend under test (PGlite through `bossDb`, or PostgreSQL): two core instances on one
 * database, both offering every periodic job every half second; each job must run once per one-second
 * slot, never twice, and a job's effect (an SLA escalation) must happen exactly once.
 */
let a: TestApp;
let b: TestApp;
const env = { JOBS_ENABLED: 'true', JOB_INTERVAL_SECONDS: '1' };

beforeAll(async () => {
  a = await startTestApp({ env });
  b = await startTestApp({ env, shareDbWith: a });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

describe('jobs on pg-boss with two instances', () => {
  it('runs each periodic job once per slot across instances, and its effect once', async () => {
    // A case already past its SLA: whichever instance runs sla-escalation first escalates it.
    const caseId = await a.db.transact(async (tx) => {
      const c = await openCase(a.ctx, tx, {
        kind: 'report',
        subjectType: 'user',
        subjectId: 1,
        stage: 'open',
        title: '举报：测试',
      });
      await tx
        .updateTable('cases')
        .set({ sla_due_at: new Date(Date.now() - 60_000) })
        .where('id', '=', c.id)
        .execute();
      return c.id;
    });

    const periodic = a.app.jobs.specs.filter((s) => 'every' in s.when).map((s) => s.name);
    expect(periodic).toEqual(
      expect.arrayContaining(['order-timeouts', 'refunds', 'payouts', 'sla-escalation', 'notifications']),
    );
    // Wait until every periodic job has run in at least three slots, and both instances have run some:
    // whichever polls first takes a slot, so in the first few slots one instance may win them all.
    await eventually(async () => {
      const r = await sql<{ job: string; slots: number }>`
        SELECT job, count(DISTINCT slot)::int AS slots FROM job_runs GROUP BY job`.execute(a.db.write);
      const instances = await sql<{ n: number }>`
        SELECT count(DISTINCT instance)::int AS n FROM job_runs`.execute(a.db.write);
      return (
        periodic.every((name) => (r.rows.find((x) => x.job === name)?.slots ?? 0) >= 3) &&
        instances.rows[0]!.n === 2
      );
    }, 20_000);

    const runs = await sql<{ job: string; slot: Date; n: number; instances: number }>`
      SELECT job, slot, count(*)::int AS n, count(DISTINCT instance)::int AS instances
      FROM job_runs GROUP BY job, slot ORDER BY job, slot`.execute(a.db.write);
    expect(runs.rows.length).toBeGreaterThanOrEqual(periodic.length * 3);
    for (const r of runs.rows) expect(r, `${r.job} ran twice in slot ${r.slot}`).toMatchObject({ n: 1 });
    // Slots are one second apart (pg-boss throttling), and both instances took part.
    const used = await sql<{ instance: string }>`SELECT DISTINCT instance FROM job_runs`.execute(a.db.write);
    expect(used.rows.map((r) => r.instance).sort()).toEqual(
      [a.app.jobs.instance, b.app.jobs.instance].sort(),
    );
    const failed = await sql<{ job: string; error: string }>`
      SELECT job, error FROM job_runs WHERE NOT ok`.execute(a.db.write);
    expect(failed.rows).toEqual([]);

    const history = await a.db.write
      .selectFrom('case_history')
      .select(['action', 'actor_id'])
      .where('case_id', '=', caseId)
      .where('action', '=', 'sla_breached')
      .execute();
    expect(history).toEqual([{ action: 'sla_breached', actor_id: null }]);

    // The daily reconciliation and ledger check, and event retention, are pg-boss schedules (cron in China time), stored once.
    const schedules = await sql<{ name: string; cron: string; timezone: string }>`
      SELECT name, cron, timezone FROM pgboss.schedule ORDER BY name`.execute(a.db.write);
    expect(schedules.rows).toEqual([
      { name: 'events-retention', cron: '*/10 * * * *', timezone: 'Asia/Shanghai' },
      { name: 'ledger-check', cron: '30 3 * * *', timezone: 'Asia/Shanghai' },
      { name: 'reconciliation', cron: '0 2 * * *', timezone: 'Asia/Shanghai' },
    ]);
  });

  it('exposes job, event and queue metrics', async () => {
    const scrape = async (t: TestApp) => (await fetch(`${t.url}/metrics`)).text();
    const [ta, tb] = [await scrape(a), await scrape(b)];
    /** A sample's value, or undefined when the series is absent. */
    const sample = (text: string, series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    const both = (series: string) => (sample(ta, series) ?? 0) + (sample(tb, series) ?? 0);
    // Between them the two instances ran every periodic job at least three times, none failed.
    for (const job of ['order-timeouts', 'sla-escalation', 'notifications']) {
      expect(both(`job_runs_total{job_name="${job}",outcome="ok"}`)).toBeGreaterThanOrEqual(3);
      expect(both(`job_runs_total{job_name="${job}",outcome="failed"}`)).toBe(0);
      expect(both(`job_duration_seconds_count{job_name="${job}"}`)).toBeGreaterThanOrEqual(3);
    }
    expect(ta).toMatch(/^# TYPE job_failures_total counter/m);
    // The case above is the only one: unresolved and escalated. Read on scrape, so both instances agree.
    for (const text of [ta, tb]) {
      expect(sample(text, 'cases_queue_depth{kind="report"}')).toBe(1);
      expect(sample(text, 'cases_queue_depth{kind="payout"}')).toBe(0);
      expect(sample(text, 'cases_sla_breached{kind="report"}')).toBe(1);
      expect(sample(text, 'cases_sla_breached{kind="dispute"}')).toBe(0);
    }
    await eventually(async () => sample(await scrape(a), 'events_unsequenced') === 0);
    // Events were dispatched (case.upserted …): the lag is a small non-negative number of seconds.
    const lags = [sample(ta, 'events_dispatch_lag_seconds'), sample(tb, 'events_dispatch_lag_seconds')];
    const seen = lags.filter((l) => l !== undefined && l > 0) as number[];
    expect(seen.length).toBeGreaterThan(0);
    for (const lag of seen) expect(lag).toBeLessThan(30);
    expect(both('events_dispatched_total')).toBeGreaterThanOrEqual(2);

    // What the alert rules (deploy/prometheus) read: queue depth per job while pg-boss runs, the last
    // success of each job from job_runs (any instance), stuck payouts (none here: 0).
    for (const text of [ta, tb]) {
      for (const job of ['order-timeouts', 'reconciliation', 'ledger-check'])
        expect(sample(text, `job_queue_depth{job_name="${job}"}`)).toBeGreaterThanOrEqual(0);
      const last = sample(text, 'job_last_success_timestamp_seconds{job_name="order-timeouts"}')!;
      expect(Math.abs(Date.now() / 1000 - last)).toBeLessThan(120);
      expect(sample(text, 'payouts_oldest_unfinished_seconds{status="approved"}')).toBe(0);
      expect(sample(text, 'payouts_oldest_unfinished_seconds{status="processing"}')).toBe(0);
      expect(sample(text, 'payment_notifications_total{provider="alipay",outcome="rejected"}')).toBe(0);
      // No replica configured: no lag series.
      expect(text).not.toMatch(/^db_replica_lag_seconds /m);
    }
  });

  it('checks the ledger on schedule and exposes the count of problems', async () => {
    const scrape = async () => (await fetch(`${a.url}/metrics`)).text();
    // Before the first run: no success to show (the "has not run" alert reads this), no problem counted.
    const first = await scrape();
    expect(first).not.toMatch(/^job_last_success_timestamp_seconds\{job_name="ledger-check"\}/m);
    expect(first).toMatch(/^ledger_check_problems 0$/m);
    const clean = (await a.app.jobs.run('ledger-check', { record: true })) as {
      ok: boolean;
      problems: number;
    };
    expect(clean).toMatchObject({ ok: true, problems: 0 });
    const ran = await scrape();
    expect(ran).toMatch(/^ledger_check_problems 0$/m);
    expect(ran).toMatch(/^job_last_success_timestamp_seconds\{job_name="ledger-check"\} \d/m);
    // A balance that no longer matches its postings is found by the next run.
    const account = await sql<{ id: number }>`
      INSERT INTO ledger_accounts (code, kind, balance) VALUES ('test:broken', 'platform_fees', 500)
      RETURNING id`.execute(a.db.write);
    try {
      const broken = (await a.app.jobs.run('ledger-check', { record: true })) as {
        ok: boolean;
        problems: number;
      };
      expect(broken.ok).toBe(false);
      expect(broken.problems).toBeGreaterThan(0);
      expect(await scrape()).toMatch(new RegExp(`^ledger_check_problems ${broken.problems}$`, 'm'));
    } finally {
      await sql`DELETE FROM ledger_accounts WHERE id = ${account.rows[0]!.id}`.execute(a.db.write);
    }
  });

  it('names yesterday in China time', () => {
    expect(yesterdayInChina(new Date('2026-11-27T15:59:00Z'))).toBe('2026-11-26'); // 23:59 in Beijing
    expect(yesterdayInChina(new Date('2026-11-27T16:00:00Z'))).toBe('2026-11-27'); // 00:00 on the 28th
  });
});
