import type { AppContext } from '../../platform/context';
import { registerCaseKind } from '../cases/registry';
import { disputeCases, registerDisputeReactions } from './case-kind';

/** Disputes: its case kind and the events that open its cases. */
export function registerDisputesOps(ctx: AppContext): void {
  registerCaseKind(disputeCases);
  registerDisputeReactions(ctx);
}
