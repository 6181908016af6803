import {
  CASE_KINDS,
  CASE_VIEW_PERMISSION,
  type CaseFlag,
  type CaseHistoryEntry,
  type CaseKind,
  type CaseListQuery,
  type CaseStatus,
  type CaseSummary,
} from '@jiangxin/shared/ops/cases';
import { hasPermission } from '@jiangxin/shared/permissions';
import { type RawBuilder, type Selectable, sql } from 'kysely';
import { z } from 'zod';
import type { ReadDb, Tx } from '../../platform/db/database';
import type { Database } from '../../platform/db/schema';
import type { Staff } from '../../platform/http/auth';
import { cursorId, decodeCursor, encodeCursor } from '../../platform/http/cursor';

export type CaseRow = Selectable<Database['cases']> & { kind: CaseKind; status: CaseStatus };

/** The kinds of case this staff member may see. */
export function visibleKinds(staff: Staff): CaseKind[] {
  return CASE_KINDS.filter((k) => hasPermission(staff.roles, CASE_VIEW_PERMISSION[k]));
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function toCaseSummary(r: CaseRow, assigneeName: string | null): CaseSummary {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    stage: r.stage,
    priority: r.priority,
    assigneeId: r.assignee_id,
    assigneeName,
    version: r.version,
    slaDueAt: iso(r.sla_due_at),
    slaBreached: r.sla_breached,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    userId: r.user_id,
    orderId: r.order_id,
    amountFen: r.amount_fen,
    title: r.title,
    summary: r.summary,
    flags: r.flags as CaseFlag[],
    outcome: r.outcome,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    resolvedAt: iso(r.resolved_at),
  };
}

export async function getCaseRow(db: ReadDb | Tx, id: number): Promise<CaseRow | undefined> {
  return (await db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst()) as
    | CaseRow
    | undefined;
}

/** Locks the case row for the rest of the transaction. */
export async function lockCase(tx: Tx, id: number): Promise<CaseRow | undefined> {
  return (await tx
    .selectFrom('cases')
    .selectAll()
    .where('id', '=', id)
    .forNoKeyUpdate()
    .executeTakeFirst()) as CaseRow | undefined;
}

export async function staffName(db: ReadDb | Tx, id: number | null): Promise<string | null> {
  if (id === null) return null;
  const u = await db.selectFrom('users').select('nickname').where('id', '=', id).executeTakeFirst();
  return u?.nickname ?? null;
}

export async function getCaseSummary(db: ReadDb | Tx, id: number): Promise<CaseSummary | undefined> {
  const r = await getCaseRow(db, id);
  return r ? toCaseSummary(r, await staffName(db, r.assignee_id)) : undefined;
}

export async function caseHistory(db: ReadDb, caseId: number): Promise<CaseHistoryEntry[]> {
  const rows = await db
    .selectFrom('case_history as h')
    .leftJoin('users as u', 'u.id', 'h.actor_id')
    .select([
      'h.id',
      'h.at',
      'h.actor_id',
      'u.nickname',
      'h.action',
      'h.from_status',
      'h.to_status',
      'h.note',
      'h.data',
    ])
    .where('h.case_id', '=', caseId)
    .orderBy('h.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    at: new Date(r.at).toISOString(),
    actorId: r.actor_id,
    actorName: r.nickname,
    action: r.action,
    fromStatus: r.from_status as CaseStatus | null,
    toStatus: r.to_status as CaseStatus | null,
    note: r.note,
    data: r.data,
  }));
}

const FAR_FUTURE = '9999-12-31 00:00:00+00';

/**
 * The queue: cases of the kinds the staff member may see, filtered, in a stable keyset order. Every sort
 * ends with `id` so the cursor is exact; SLA sorts put cases without a deadline last.
 */
export async function listCases(
  db: ReadDb,
  staff: Staff,
  q: CaseListQuery,
): Promise<{ items: CaseSummary[]; nextCursor: string | null }> {
  const allowed = visibleKinds(staff);
  const kinds = q.kind ? q.kind.filter((k) => allowed.includes(k)) : allowed;
  if (!kinds.length) return { items: [], nextCursor: null };

  const sortKey = q.sort.replace('-', '') as 'sla' | 'priority' | 'created' | 'amount';
  const desc = q.sort.startsWith('-') !== (sortKey === 'priority'); // priority sorts high-first by default
  const keyExpr: RawBuilder<unknown> = {
    // Literal, not a parameter: it must match the expression of the index `cases_sla_order_idx`.
    sla: sql<string>`coalesce(c.sla_due_at, ${sql.lit(FAR_FUTURE)}::timestamptz)`,
    priority: sql<number>`c.priority`,
    created: sql<string>`c.created_at`,
    amount: sql<number>`coalesce(c.amount_fen, -1)`,
  }[sortKey];
  const isTime = sortKey === 'sla' || sortKey === 'created';

  let query = db
    .selectFrom('cases as c')
    .leftJoin('users as a', 'a.id', 'c.assignee_id')
    .selectAll('c')
    .select(['a.nickname as assignee_name', keyExpr.as('sort_key')])
    .where('c.kind', 'in', kinds);
  if (q.status) query = query.where('c.status', 'in', q.status);
  if (q.assignee === 'me') query = query.where('c.assignee_id', '=', staff.userId);
  else if (q.assignee === 'none') query = query.where('c.assignee_id', 'is', null);
  else if (typeof q.assignee === 'number') query = query.where('c.assignee_id', '=', q.assignee);
  if (q.priorityAtLeast !== undefined) query = query.where('c.priority', '>=', q.priorityAtLeast);
  if (q.slaBreached !== undefined) query = query.where('c.sla_breached', '=', q.slaBreached);
  if (q.userId) query = query.where('c.user_id', '=', q.userId);
  if (q.orderId) query = query.where('c.order_id', '=', q.orderId);
  if (q.minAmountFen !== undefined) query = query.where('c.amount_fen', '>=', q.minAmountFen);
  if (q.maxAmountFen !== undefined) query = query.where('c.amount_fen', '<=', q.maxAmountFen);
  if (q.createdFrom) query = query.where('c.created_at', '>=', new Date(q.createdFrom));
  if (q.createdTo) query = query.where('c.created_at', '<', new Date(q.createdTo));
  if (q.q) query = query.where('c.search_text', 'ilike', `%${q.q.replace(/[\\%_]/g, '\\$&')}%`);

  const cursorKind = `cases:${q.sort}`;
  if (q.cursor) {
    const [key, id] = decodeCursor(
      q.cursor,
      cursorKind,
      z.tuple([isTime ? z.string().datetime() : z.number().int(), cursorId]),
    );
    const keyValue = isTime ? sql`${key}::timestamptz` : sql`${key}`;
    query = desc
      ? query.where(sql<boolean>`(${keyExpr}, c.id) < (${keyValue}, ${id})`)
      : query.where(sql<boolean>`(${keyExpr}, c.id) > (${keyValue}, ${id})`);
  }
  const rows = await query
    .orderBy(sql`${keyExpr} ${sql.raw(desc ? 'DESC' : 'ASC')}`)
    .orderBy('c.id', desc ? 'desc' : 'asc')
    .limit(q.limit + 1)
    .execute();
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  const nextCursor =
    rows.length > q.limit && last
      ? encodeCursor(cursorKind, [
          isTime ? new Date(last.sort_key as unknown as string).toISOString() : Number(last.sort_key),
          last.id,
        ])
      : null;
  return {
    items: page.map((r) => toCaseSummary(r as unknown as CaseRow, r.assignee_name)),
    nextCursor,
  };
}
