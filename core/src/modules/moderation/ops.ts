import type { AppContext } from '../../platform/context';
import { registerCaseKind } from '../cases/registry';
import { listingReviewCases, registerListingReviewReactions } from './listing-review';
import { registerMessageScanReaction, reportCases } from './reports';

export { liftExpiredSanctions } from './sanctions';

/** Moderation's case kinds and the events that open its cases. */
export function registerModerationOps(ctx: AppContext): void {
  registerCaseKind(listingReviewCases);
  registerCaseKind(reportCases);
  registerListingReviewReactions(ctx);
  registerMessageScanReaction(ctx);
}
