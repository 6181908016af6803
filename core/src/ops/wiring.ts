import { registerDisputesOps } from '../modules/disputes/ops';
import { registerModerationOps } from '../modules/moderation/ops';
import { registerPayoutsOps } from '../modules/payouts/ops';
import { registerSupportOps } from '../modules/support/ops';
import type { AppContext } from '../platform/context';

/**
 * The ops side's wiring: the kinds of case staff work on (their actions and detail) and the domain
 * events that open and close cases, reacting inside the transaction that appended the event. Called by
 * `buildApp` and by the seeder (which writes through the commands without an HTTP app). Idempotent:
 * reactions and kinds are registered by name.
 */
export function wireOps(ctx: AppContext): void {
  registerModerationOps(ctx);
  registerDisputesOps(ctx);
  registerPayoutsOps(ctx);
  registerSupportOps(ctx);
}
