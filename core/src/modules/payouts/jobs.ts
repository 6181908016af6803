import type { AppContext } from '../../platform/context';

/** Executes approved payouts through the gateway; returns how many it settled. Idempotent per payout. */
export async function executeDuePayouts(_ctx: AppContext): Promise<number> {
  return 0;
}

/** Compares the ledger with the gateway statement for one China-time day (YYYY-MM-DD). */
export async function reconcileDay(_ctx: AppContext, _day: string): Promise<{ mismatches: number }> {
  return { mismatches: 0 };
}
