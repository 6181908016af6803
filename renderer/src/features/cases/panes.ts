import type { CasePaneRegistry, QueueBulkActions } from '../../kit/pane';
import { DisputePane } from '../disputes/DisputePane';
import { ListingReviewPane } from '../moderation/ListingReviewPane';
import { ReportPane } from '../moderation/ReportPane';
import { BatchApprove } from '../payouts/BatchApprove';
import { PayoutPane } from '../payouts/PayoutPane';
import { ReconciliationPane } from '../payouts/ReconciliationPane';

/**
 * Each kind's detail pane, from its feature folder: a pane of that kind (`CasePane<K>`), so its
 * `perform` takes only that kind's actions and fields. A kind without one shows the generic facts (the
 * case's summary and history) in the frame. The one file of the cases feature that imports other
 * features (biome.json allows it): the registry is where they meet.
 */
export const CASE_PANES: CasePaneRegistry = {
  listing_review: ListingReviewPane,
  report: ReportPane,
  dispute: DisputePane,
  payout: PayoutPane,
  reconciliation_mismatch: ReconciliationPane,
};

/** Bulk actions on selected rows, by workspace id. */
export const QUEUE_BULK_ACTIONS: QueueBulkActions = {
  payouts: BatchApprove,
};
