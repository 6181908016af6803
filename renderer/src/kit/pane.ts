import type { ActionReceipt, ConsoleSession } from '@jiangxin/shared/bridge';
import type { CaseActionCall, CaseActionFields, CaseActionName } from '@jiangxin/shared/ops/actions';
import type { CaseActionOffer, CaseDetail, CaseKind, CaseSummary } from '@jiangxin/shared/ops/cases';
import type { ComponentType } from 'react';

/**
 * Runs one of kind `K`'s actions with that action's fields (`shared/ops/actions.ts`): a misspelt action
 * or field, or a field of the wrong type, does not compile.
 */
export type PerformAction<K extends CaseKind> = <A extends CaseActionName<K>>(
  action: A,
  fields: CaseActionFields<K, A>,
  options?: { advance?: boolean },
) => Promise<ActionReceipt>;

/** The operations every case has beside its kind's actions (offered in the same list). */
export type CaseOperation = 'claim' | 'release' | 'assign';

/**
 * The contract between the queue's split view and a kind's own detail pane. The frame (CaseDetailView)
 * draws what every case has — title, status, claim state and holder, SLA countdown, who else is viewing,
 * claim/release, history — and below it the pane registered for the case's kind in `cases/panes.ts` draws
 * the kind's own facts and actions (the listing with its scanner hits, a dispute's split form …).
 */
export interface CasePaneProps<K extends CaseKind> {
  /** From `cases.get`: the core's detail when online; when offline the cached copy (`stale`). */
  detail: CaseDetail;
  /** The detail is the cached copy (the core could not be asked); actions are queued, not refused. */
  stale: boolean;
  /** The signed-in staff member holds the case (actions that need a claim are possible). */
  mine: boolean;
  session: ConsoleSession;
  /**
   * Runs one of the kind's actions (`cases.perform` with the case's kind and current version) through
   * the engine, which queues it while the core is unreachable. A refusal rejects with the core's problem,
   * which the frame also shows; when the action resolves the case, takes it out of my hands or is queued,
   * the queue moves on by its one rule (the case below in the order as it was when the action was taken,
   * else the one above, else the pane closes — `cases/movement.ts`) unless `{ advance: false }`. A pane
   * never moves the queue itself.
   */
  perform: PerformAction<K>;
  /** The core's offer for an action now (absent: the kind has no such action for this member). */
  offer: (action: CaseActionName<K> | CaseOperation) => CaseActionOffer | undefined;
}

export type CasePane<K extends CaseKind> = ComponentType<CasePaneProps<K>>;
/** Each kind's pane is a pane of that kind: registering a payout pane for disputes does not compile. */
export type CasePaneRegistry = { readonly [K in CaseKind]?: CasePane<K> };

/**
 * `perform` for a case of `kind`, sending through `send`. The one place a kind known only at run time
 * meets the typed actions: the engine checks the fields against the action's schema before anything
 * is sent or queued.
 */
export function performFor<K extends CaseKind>(
  kind: K,
  send: (call: CaseActionCall, options: { advance?: boolean }) => Promise<ActionReceipt>,
): PerformAction<K> {
  return (action, fields, options = {}) => send({ kind, action, fields } as CaseActionCall, options);
}

/**
 * Actions on the rows selected in a queue (finance's batch approve). Registered per workspace id in
 * `cases/panes.ts`; the queue shows row checkboxes only where a bulk action exists.
 */
export interface QueueBulkActionProps {
  selected: readonly CaseSummary[];
  session: ConsoleSession;
  /** Clears the selection (after the action reported its per-item results). */
  clear: () => void;
}
export type QueueBulkActions = Partial<Record<string, ComponentType<QueueBulkActionProps>>>;

/** What every workspace screen receives (`shell/screens.ts` maps a workspace id to its screen). */
export interface WorkspaceScreenProps {
  session: ConsoleSession;
}
