import type { ConsoleSession } from '@jiangxin/shared/bridge';
import type { CaseSummary } from '@jiangxin/shared/ops/cases';
import { caseSummary } from '../../kit/testing';

/** Test fixtures of the finance panes (the frame's stand-in and the offers are the kit's). */

export const financeSession = (userId: number): ConsoleSession => ({
  userId,
  username: `fin${userId}`,
  nickname: `财务${userId}`,
  roles: ['finance'],
  permissions: ['payouts.view', 'payouts.approve', 'reconciliation.view'],
  coreUrl: 'http://core',
});

/** A payout case waiting for approval (¥6,000.00); `over` changes what a test needs. */
export const payoutCase = (over: Partial<CaseSummary> = {}): CaseSummary =>
  caseSummary('payout', {
    id: 501,
    stage: 'awaiting_approval',
    priority: 1,
    version: 3,
    subjectType: 'payout',
    subjectId: 41,
    amountFen: 600_000,
    title: '提现 ¥6,000.00 · 设计师小王',
    ...over,
  });
