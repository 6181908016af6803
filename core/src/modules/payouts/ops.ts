import type { AppContext } from '../../platform/context';

/** Payouts: its case kind and the events that open its cases. */
export function registerPayoutsOps(_ctx: AppContext): void {}
