import { escalateOverdueCases } from '../../modules/cases/sla';
import { checkLedger } from '../../modules/ledger/check';
import { liftExpiredSanctions } from '../../modules/moderation/sanctions';
import { deliverNotifications } from '../../modules/notifications/delivery';
import { runOrderTimeouts } from '../../modules/orders/timeouts';
import { processRefunds } from '../../modules/payments/commands';
import { executeDuePayouts, reconcileDay } from '../../modules/payouts/jobs';
import type { Env } from '../config';
import { archiveOldEvents } from '../events/retention';
import type { JobSpec } from './jobs';

/** The China-time calendar day (YYYY-MM-DD) before the one `now` falls on (China has no DST: UTC+8). */
export function yesterdayInChina(now: Date): string {
  return new Date(now.getTime() + 8 * 3_600_000 - 86_400_000).toISOString().slice(0, 10);
}

/**
 * Every background job of the core, in sweep order: deadlines first (they may queue refunds and
 * notifications), then money leaving, then the queue's SLA, then delivery of what the others queued.
 * Wiring only: each job is a state-checked function of its module, safe to run on any instance.
 */
export function coreJobs(env: Env): JobSpec[] {
  const every = { every: true } as const;
  return [
    { name: 'order-timeouts', when: every, sweep: true, run: (ctx) => runOrderTimeouts(ctx) },
    { name: 'refunds', when: every, sweep: true, run: (ctx) => processRefunds(ctx) },
    { name: 'payouts', when: every, sweep: true, run: (ctx) => executeDuePayouts(ctx) },
    { name: 'sanctions-expiry', when: every, sweep: true, run: (ctx) => liftExpiredSanctions(ctx) },
    { name: 'sla-escalation', when: every, sweep: true, run: (ctx) => escalateOverdueCases(ctx) },
    { name: 'notifications', when: every, sweep: true, run: (ctx) => deliverNotifications(ctx) },
    {
      name: 'reconciliation',
      when: { cron: env.RECONCILE_CRON },
      sweep: false,
      expireInSeconds: 3600,
      run: (ctx) => reconcileDay(ctx, yesterdayInChina(ctx.now())),
    },
    {
      // Every ten minutes, up to 20 batches of 5,000: the hot table stays bounded at any event rate
      // below ~160/s sustained (above it, the archive catches up in quieter hours).
      name: 'events-retention',
      when: { cron: '*/10 * * * *' },
      sweep: false,
      expireInSeconds: 600,
      run: (ctx) => archiveOldEvents(ctx),
    },
    {
      name: 'ledger-check',
      when: { cron: env.LEDGER_CHECK_CRON },
      sweep: false,
      expireInSeconds: 3600,
      run: async (ctx) => {
        const report = await checkLedger(ctx.db.read);
        if (!report.ok)
          ctx.log.error({ problems: report.problems.slice(0, 20) }, 'ledger check found problems');
        // Recorded in job_runs and read by /metrics (ledger_check_problems).
        return { ok: report.ok, problems: report.problems.length, journals: report.journals };
      },
    },
  ];
}
