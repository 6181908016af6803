import type { ActionReceipt, ConsoleSession } from '@jiangxin/shared/bridge';
import type { CaseActionOffer, CaseDetail, CaseKind, CaseSummary } from '@jiangxin/shared/ops/cases';
import type { ComponentType } from 'react';

/**
 * The contract between the queue's split view and a kind's own detail pane. The frame (CaseDetailView)
 * draws what every case has — title, status, claim state and holder, SLA countdown, who else is viewing,
 * claim/release, history — and below it the pane registered for the case's kind in `panes.ts` draws the
 * kind's own facts and actions (the listing with its scanner hits, a dispute's split form …).
 */
export interface CasePaneProps {
  /** From `cases.get`: the core's detail when online; when offline the cached copy (`stale`). */
  detail: CaseDetail;
  /** The detail is the cached copy (the core could not be asked); actions are queued, not refused. */
  stale: boolean;
  /** The signed-in staff member holds the case (actions that need a claim are possible). */
  mine: boolean;
  session: ConsoleSession;
  /**
   * Runs one of the kind's actions (`cases.perform` with the case's current version) through the engine,
   * which queues it while the core is unreachable. A refusal rejects with the core's problem, which the
   * frame also shows; when the action resolves the case (or is queued), the queue moves on to the next
   * case unless `{ advance: false }`.
   */
  perform: (
    action: string,
    fields?: Record<string, unknown>,
    options?: { advance?: boolean },
  ) => Promise<ActionReceipt>;
  /** The core's offer for an action now (absent: the kind has no such action for this member). */
  offer: (action: string) => CaseActionOffer | undefined;
}

export type CasePane = ComponentType<CasePaneProps>;
export type CasePaneRegistry = Partial<Record<CaseKind, CasePane>>;

/**
 * Actions on the rows selected in a queue (finance's batch approve). Registered per workspace id in
 * `panes.ts`; the queue shows row checkboxes only where a bulk action exists.
 */
export interface QueueBulkActionProps {
  selected: readonly CaseSummary[];
  session: ConsoleSession;
  /** Clears the selection (after the action reported its per-item results). */
  clear: () => void;
}
export type QueueBulkActions = Partial<Record<string, ComponentType<QueueBulkActionProps>>>;
