import {
  CASE_ACTIONS,
  type CaseActionBody,
  type CaseActionName,
  type CaseActionSpec,
} from '@jiangxin/shared/ops/actions';
import type { CaseFlag, CaseKind, CaseStatus } from '@jiangxin/shared/ops/cases';
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
  /** The case's tags, replaced as a whole (merge before: see `mergeTags`). */
  tags?: string[];
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
 * The core's half of one action of a case kind (`approve` on a listing review, `approve_payout` on a
 * payout …). Its permission, label and fields are declared in `CASE_ACTIONS` (shared/ops/actions.ts);
 * the route checks the permission, the claim and the version; `check` says whether the action fits the
 * case now; `run` does the domain work in the same transaction, with the fields validated against the
 * declared schema, and returns how the case changes. Acting on an unclaimed case claims it.
 */
export interface CaseActionImpl<K extends CaseKind, A extends CaseActionName<K>> {
  /** null when the action is possible now; otherwise why not (shown in the console). */
  check?: (c: CaseRow, staff: Staff) => Localized | null;
  run: (ctx: AppContext, tx: Tx, c: CaseRow, staff: Staff, body: CaseActionBody<K, A>) => Promise<CaseChange>;
  /** Actions that may run on a resolved case (reopen). */
  onResolved?: boolean;
}

/** Kind-specific detail for `GET /ops/cases/:id` (the listing with hits, a payout's risk signals …). */
export type CaseDetail = (
  ctx: AppContext,
  db: ReadDb,
  c: CaseRow,
  staff: Staff,
) => Promise<Record<string, unknown>>;

/** What a kind's module writes: exactly one implementation per action declared for the kind. */
export interface CaseKindImpl<K extends CaseKind> {
  actions: { [A in CaseActionName<K>]: CaseActionImpl<K, A> };
  detail?: CaseDetail;
}

/** One action as the cases module runs it: the shared declaration joined with its implementation. */
export interface CaseActionDef extends CaseActionSpec {
  check?: (c: CaseRow, staff: Staff) => Localized | null;
  run: (ctx: AppContext, tx: Tx, c: CaseRow, staff: Staff, body: unknown) => Promise<CaseChange>;
  onResolved?: boolean;
}

/** A case kind's own part: its actions and the extra detail its screen shows. */
export interface CaseKindHandler {
  kind: CaseKind;
  actions: Readonly<Record<string, CaseActionDef>>;
  detail?: CaseDetail;
}

/**
 * A kind's handler from its implementation and the kind's declarations in `CASE_ACTIONS`. The
 * implementation must cover exactly the declared actions: a missing one, or one the declaration lacks,
 * is a type error here (and a start-up error for anything that slipped past the compiler).
 */
export function defineCaseKind<K extends CaseKind>(kind: K, impl: CaseKindImpl<K>): CaseKindHandler {
  const declared: Readonly<Record<string, CaseActionSpec>> = CASE_ACTIONS[kind];
  const implemented = impl.actions as unknown as Record<string, Omit<CaseActionDef, keyof CaseActionSpec>>;
  const missing = Object.keys(declared).filter((a) => !Object.hasOwn(implemented, a));
  const extra = Object.keys(implemented).filter((a) => !Object.hasOwn(declared, a));
  if (missing.length || extra.length)
    throw new Error(
      `case kind ${kind}: actions must match CASE_ACTIONS.${kind} (missing: ${missing.join(', ') || 'none'}; undeclared: ${extra.join(', ') || 'none'})`,
    );
  const actions = Object.fromEntries(
    Object.entries(declared).map(([name, spec]) => [name, { ...implemented[name]!, ...spec }]),
  );
  return { kind, actions, ...(impl.detail ? { detail: impl.detail } : {}) };
}

const handlers = new Map<CaseKind, CaseKindHandler>();

/** Called once per kind when the app is built (see app.ts); registering a kind again replaces it. */
export function registerCaseKind(handler: CaseKindHandler): void {
  handlers.set(handler.kind, handler);
}

export function caseKindHandler(kind: CaseKind): CaseKindHandler | undefined {
  return handlers.get(kind);
}
