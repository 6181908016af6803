import type { CaseFlag, CaseKind, CaseStatus } from '@jiangxin/shared/ops/cases';
import type { Permission } from '@jiangxin/shared/permissions';
import type { z } from 'zod';
import type { AppContext } from '../../platform/context';
import type { ReadDb, Tx } from '../../platform/db/database';
import type { Staff } from '../../platform/http/auth';
import type { Localized } from '../../platform/http/problem';
import type { CaseRow } from './queries';

/** What an action does to its case; everything omitted stays as it was. */
export interface CaseChange {
  status?: CaseStatus;
  stage?: string;
  outcome?: string | null;
  priority?: number;
  flags?: CaseFlag[];
  summary?: Record<string, unknown>;
  title?: string;
  amountFen?: number | null;
  /** Unassign the case (a first approval hands a payout to the second approver, say). */
  release?: boolean;
  /** Restart the SLA clock from now (a reopened case). */
  restartSla?: boolean;
  /** Mark the SLA as breached (the escalation job); `restartSla` clears it again. */
  slaBreached?: boolean;
  /** The history line: a human note and structured data. */
  note?: string;
  data?: Record<string, unknown>;
  /** Returned to the caller beside the case (a batch item's result, a created refund id …). */
  result?: Record<string, unknown>;
}

/**
 * One action of a case kind (`approve` on a listing review, `approve_payout` on a payout …). The route
 * checks the permission, the claim and the version; `check` says whether the action fits the case now;
 * `run` does the domain work in the same transaction and returns how the case changes.
 */
export interface CaseActionDef<B extends z.ZodType = z.ZodType> {
  permission: Permission;
  label: Localized;
  /** The action's own fields (the route adds `version`). */
  body: B;
  /** null when the action is possible now; otherwise why not (shown in the console). */
  check?: (c: CaseRow, staff: Staff) => Localized | null;
  /**
   * Whether the actor must hold the case. Default true: performing on an unclaimed case claims it.
   * A second approver acts on a case nobody holds, so maker-checker actions still hold it implicitly.
   */
  run: (ctx: AppContext, tx: Tx, c: CaseRow, staff: Staff, body: z.infer<B>) => Promise<CaseChange>;
  /** Actions that may run on a resolved case (reopen). */
  onResolved?: boolean;
}

/** A case kind's own part: its actions and the extra detail its screen shows. */
export interface CaseKindHandler {
  kind: CaseKind;
  actions: Record<string, CaseActionDef>;
  /** Kind-specific detail for `GET /ops/cases/:id` (the listing with hits, a payout's risk signals …). */
  detail?: (ctx: AppContext, db: ReadDb, c: CaseRow, staff: Staff) => Promise<Record<string, unknown>>;
}

/** Builds an action with its body type inferred (a plain object literal would widen it). */
export function caseAction<B extends z.ZodType>(def: CaseActionDef<B>): CaseActionDef {
  return def as unknown as CaseActionDef;
}

const handlers = new Map<CaseKind, CaseKindHandler>();

/** Called once per kind when the app is built (see app.ts); registering a kind again replaces it. */
export function registerCaseKind(handler: CaseKindHandler): void {
  handlers.set(handler.kind, handler);
}

export function caseKindHandler(kind: CaseKind): CaseKindHandler | undefined {
  return handlers.get(kind);
}
