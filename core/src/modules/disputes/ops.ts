import type { AppContext } from '../../platform/context';

/** Disputes: its case kind and the events that open its cases. */
export function registerDisputesOps(_ctx: AppContext): void {}
