import {
  allowedOrderActions,
  ESCROW_HOLDING_STATUSES,
  type OrderAction,
  type OrderStatus,
} from '@jiangxin/shared/orders';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../platform/http/problem';
import { insertPublishedService } from '../../test/factories/catalog';
import { startTestApp, type TestApp } from '../../test/harness';
import { registerUser } from '../accounts/commands';
import { createOrder, transitionOrder } from '../orders/commands';
import { applyVerifiedNotification } from '../payments/commands';
import { checkLedger } from './check';
import { getWallet } from './queries';

/**
 * Property: whatever random sequence of party actions, system timeouts and payment notifications
 * (duplicated, failed, late, out of order, for the wrong amount) hits a set of orders, the ledger
 * invariants hold, refused actions change nothing, and each order's escrow matches its status.
 */
let t: TestApp;
let clientId: number;
let freelancerId: number;
let serviceId: number;

beforeAll(async () => {
  t = await startTestApp({ env: { SWEEP_INTERVAL_SECONDS: '0' } });
  clientId = (
    await registerUser(t.ctx, { username: 'propclient', password: 'correct-horse-1', userType: 'client' })
  ).user.id;
  freelancerId = (
    await registerUser(t.ctx, {
      username: 'propfreelancer',
      password: 'correct-horse-1',
      userType: 'freelancer',
    })
  ).user.id;
  ({ serviceId } = await insertPublishedService(t, freelancerId, { revisions: [1, 2, 3] }));
});
afterAll(() => t?.close());

type Step =
  | { kind: 'order'; tier: 'basic' | 'standard' | 'premium'; provider: 'alipay' | 'wechat' }
  | { kind: 'notify'; order: number; outcome: 'succeeded' | 'failed'; amountDelta: number }
  | {
      kind: 'act';
      order: number;
      who: 'client' | 'freelancer' | 'system';
      action: OrderAction;
      smart: boolean;
      pick: number;
    };

const partyActions: OrderAction[] = [
  'accept',
  'decline',
  'deliver',
  'request_revision',
  'start_revision',
  'complete',
  'cancel',
  'request_cancellation',
  'withdraw_cancellation',
  'agree_cancellation',
  'dispute',
];
const systemActions: OrderAction[] = ['expire_payment', 'expire_acceptance', 'auto_complete', 'mark_paid'];

const FORWARD: OrderAction[] = ['accept', 'deliver', 'complete', 'start_revision', 'auto_complete'];

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('order' as const),
      tier: fc.constantFrom('basic', 'standard', 'premium'),
      provider: fc.constantFrom('alipay', 'wechat'),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('notify' as const),
      order: fc.nat(3),
      outcome: fc.constantFrom('succeeded', 'succeeded', 'failed'),
      amountDelta: fc.constantFrom(0, 0, 0, 1, -1),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('act' as const),
      order: fc.nat(3),
      who: fc.constantFrom('client', 'client', 'freelancer', 'freelancer', 'freelancer', 'system'),
      action: fc.constantFrom(...partyActions, ...systemActions),
      // Mostly pick an action the table allows now, so histories get deep (paid → delivered → completed…).
      smart: fc.constantFrom(true, true, true, false),
      pick: fc.nat(20),
    }),
  },
);

describe('ledger invariants under random order histories', () => {
  it('hold after every sequence', async () => {
    let run = 0;
    const reached = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 20, maxLength: 60 }), async (steps) => {
        run += 1;
        const orders: number[] = [];
        for (const step of steps) {
          if (step.kind === 'order') {
            const r = await createOrder(
              t.ctx,
              clientId,
              { serviceId, tier: step.tier, requirements: '', paymentProvider: step.provider },
              `prop-${run}-${orders.length}-${Math.random()}`,
            );
            orders.push(r.order.id);
            continue;
          }
          const orderId = orders[step.order % Math.max(orders.length, 1)];
          if (orderId === undefined) continue;
          const before = await t.db.write
            .selectFrom('orders')
            .select(['status', 'version'])
            .where('id', '=', orderId)
            .executeTakeFirstOrThrow();
          if (step.kind === 'notify') {
            const payment = await t.db.write
              .selectFrom('payments')
              .selectAll()
              .where('order_id', '=', orderId)
              .orderBy('id', 'desc')
              .executeTakeFirstOrThrow();
            await t.db.transact((tx) =>
              applyVerifiedNotification(
                t.ctx,
                tx,
                payment.provider,
                {
                  provider: payment.provider,
                  outTradeNo: payment.out_trade_no,
                  providerTradeNo: `T${payment.id}`,
                  amountFen: payment.amount_fen + step.amountDelta,
                  outcome: step.outcome,
                  rawStatus: step.outcome === 'succeeded' ? 'TRADE_SUCCESS' : 'TRADE_CLOSED',
                },
                { headers: {}, rawBody: '' },
              ),
            );
            continue;
          }
          let action = step.action;
          let who = step.who;
          if (step.smart) {
            const o = await t.db.write
              .selectFrom('orders')
              .selectAll()
              .where('id', '=', orderId)
              .executeTakeFirstOrThrow();
            const facts = {
              status: o.status,
              revisionsUsed: o.revisions_used,
              revisionsAllowed: o.revisions_allowed,
              cancellationRequestedBy: o.cancellation_requested_by,
            };
            const usable = (w: typeof who) =>
              allowedOrderActions(facts, w).filter((a) => a !== 'mark_paid' && a !== 'resolve_dispute');
            // Most picks move the order forward (by whichever party can), so histories reach the money-moving ends.
            const forward = (['client', 'freelancer'] as const).flatMap((w) =>
              usable(w)
                .filter((a) => FORWARD.includes(a))
                .map((a) => [w, a] as const),
            )[0];
            if (forward && step.pick < 12) [who, action] = forward;
            else if (usable(who).length) action = usable(who)[step.pick % usable(who).length]!;
          }
          const actor =
            who === 'system'
              ? { kind: 'system' as const }
              : { kind: 'user' as const, userId: who === 'client' ? clientId : freelancerId };
          try {
            await transitionOrder(t.ctx, orderId, actor, action, { message: '随机操作', reason: '随机原因' });
          } catch (err) {
            if (!(err instanceof AppError) && !/without a succeeded payment/.test(String(err))) throw err;
            const after = await t.db.write
              .selectFrom('orders')
              .select(['status', 'version'])
              .where('id', '=', orderId)
              .executeTakeFirstOrThrow();
            expect(after, 'a refused action changes nothing').toEqual(before);
          }
        }
        const report = await checkLedger(t.db.read);
        expect(report.problems).toEqual([]);
        // Each order's escrow: its amount while paid and open, zero otherwise.
        for (const orderId of orders) {
          const o = await t.db.write
            .selectFrom('orders')
            .select(['status', 'amount_fen', 'paid_at'])
            .where('id', '=', orderId)
            .executeTakeFirstOrThrow();
          const held = await t.db.write
            .selectFrom('ledger_accounts')
            .select('balance')
            .where('order_id', '=', orderId)
            .where('kind', '=', 'escrow')
            .executeTakeFirst();
          reached.add(o.paid_at && o.status === 'cancelled' ? 'cancelled_after_payment' : o.status);
          const expected = ESCROW_HOLDING_STATUSES.includes(o.status as OrderStatus) ? o.amount_fen : 0;
          expect(held?.balance ?? 0).toBe(expected);
        }
        const wallet = await getWallet(t.db.read, clientId);
        expect(wallet.availableFen).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 50, seed: Number(process.env['FC_SEED'] ?? 20261126) },
    );
    // The histories must actually reach the money-moving ends, or the property proves little.
    expect([...reached].sort()).toEqual(
      expect.arrayContaining([
        'awaiting_payment',
        'cancelled',
        'cancelled_after_payment',
        'completed',
        'disputed',
        'in_progress',
      ]),
    );
  });
});

describe('ledger check', () => {
  it('reports an unbalanced journal and an escrow that does not match its order', async () => {
    await t.db.transact(async (tx) => {
      const acc = await tx
        .selectFrom('ledger_accounts')
        .select('id')
        .where('kind', '=', 'escrow')
        .executeTakeFirstOrThrow();
      const j = await tx
        .insertInto('ledger_journals')
        .values({ kind: 'corrupt', order_id: null, idempotency_key: 'corrupt-1' })
        .returning('id')
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('ledger_postings')
        .values({
          journal_id: j.id,
          account_id: acc.id,
          amount_fen: 5,
          balance_after: null,
          entry_type: null,
        })
        .execute();
    });
    const report = await checkLedger(t.db.read);
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.kind)).toEqual(
      expect.arrayContaining([
        'unbalanced_journal',
        'balance_mismatch',
        'escrow_mismatch',
        'escrow_total_mismatch',
      ]),
    );
  });
});
