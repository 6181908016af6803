import { describe, expect, expectTypeOf, it } from 'vitest';
import type { CasePaneRegistry } from '../../kit/pane';
import { DisputePane } from '../disputes/DisputePane';
import { PayoutPane } from '../payouts/PayoutPane';
import { CASE_PANES } from './panes';

describe('the pane registry', () => {
  it('registers each kind’s pane under its own kind only', () => {
    expectTypeOf(CASE_PANES).toExtend<CasePaneRegistry>();
    expect(CASE_PANES.payout).toBe(PayoutPane);
    // @ts-expect-error — a payout pane cannot draw a dispute
    const wrong: CasePaneRegistry = { dispute: PayoutPane };
    const right: CasePaneRegistry = { dispute: DisputePane };
    expect(wrong.dispute).not.toBe(right.dispute);
  });
});
