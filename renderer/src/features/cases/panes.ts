import type { CasePaneRegistry } from './pane';

/**
 * Each kind's detail pane, from its feature folder. A kind without one shows the generic facts (the
 * case's summary and history) in the frame.
 */
export const CASE_PANES: CasePaneRegistry = {};
