import type { ActionReceipt } from '@jiangxin/shared/bridge';
import type { CaseActionCall } from '@jiangxin/shared/ops/actions';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type PerformAction, performFor } from './pane';

const receipt: ActionReceipt = { queued: false, outboxId: null, case: null, result: {} };

describe('a pane’s perform is typed by its kind', () => {
  it('takes the kind’s actions with their own fields', () => {
    expectTypeOf<Parameters<PerformAction<'payout'>>[0]>().toEqualTypeOf<
      'approve_payout' | 'reject_payout' | 'close_failed'
    >();
    const perform: PerformAction<'payout'> = async () => receipt;
    void perform('reject_payout', { reason: '账户信息有误' });
    void perform('approve_payout', {});
    // @ts-expect-error — a misspelt action
    void perform('approve_payuot', {});
    // @ts-expect-error — another kind's action
    void perform('uphold', { note: '成立' });
    // @ts-expect-error — a misspelt field
    void perform('reject_payout', { reasn: '账户信息有误' });
    // @ts-expect-error — a required field left out
    void perform('reject_payout', {});
    // @ts-expect-error — a field of the wrong type
    void perform('reject_payout', { reason: 42 });
    const dispute: PerformAction<'dispute'> = async () => receipt;
    void dispute('resolve', { outcome: 'split', refundFen: 300, releaseFen: 200, note: '按工作量分配' });
    // @ts-expect-error — not an outcome
    void dispute('resolve', { outcome: 'halves', note: '按工作量分配' });
  });

  it('sends the call with the kind it was made for', async () => {
    const sent: CaseActionCall[] = [];
    const perform = performFor('report', async (call) => {
      sent.push(call);
      return receipt;
    });
    await perform('dismiss', { note: '不属实' });
    expect(sent).toEqual([{ kind: 'report', action: 'dismiss', fields: { note: '不属实' } }]);
  });
});
