import {
  type PastListingReview,
  REJECT_REASONS,
  REPORT_REASON_LABELS,
  type RejectReason,
  type ReportReason,
  type Sanction,
  type SanctionKind,
  type ScanHit,
} from '@jiangxin/shared/ops/moderation';
import type { Selectable } from 'kysely';
import type { ReadDb, Tx } from '../../platform/db/database';
import type { ModerationTables } from '../../platform/db/tables/moderation';
import type { FieldHit } from './scanner';

type Reader = ReadDb | Tx;
export type SanctionRow = Selectable<ModerationTables['sanctions']>;

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** Replaces the stored scanner hits of one piece of content with `hits` (a resubmission rescans it). */
export async function storeHits(
  tx: Tx,
  subjectType: string,
  subjectId: number,
  hits: readonly FieldHit[],
  now: Date,
): Promise<void> {
  await tx
    .deleteFrom('scan_hits')
    .where('subject_type', '=', subjectType)
    .where('subject_id', '=', subjectId)
    .execute();
  if (!hits.length) return;
  await tx
    .insertInto('scan_hits')
    .values(
      hits.map((h) => ({
        subject_type: subjectType,
        subject_id: subjectId,
        field: h.field,
        kind: h.kind,
        match: h.match,
        category: h.category ?? null,
        start: h.start,
        end: h.end,
        created_at: now,
      })),
    )
    .execute();
}

/** Stored hits of one piece of content, grouped by field, in text order. */
export async function storedHits(
  db: Reader,
  subjectType: string,
  subjectId: number,
): Promise<Record<string, ScanHit[]>> {
  const rows = await db
    .selectFrom('scan_hits')
    .selectAll()
    .where('subject_type', '=', subjectType)
    .where('subject_id', '=', subjectId)
    .orderBy('field')
    .orderBy('start')
    .execute();
  return groupHits(
    rows.map((r) => ({
      field: r.field,
      kind: r.kind,
      match: r.match,
      start: r.start,
      end: r.end,
      ...(r.category ? { category: r.category } : {}),
    })),
  );
}

export function groupHits(hits: readonly FieldHit[]): Record<string, ScanHit[]> {
  const out: Record<string, ScanHit[]> = {};
  for (const { field, ...hit } of hits) {
    out[field] ??= [];
    out[field].push(hit);
  }
  return out;
}

export function presentSanction(r: SanctionRow): Sanction {
  const reasonText = REPORT_REASON_LABELS[r.reason as ReportReason] ?? { zh: r.reason, en: r.reason };
  return {
    id: r.id,
    userId: r.user_id,
    kind: r.kind as SanctionKind,
    status: r.status,
    reason: r.reason,
    reasonText,
    note: r.note,
    days: r.days,
    startsAt: iso(r.starts_at)!,
    endsAt: iso(r.ends_at),
    caseId: r.case_id,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    createdBy: r.created_by,
    createdAt: iso(r.created_at)!,
    revokedAt: iso(r.revoked_at),
    revokedBy: r.revoked_by,
    revokeNote: r.revoke_note,
  };
}

/** A user's sanctions, newest first. */
export async function listSanctions(db: Reader, userId: number): Promise<Sanction[]> {
  const rows = await db
    .selectFrom('sanctions')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('id', 'desc')
    .execute();
  return rows.map(presentSanction);
}

/**
 * What a moderator wants to know about the person behind content: how long they have been here, how
 * their listings fared, their completed orders and every sanction so far.
 */
export async function userHistory(db: Reader, userId: number | null, now: Date) {
  if (userId === null) return null;
  const user = await db
    .selectFrom('users')
    .select(['id', 'username', 'nickname', 'status', 'suspended_until', 'created_at'])
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!user) return null;
  const listings = await db
    .selectFrom('services')
    .select(['status', db.fn.countAll<number>().as('n')])
    .where('freelancer_id', '=', userId)
    .groupBy('status')
    .execute();
  const count = (s: string) => Number(listings.find((l) => l.status === s)?.n ?? 0);
  const orders = await db
    .selectFrom('orders')
    .select(db.fn.countAll<number>().as('n'))
    .where('status', '=', 'completed')
    .where((eb) => eb.or([eb('freelancer_id', '=', userId), eb('client_id', '=', userId)]))
    .executeTakeFirstOrThrow();
  const createdAt = new Date(user.created_at);
  return {
    id: user.id,
    username: user.username,
    nickname: user.nickname,
    status: user.status,
    suspendedUntil: iso(user.suspended_until),
    createdAt: createdAt.toISOString(),
    accountAgeDays: Math.max(0, Math.floor((now.getTime() - createdAt.getTime()) / 86_400_000)),
    listings: {
      total: listings.reduce((s, l) => s + Number(l.n), 0),
      published: count('published'),
      rejected: count('rejected'),
      suspended: count('suspended'),
    },
    completedOrders: Number(orders.n),
    sanctions: await listSanctions(db, userId),
  };
}

/**
 * The seller's earlier listing reviews that were decided (newest first, at most `limit`), with the reject
 * reason where there was one, so a moderator sees a pattern (the third rejection for contact details …).
 */
export async function pastListingReviews(
  db: Reader,
  userId: number | null,
  exceptCaseId: number,
  limit = 10,
): Promise<PastListingReview[]> {
  if (userId === null) return [];
  const rows = await db
    .selectFrom('cases')
    .select(['id', 'subject_id', 'title', 'outcome', 'summary', 'resolved_at'])
    .where('kind', '=', 'listing_review')
    .where('user_id', '=', userId)
    .where('status', '=', 'resolved')
    .where('id', '<>', exceptCaseId)
    .orderBy('resolved_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => {
    const reason = r.summary['rejectReason'];
    return {
      caseId: r.id,
      serviceId: r.subject_id,
      title: r.title,
      outcome: r.outcome,
      rejectReason: REJECT_REASONS.includes(reason as RejectReason) ? (reason as RejectReason) : null,
      resolvedAt: iso(r.resolved_at),
    };
  });
}

/** Whether staff hid this review or message. */
export async function isHidden(db: Reader, subjectType: 'review' | 'message', id: number): Promise<boolean> {
  const row = await db
    .selectFrom('hidden_content')
    .select('subject_id')
    .where('subject_type', '=', subjectType)
    .where('subject_id', '=', id)
    .executeTakeFirst();
  return row !== undefined;
}

/** The ids among `ids` that staff hid (for lists of messages). */
export async function hiddenIds(
  db: Reader,
  subjectType: 'review' | 'message',
  ids: readonly number[],
): Promise<Set<number>> {
  if (!ids.length) return new Set();
  const rows = await db
    .selectFrom('hidden_content')
    .select('subject_id')
    .where('subject_type', '=', subjectType)
    .where('subject_id', 'in', [...ids])
    .execute();
  return new Set(rows.map((r) => r.subject_id));
}
