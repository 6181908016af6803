import type { CasePaneRegistry, QueueBulkActions } from './pane';

/**
 * Each kind's detail pane, from its feature folder. A kind without one shows the generic facts (the
 * case's summary and history) in the frame.
 */
export const CASE_PANES: CasePaneRegistry = {};

/** Bulk actions on selected rows, by workspace id. */
export const QUEUE_BULK_ACTIONS: QueueBulkActions = {};
