import {
  CASE_HANDLE_PERMISSION,
  CASE_KIND_LABELS,
  type CaseFlag,
  type CaseKind,
  type CaseSummary,
} from '@jiangxin/shared/ops/cases';
import { hasPermission, type StaffRole } from '@jiangxin/shared/permissions';
import type { AppContext } from '../../platform/context';
import type { Tx } from '../../platform/db/database';
import { appendEvent } from '../../platform/events/outbox';
import type { Staff } from '../../platform/http/auth';
import { runIdempotent } from '../../platform/http/idempotency';
import { AppError, forbidden, type Localized, notFound } from '../../platform/http/problem';
import { scaledMs } from '../../platform/time';
import { appendAudit } from '../audit/chain';
import { routeNewCase } from '../routing/assign';
import { getOpsSettings } from '../settings/settings';
import { type CaseRow, lockCase, staffName, toCaseSummary, visibleKinds } from './queries';
import { type CaseChange, caseKindHandler } from './registry';

export interface OpenCaseInput {
  kind: CaseKind;
  subjectType: string;
  subjectId: number;
  stage: string;
  title: string;
  userId?: number | null;
  orderId?: number | null;
  amountFen?: number | null;
  priority?: number;
  flags?: CaseFlag[];
  summary?: Record<string, unknown>;
  /** Extra text the queue search matches (names, order numbers …); the title is always included. */
  searchText?: string;
  note?: string;
}

/** Cases whose own action is running in a transaction (see `isCaseActing`). */
const actingCases = new WeakMap<Tx, Set<number>>();
function markActing(tx: Tx, caseId: number): void {
  const set = actingCases.get(tx) ?? new Set<number>();
  set.add(caseId);
  actingCases.set(tx, set);
}

/**
 * True while a staff action on this case runs in `tx`. Reactions that keep a case in step with its
 * subject (a listing leaving review, an order leaving `disputed`) skip such a case: the action itself
 * records the decision on it.
 */
export function isCaseActing(tx: Tx, caseId: number): boolean {
  return actingCases.get(tx)?.has(caseId) ?? false;
}

const caseNotFound = () => notFound({ zh: '工单不存在', en: 'No such case' });

/**
 * Opens the case a domain event calls for, in the event's transaction, with its SLA deadline from the
 * settings. If the subject already has a live case of this kind, that case is updated instead (a second
 * report on the same listing joins the first), so there is never more than one.
 */
export async function openCase(ctx: AppContext, tx: Tx, input: OpenCaseInput): Promise<CaseSummary> {
  const now = ctx.now();
  const existing = (await tx
    .selectFrom('cases')
    .selectAll()
    .where('kind', '=', input.kind)
    .where('subject_type', '=', input.subjectType)
    .where('subject_id', '=', input.subjectId)
    .where('status', '<>', 'resolved')
    .forNoKeyUpdate()
    .executeTakeFirst()) as CaseRow | undefined;
  if (existing) {
    return changeCase(ctx, tx, existing, null, 'updated', {
      title: input.title,
      stage: input.stage,
      status: 'open',
      priority: Math.max(existing.priority, input.priority ?? 1),
      flags: [...new Set([...(existing.flags as CaseFlag[]), ...(input.flags ?? [])])],
      summary: { ...existing.summary, ...(input.summary ?? {}) },
      amountFen: input.amountFen ?? existing.amount_fen,
      note: input.note ?? '',
    });
  }
  const settings = await getOpsSettings(tx);
  const row = (await tx
    .insertInto('cases')
    .values({
      kind: input.kind,
      stage: input.stage,
      priority: input.priority ?? 1,
      sla_due_at: new Date(now.getTime() + scaledMs(ctx.env, settings.slaMinutes[input.kind] * 60_000)),
      subject_type: input.subjectType,
      subject_id: input.subjectId,
      user_id: input.userId ?? null,
      order_id: input.orderId ?? null,
      amount_fen: input.amountFen ?? null,
      title: input.title,
      summary: JSON.stringify(input.summary ?? {}),
      flags: input.flags ?? [],
      search_text: `${input.title} ${input.searchText ?? ''}`.trim(),
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow()) as CaseRow;
  await tx
    .insertInto('case_history')
    .values({
      case_id: row.id,
      at: now,
      actor_id: null,
      action: 'opened',
      from_status: null,
      to_status: 'open',
      note: input.note ?? '',
      data: '{}',
    })
    .execute();
  const summary = toCaseSummary(row, null);
  await appendEvent(tx, 'case.upserted', { aggregateType: 'case', aggregateId: row.id }, summary);
  // A team that handles the kind hands the new case to an online member now (modules/routing).
  return (await routeNewCase(ctx, tx, row.id)) ?? summary;
}

/**
 * Applies a change to a locked case: bumps `version`, writes the history line and the `case.upserted`
 * event. `actorId` null means the system (a job, a domain event).
 */
export async function changeCase(
  ctx: AppContext,
  tx: Tx,
  c: CaseRow,
  actorId: number | null,
  action: string,
  change: CaseChange & { assigneeId?: number | null },
): Promise<CaseSummary> {
  const now = ctx.now();
  const status = change.status ?? c.status;
  const resolvedNow = status === 'resolved' && c.status !== 'resolved';
  const reopened = status !== 'resolved' && c.status === 'resolved';
  let slaDue = c.sla_due_at;
  let slaBreached = change.slaBreached ?? c.sla_breached;
  if (change.restartSla || reopened) {
    const settings = await getOpsSettings(tx);
    slaDue = new Date(now.getTime() + scaledMs(ctx.env, settings.slaMinutes[c.kind] * 60_000));
    slaBreached = false;
  }
  const assigneeId =
    change.assigneeId !== undefined
      ? change.assigneeId
      : change.release || resolvedNow
        ? null
        : c.assignee_id;
  const flags = change.flags ?? (c.flags as CaseFlag[]);
  const row = (await tx
    .updateTable('cases')
    .set({
      status,
      stage: change.stage ?? c.stage,
      outcome: change.outcome !== undefined ? change.outcome : reopened ? null : c.outcome,
      priority: change.priority ?? c.priority,
      flags: slaBreached ? flags : flags.filter((f) => f !== 'sla_breached'),
      ...(change.tags !== undefined ? { tags: change.tags } : {}),
      summary: JSON.stringify(change.summary ?? c.summary),
      title: change.title ?? c.title,
      amount_fen: change.amountFen !== undefined ? change.amountFen : c.amount_fen,
      assignee_id: assigneeId,
      claimed_at: assigneeId === null ? null : assigneeId === c.assignee_id ? c.claimed_at : now,
      sla_due_at: slaDue,
      sla_breached: slaBreached,
      version: c.version + 1,
      updated_at: now,
      resolved_at: resolvedNow ? now : reopened ? null : c.resolved_at,
      resolved_by: resolvedNow ? actorId : reopened ? null : c.resolved_by,
    })
    .where('id', '=', c.id)
    .returningAll()
    .executeTakeFirstOrThrow()) as CaseRow;
  await tx
    .insertInto('case_history')
    .values({
      case_id: c.id,
      at: now,
      actor_id: actorId,
      action,
      from_status: c.status,
      to_status: status,
      note: change.note ?? '',
      data: JSON.stringify(change.data ?? {}),
    })
    .execute();
  const summary = toCaseSummary(row, await staffName(tx, row.assignee_id));
  await appendEvent(tx, 'case.upserted', { aggregateType: 'case', aggregateId: c.id }, summary);
  return summary;
}

/** Loads and locks a case the staff member may see, or 404 (cases of other kinds do not exist for them). */
async function lockVisibleCase(tx: Tx, staff: Staff, id: number): Promise<CaseRow> {
  const c = await lockCase(tx, id);
  if (!c || !visibleKinds(staff).includes(c.kind)) throw caseNotFound();
  return c;
}

function assertVersion(c: CaseRow, version: number): void {
  if (c.version !== version)
    throw new AppError('case_version_conflict', undefined, {
      caseId: c.id,
      currentVersion: c.version,
      assigneeId: c.assignee_id,
    });
}

async function conflictHeldBy(tx: Tx, c: CaseRow): Promise<AppError> {
  return new AppError('case_claimed_by_other', undefined, {
    caseId: c.id,
    currentVersion: c.version,
    assigneeId: c.assignee_id,
    assigneeName: await staffName(tx, c.assignee_id),
  });
}

export type HoldOp = 'claim' | 'release' | 'assign';

/**
 * Why `staff` may not claim, release or assign the case now, or null: the one rule the three commands
 * enforce and the case detail offers. The holder releases and transfers; anyone who handles the kind
 * claims or assigns an unclaimed case; an admin (`staff.manage`) may release or reassign any held case.
 */
export function holdRefusal(
  c: CaseRow,
  staff: Staff,
  op: HoldOp,
): {
  code: 'forbidden' | 'case_claimed_by_other' | 'case_action_unavailable' | 'case_resolved';
  reason: Localized;
} | null {
  if (!hasPermission(staff.roles, CASE_HANDLE_PERMISSION[c.kind]))
    return {
      code: 'forbidden',
      reason: { zh: '您不能处理此类工单', en: 'You may not handle cases of this kind' },
    };
  const admin = hasPermission(staff.roles, 'staff.manage');
  const heldByOther = c.assignee_id !== null && c.assignee_id !== staff.userId;
  const held = {
    code: 'case_claimed_by_other' as const,
    reason: { zh: '工单由其他同事处理中', en: 'Someone else holds this case' },
  };
  if (op === 'release') {
    if (c.assignee_id === null)
      return {
        code: 'case_action_unavailable',
        reason: { zh: '该工单未被认领', en: 'Nobody holds this case' },
      };
    return heldByOther && !admin ? held : null;
  }
  if (heldByOther && !(op === 'assign' && admin)) return held;
  if (c.status === 'resolved')
    return { code: 'case_resolved', reason: { zh: '工单已处理完毕', en: 'The case is already resolved' } };
  return null;
}

/**
 * Applies `holdRefusal` in the order callers rely on: permission and holder first, then the version,
 * then a resolved case (so a stale client hears about the version before anything else).
 */
async function assertMayHold(tx: Tx, c: CaseRow, staff: Staff, op: HoldOp, version: number): Promise<void> {
  const refusal = holdRefusal(c, staff, op);
  if (refusal?.code === 'forbidden') throw forbidden(refusal.reason);
  if (refusal?.code === 'case_claimed_by_other') throw await conflictHeldBy(tx, c);
  if (refusal?.code === 'case_action_unavailable')
    throw new AppError('case_action_unavailable', refusal.reason);
  assertVersion(c, version);
  if (refusal?.code === 'case_resolved') throw new AppError('case_resolved', undefined, { caseId: c.id });
}

/**
 * The console's `Idempotency-Key` on a case write: the key is recorded in the command's own transaction, so
 * an action replayed from the console's offline outbox after a lost answer gets the first answer back
 * instead of a 409 for the version it already moved on. Without a key the command simply runs.
 */
function transactOnce<T>(
  ctx: AppContext,
  staff: Staff,
  once: { scope: string; key: string | undefined; request: unknown },
  command: (tx: Tx) => Promise<T>,
): Promise<T> {
  return ctx.db.transact(async (tx) => {
    const key = once.key;
    if (key === undefined) return command(tx);
    const done = await runIdempotent(
      tx,
      { userId: staff.userId, scope: once.scope, key, request: once.request },
      async () => ({ status: 200, body: await command(tx) }),
    );
    return done.body;
  });
}

/** Takes the case. Claiming a case you already hold is a no-op that still checks the version. */
export async function claimCase(
  ctx: AppContext,
  staff: Staff,
  id: number,
  version: number,
  idempotencyKey?: string,
): Promise<CaseSummary> {
  const once = { scope: `case.claim:${id}`, key: idempotencyKey, request: { version } };
  return transactOnce(ctx, staff, once, async (tx) => {
    const c = await lockVisibleCase(tx, staff, id);
    await assertMayHold(tx, c, staff, 'claim', version);
    if (c.assignee_id === staff.userId) return toCaseSummary(c, await staffName(tx, c.assignee_id));
    await appendAudit(tx, ctx.now(), {
      actorId: staff.userId,
      action: 'case.claim',
      subjectType: 'case',
      subjectId: c.id,
    });
    return changeCase(ctx, tx, c, staff.userId, 'claimed', { assigneeId: staff.userId });
  });
}

/** Gives the case back to the queue. Only its holder may, or an admin (`staff.manage`). */
export async function releaseCase(
  ctx: AppContext,
  staff: Staff,
  id: number,
  body: { version: number; note?: string | undefined },
  idempotencyKey?: string,
): Promise<CaseSummary> {
  const once = { scope: `case.release:${id}`, key: idempotencyKey, request: body };
  return transactOnce(ctx, staff, once, async (tx) => {
    const c = await lockVisibleCase(tx, staff, id);
    await assertMayHold(tx, c, staff, 'release', body.version);
    await appendAudit(tx, ctx.now(), {
      actorId: staff.userId,
      action: 'case.release',
      subjectType: 'case',
      subjectId: c.id,
      data: { previousAssigneeId: c.assignee_id, note: body.note ?? '' },
    });
    return changeCase(ctx, tx, c, staff.userId, 'released', { assigneeId: null, note: body.note ?? '' });
  });
}

/**
 * Whether a user may be handed cases of `kind`: an active account, not disabled, whose roles handle the
 * kind. A disabled member keeps their roles (to be enabled again) but cannot take work. Manual
 * assignment and team routing (modules/routing) both use it.
 */
export function mayBeAssigned(
  u: { status: string; staff_disabled_at: Date | null; staff_roles: string[] },
  kind: CaseKind,
): boolean {
  return (
    u.status === 'active' &&
    u.staff_disabled_at === null &&
    hasPermission(u.staff_roles as StaffRole[], CASE_HANDLE_PERMISSION[kind])
  );
}

/**
 * Hands the case to a colleague who may handle its kind: the holder transfers it, anyone may assign an
 * unclaimed case, and an admin may reassign any case.
 */
export async function assignCase(
  ctx: AppContext,
  staff: Staff,
  id: number,
  body: { version: number; assigneeId: number; note?: string | undefined },
  idempotencyKey?: string,
): Promise<CaseSummary> {
  const once = { scope: `case.assign:${id}`, key: idempotencyKey, request: body };
  return transactOnce(ctx, staff, once, async (tx) => {
    const c = await lockVisibleCase(tx, staff, id);
    await assertMayHold(tx, c, staff, 'assign', body.version);
    const target = await tx
      .selectFrom('users')
      .select(['id', 'staff_roles', 'status', 'staff_disabled_at'])
      .where('id', '=', body.assigneeId)
      .executeTakeFirst();
    if (!target || !mayBeAssigned(target, c.kind))
      throw new AppError('assignee_not_eligible', undefined, { assigneeId: body.assigneeId }, [
        { field: 'body.assigneeId', message: 'is not a member of staff who may handle this kind of case' },
      ]);
    const action = c.assignee_id === staff.userId ? 'transferred' : 'assigned';
    await appendAudit(tx, ctx.now(), {
      actorId: staff.userId,
      action: `case.${action === 'transferred' ? 'transfer' : 'assign'}`,
      subjectType: 'case',
      subjectId: c.id,
      data: { from: c.assignee_id, to: body.assigneeId, note: body.note ?? '' },
    });
    return changeCase(ctx, tx, c, staff.userId, action, {
      assigneeId: body.assigneeId,
      note: body.note ?? '',
      data: { from: c.assignee_id, to: body.assigneeId },
    });
  });
}

/** Why an action cannot run for this staff member now, or null. Shared by `perform` and the detail's offers. */
export function actionBlocker(c: CaseRow, staff: Staff, actionName: string): Localized | null {
  const def = caseKindHandler(c.kind)?.actions[actionName];
  if (!def) return { zh: '没有这个操作', en: 'No such action' };
  if (!hasPermission(staff.roles, def.permission)) return { zh: '没有权限', en: 'Not permitted' };
  if (c.status === 'resolved' && !def.onResolved) return { zh: '工单已处理完毕', en: 'The case is resolved' };
  if (c.status !== 'resolved' && def.onResolved)
    return { zh: '工单尚未处理完毕', en: 'The case is not resolved' };
  if (c.assignee_id !== null && c.assignee_id !== staff.userId)
    return { zh: '工单由其他同事处理中', en: 'Someone else holds this case' };
  return def.check?.(c, staff) ?? null;
}

/**
 * Performs one of the kind's actions: checks permission, holder and version, runs the domain work and
 * the case change in one transaction, and audits it. Acting on an unclaimed case claims it implicitly.
 */
export async function performCaseAction(
  ctx: AppContext,
  staff: Staff,
  id: number,
  actionName: string,
  rawBody: unknown,
  idempotencyKey?: string,
): Promise<{ case: CaseSummary; result: Record<string, unknown> }> {
  const once = { scope: `case.perform.${actionName}:${id}`, key: idempotencyKey, request: rawBody };
  return transactOnce(ctx, staff, once, async (tx) => {
    const c = await lockVisibleCase(tx, staff, id);
    const def = caseKindHandler(c.kind)?.actions[actionName];
    if (!def)
      // The unknown name is what the caller sent: it goes back as data, not inside the sentence.
      throw new AppError(
        'not_found',
        {
          zh: `「${CASE_KIND_LABELS[c.kind].zh}」工单没有这个操作`,
          en: `${CASE_KIND_LABELS[c.kind].en} cases have no such action`,
        },
        { action: actionName },
      );
    if (!hasPermission(staff.roles, def.permission)) throw forbidden();
    if (c.assignee_id !== null && c.assignee_id !== staff.userId) throw await conflictHeldBy(tx, c);
    const body = parseActionBody(def.body, rawBody);
    assertVersion(c, (rawBody as { version: number }).version);
    const blocker = actionBlocker(c, staff, actionName);
    if (blocker) throw new AppError('case_action_unavailable', blocker, { caseId: c.id, action: actionName });
    markActing(tx, c.id);
    const change: CaseChange = await def.run(ctx, tx, c, staff, body);
    await appendAudit(tx, ctx.now(), {
      actorId: staff.userId,
      action: `case.perform.${actionName}`,
      subjectType: 'case',
      subjectId: c.id,
      data: { kind: c.kind, body, outcome: change.outcome ?? null, result: change.result ?? {} },
    });
    const keepHolder = change.release || change.status === 'resolved' ? {} : { assigneeId: staff.userId };
    const summary = await changeCase(ctx, tx, c, staff.userId, actionName, { ...keepHolder, ...change });
    return { case: summary, result: change.result ?? {} };
  });
}

function parseActionBody(schema: import('zod').ZodType, raw: unknown): unknown {
  const withoutVersion = { ...((raw ?? {}) as Record<string, unknown>) };
  delete withoutVersion['version'];
  const parsed = schema.safeParse(withoutVersion);
  if (!parsed.success)
    throw new AppError(
      'validation_failed',
      undefined,
      undefined,
      parsed.error.issues.map((i) => ({ field: ['body', ...i.path].join('.'), message: i.message })),
    );
  return parsed.data;
}
