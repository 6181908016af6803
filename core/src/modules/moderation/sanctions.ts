import {
  REPORT_REASON_LABELS,
  type ReportReason,
  type Sanction,
  type SanctionKind,
} from '@jiangxin/shared/ops/moderation';
import type { AppContext } from '../../platform/context';
import type { Tx } from '../../platform/db/database';
import { appendEvent } from '../../platform/events/outbox';
import type { Staff } from '../../platform/http/auth';
import { AppError, notFound } from '../../platform/http/problem';
import { appendAudit } from '../audit/chain';
import { setServiceStatus } from '../catalog/commands';
import { refreshAggregatesOfReview } from '../reviews/commands';
import { presentSanction, type SanctionRow } from './queries';

const DAY_MS = 86_400_000;

export interface NewSanction {
  kind: SanctionKind;
  days?: number | undefined;
  reason: string;
  note?: string | undefined;
  /** The report case that led to it. */
  caseId?: number | null;
  /** For a takedown: what was taken down (`listing`, `review`, `message`). */
  subjectType?: string | null;
  subjectId?: number | null;
}

const notApplicable = (zh: string, en: string) => new AppError('sanction_not_applicable', { zh, en });

/**
 * Applies a sanction in the caller's transaction: warn (a record the user is told about), suspend for
 * `days` (account `suspended` until then; the longest running suspension wins), ban (account `banned`),
 * takedown (a record of content removed). Suspensions and bans end every login (refresh tokens revoked),
 * so the account is signed out when its access token expires and cannot sign in again. Staff accounts
 * and yourself cannot be sanctioned here. Audited and announced to the user (`sanction.applied`).
 */
export async function applySanction(
  ctx: AppContext,
  tx: Tx,
  actorId: number | null,
  userId: number,
  input: NewSanction,
): Promise<Sanction> {
  const now = ctx.now();
  const user = await tx
    .selectFrom('users')
    .select(['id', 'status', 'suspended_until', 'staff_roles'])
    .where('id', '=', userId)
    .forNoKeyUpdate()
    .executeTakeFirst();
  if (!user) throw notFound({ zh: '用户不存在', en: 'No such user' });
  if (user.staff_roles.length)
    throw notApplicable('平台员工账号不能在此处罚', 'Staff accounts cannot be sanctioned here');
  if (actorId === userId) throw notApplicable('不能处罚自己', 'You cannot sanction yourself');
  if (input.kind === 'suspend' && user.status === 'banned')
    throw notApplicable('该用户已被永久封禁', 'This user is already banned');
  if (input.kind === 'ban' && user.status === 'banned')
    throw notApplicable('该用户已被永久封禁', 'This user is already banned');

  const endsAt = input.kind === 'suspend' ? new Date(now.getTime() + (input.days ?? 0) * DAY_MS) : null;
  const row = await tx
    .insertInto('sanctions')
    .values({
      user_id: userId,
      kind: input.kind,
      reason: input.reason,
      note: input.note ?? '',
      days: input.kind === 'suspend' ? (input.days ?? null) : null,
      starts_at: now,
      ends_at: endsAt,
      case_id: input.caseId ?? null,
      subject_type: input.subjectType ?? null,
      subject_id: input.subjectId ?? null,
      created_by: actorId,
      created_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();

  if (input.kind === 'suspend' || input.kind === 'ban') {
    if (input.kind === 'ban') {
      await tx
        .updateTable('users')
        .set({ status: 'banned', suspended_until: null, updated_at: now })
        .where('id', '=', userId)
        .execute();
    } else {
      const current =
        user.status === 'suspended' && user.suspended_until ? new Date(user.suspended_until) : null;
      const until = current && current > endsAt! ? current : endsAt!;
      await tx
        .updateTable('users')
        .set({ status: 'suspended', suspended_until: until, updated_at: now })
        .where('id', '=', userId)
        .execute();
    }
    await tx
      .updateTable('refresh_tokens')
      .set({ revoked_at: now })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute();
  }

  await appendAudit(tx, now, {
    actorId,
    action: 'sanction.apply',
    subjectType: 'user',
    subjectId: userId,
    data: {
      sanctionId: row.id,
      kind: row.kind,
      days: row.days,
      reason: row.reason,
      note: row.note,
      caseId: row.case_id,
      target: row.subject_type ? { type: row.subject_type, id: row.subject_id } : null,
      endsAt: endsAt?.toISOString() ?? null,
    },
  });
  await appendEvent(
    tx,
    'sanction.applied',
    { aggregateType: 'user', aggregateId: userId, audience: [userId] },
    {
      sanctionId: row.id,
      userId,
      kind: row.kind,
      reason: row.reason,
      endsAt: endsAt?.toISOString() ?? null,
    },
  );
  return presentSanction(row as SanctionRow);
}

/**
 * Sets a sanctioned account's status from the sanctions still in force: banned while a ban is active,
 * suspended until the latest running suspension ends, otherwise active again. Accounts that are active
 * are left alone.
 */
async function recomputeUserStatus(tx: Tx, userId: number, now: Date): Promise<void> {
  const user = await tx
    .selectFrom('users')
    .select(['status'])
    .where('id', '=', userId)
    .forNoKeyUpdate()
    .executeTakeFirstOrThrow();
  if (user.status === 'active') return;
  const active = await tx
    .selectFrom('sanctions')
    .select(['kind', 'ends_at'])
    .where('user_id', '=', userId)
    .where('status', '=', 'active')
    .where('kind', 'in', ['suspend', 'ban'])
    .execute();
  const banned = active.some((s) => s.kind === 'ban');
  const until = active
    .filter((s) => s.kind === 'suspend' && s.ends_at && new Date(s.ends_at) > now)
    .map((s) => new Date(s.ends_at!))
    .sort((a, b) => b.getTime() - a.getTime())[0];
  await tx
    .updateTable('users')
    .set(
      banned
        ? { status: 'banned', suspended_until: null, updated_at: now }
        : until
          ? { status: 'suspended', suspended_until: until, updated_at: now }
          : { status: 'active', suspended_until: null, updated_at: now },
    )
    .where('id', '=', userId)
    .execute();
}

/**
 * Staff lift a sanction early: a suspension or ban stops (the account is active again unless another
 * sanction still holds it), a takedown puts the content back (listing republished, review or message
 * shown again). Audited; the user is told (`sanction.lifted`).
 */
export async function revokeSanction(
  ctx: AppContext,
  staff: Staff,
  sanctionId: number,
  note: string,
): Promise<Sanction> {
  return ctx.db.transact(async (tx) => {
    const now = ctx.now();
    const s = await tx
      .selectFrom('sanctions')
      .selectAll()
      .where('id', '=', sanctionId)
      .forNoKeyUpdate()
      .executeTakeFirst();
    if (!s) throw notFound({ zh: '处罚记录不存在', en: 'No such sanction' });
    if (s.status !== 'active') throw new AppError('sanction_not_active', undefined, { status: s.status });
    const row = await tx
      .updateTable('sanctions')
      .set({ status: 'revoked', revoked_at: now, revoked_by: staff.userId, revoke_note: note })
      .where('id', '=', s.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (s.kind === 'suspend' || s.kind === 'ban') await recomputeUserStatus(tx, s.user_id, now);
    if (s.kind === 'takedown' && s.subject_id !== null) {
      if (s.subject_type === 'listing') {
        const listing = await tx
          .selectFrom('services')
          .select('status')
          .where('id', '=', s.subject_id)
          .executeTakeFirst();
        if (listing?.status === 'suspended')
          await setServiceStatus(ctx, tx, s.subject_id, 'published', { note: null });
      } else if (s.subject_type === 'review' || s.subject_type === 'message') {
        await tx
          .deleteFrom('hidden_content')
          .where('subject_type', '=', s.subject_type)
          .where('subject_id', '=', s.subject_id)
          .execute();
        if (s.subject_type === 'review') await refreshAggregatesOfReview(tx, s.subject_id);
      }
    }
    await appendAudit(tx, now, {
      actorId: staff.userId,
      action: 'sanction.revoke',
      subjectType: 'user',
      subjectId: s.user_id,
      data: { sanctionId: s.id, kind: s.kind, note },
    });
    await appendEvent(
      tx,
      'sanction.lifted',
      { aggregateType: 'user', aggregateId: s.user_id, audience: [s.user_id] },
      { sanctionId: s.id, userId: s.user_id, kind: s.kind as SanctionKind, how: 'revoked' },
    );
    return presentSanction(row);
  });
}

/**
 * Ends every suspension whose time is up: the sanction becomes `expired` and the account active again
 * (unless another sanction still holds it). Audited with no actor. Safe to run on every instance and as
 * often as wanted (rows are locked and re-checked). Returns how many sanctions ended.
 */
export async function liftExpiredSanctions(ctx: AppContext): Promise<number> {
  return ctx.db.transact(async (tx) => {
    const now = ctx.now();
    const due = await tx
      .selectFrom('sanctions')
      .select(['id', 'user_id', 'kind'])
      .where('status', '=', 'active')
      .where('kind', '=', 'suspend')
      .where('ends_at', '<=', now)
      .orderBy('id')
      .limit(500)
      .forNoKeyUpdate()
      .skipLocked()
      .execute();
    if (!due.length) return 0;
    await tx
      .updateTable('sanctions')
      .set({ status: 'expired' })
      .where(
        'id',
        'in',
        due.map((d) => d.id),
      )
      .execute();
    for (const userId of [...new Set(due.map((d) => d.user_id))]) await recomputeUserStatus(tx, userId, now);
    for (const d of due) {
      await appendAudit(tx, now, {
        actorId: null,
        action: 'sanction.expire',
        subjectType: 'user',
        subjectId: d.user_id,
        data: { sanctionId: d.id, kind: d.kind },
      });
      await appendEvent(
        tx,
        'sanction.lifted',
        { aggregateType: 'user', aggregateId: d.user_id, audience: [d.user_id] },
        { sanctionId: d.id, userId: d.user_id, kind: d.kind as SanctionKind, how: 'expired' },
      );
    }
    return due.length;
  });
}

/** The zh/en text of a sanction or report reason code. */
export function reasonText(code: string): { zh: string; en: string } {
  return REPORT_REASON_LABELS[code as ReportReason] ?? { zh: code, en: code };
}
