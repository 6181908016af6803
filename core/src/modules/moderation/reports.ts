import {
  type CreateReportBody,
  REPORT_REASON_LABELS,
  type ReportDetail,
  type ReportReason,
  type ReportTarget,
  type ReportTargetType,
} from '@jiangxin/shared/ops/moderation';
import { hasPermission } from '@jiangxin/shared/permissions';
import type { AppContext } from '../../platform/context';
import type { ReadDb, Tx } from '../../platform/db/database';
import { AppError, notFound } from '../../platform/http/problem';
import { openCase } from '../cases/commands';
import { defineCaseKind } from '../cases/registry';
import { setServiceStatus } from '../catalog/commands';
import { bothLanguages } from '../human-text';
import { refreshAggregatesOfReview } from '../reviews/commands';
import { groupHits, hiddenIds, isHidden, storeHits, userHistory } from './queries';
import { applySanction } from './sanctions';
import { type FieldHit, hitSignals, isContactHit, scanFields } from './scanner';

type Reader = ReadDb | Tx;

const TARGET_LABELS: Record<ReportTargetType, { zh: string; en: string }> = {
  listing: { zh: '服务', en: 'listing' },
  review: { zh: '评价', en: 'review' },
  message: { zh: '消息', en: 'message' },
  user: { zh: '用户', en: 'user' },
};

const noSuchTarget = (t: ReportTargetType) =>
  notFound({ zh: `${TARGET_LABELS[t].zh}不存在`, en: `No such ${TARGET_LABELS[t].en}` });

interface Target {
  /** Whose content it is (the user a sanction would hit). */
  ownerId: number;
  title: string;
  /** The texts the scanner reads. */
  texts: Record<string, string>;
}

/**
 * The reported thing as `viewerId` may see it, locked for the rest of the transaction (so two reports on
 * one target queue up and join one case), or 404. Listings must be public, reviews and messages not
 * hidden, messages only for their conversation's participants, users not banned.
 */
async function lockTarget(
  tx: Tx,
  type: ReportTargetType,
  id: number,
  viewerId: number | null,
): Promise<Target> {
  switch (type) {
    case 'listing': {
      const s = await tx
        .selectFrom('services')
        .select(['freelancer_id', 'title', 'title_zh', 'description', 'status'])
        .where('id', '=', id)
        .forNoKeyUpdate()
        .executeTakeFirst();
      if (!s || (s.status !== 'published' && viewerId !== null)) throw noSuchTarget(type);
      return {
        ownerId: s.freelancer_id,
        title: `举报服务「${s.title_zh || s.title}」`,
        texts: { title: s.title, titleZh: s.title_zh, description: s.description },
      };
    }
    case 'review': {
      const r = await tx
        .selectFrom('reviews')
        .select(['author_id', 'comment'])
        .where('id', '=', id)
        .forNoKeyUpdate()
        .executeTakeFirst();
      if (!r || (await isHidden(tx, 'review', id))) throw noSuchTarget(type);
      return { ownerId: r.author_id, title: `举报评价 #${id}`, texts: { comment: r.comment } };
    }
    case 'message': {
      const m = await tx
        .selectFrom('messages as m')
        .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
        .select(['m.sender_id', 'm.content', 'm.type', 'c.user1_id', 'c.user2_id'])
        .where('m.id', '=', id)
        .forUpdate(['m'])
        .executeTakeFirst();
      const participant = viewerId === null || m?.user1_id === viewerId || m?.user2_id === viewerId;
      if (!m || !participant || (await isHidden(tx, 'message', id))) throw noSuchTarget(type);
      return {
        ownerId: m.sender_id,
        title: `举报消息 #${id}`,
        texts: m.type === 'text' ? { content: m.content } : {},
      };
    }
    case 'user': {
      const u = await tx
        .selectFrom('users as u')
        .leftJoin('freelancer_profiles as f', 'f.user_id', 'u.id')
        .select(['u.id', 'u.nickname', 'u.status', 'f.bio'])
        .where('u.id', '=', id)
        .forUpdate(['u'])
        .executeTakeFirst();
      if (!u || u.status === 'banned') throw noSuchTarget(type);
      return {
        ownerId: u.id,
        title: `举报用户「${u.nickname}」`,
        texts: { nickname: u.nickname, ...(u.bio ? { bio: u.bio } : {}) },
      };
    }
  }
}

/**
 * Files a report in the caller's transaction and opens the target's `report` case, or joins the live one
 * (every report row is kept and shown in the case). `reporterId` null is the system (the scanner).
 */
async function fileReport(
  ctx: AppContext,
  tx: Tx,
  reporterId: number | null,
  input: { targetType: ReportTargetType; targetId: number; reason: ReportReason; detail: string },
  target: Target,
  hits: readonly FieldHit[],
): Promise<{ reportId: number; caseId: number; joined: boolean }> {
  const live = await tx
    .selectFrom('cases')
    .select(['id'])
    .where('kind', '=', 'report')
    .where('subject_type', '=', input.targetType)
    .where('subject_id', '=', input.targetId)
    .where('status', '<>', 'resolved')
    .executeTakeFirst();
  const earlier = live
    ? await tx
        .selectFrom('reports')
        .select(['reporter_id', 'reason'])
        .where('case_id', '=', live.id)
        .execute()
    : [];
  if (reporterId !== null && earlier.some((r) => r.reporter_id === reporterId))
    throw new AppError('already_reported');
  const now = ctx.now();
  const report = await tx
    .insertInto('reports')
    .values({
      reporter_id: reporterId,
      target_type: input.targetType,
      target_id: input.targetId,
      target_user_id: target.ownerId,
      reason: input.reason,
      detail: input.detail,
      created_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const reportCount = earlier.length + 1;
  const reasons = [...new Set([...earlier.map((r) => r.reason), input.reason])];
  const signals = hitSignals(hits);
  const summary = await openCase(ctx, tx, {
    kind: 'report',
    subjectType: input.targetType,
    subjectId: input.targetId,
    userId: target.ownerId,
    stage: 'reported',
    title: target.title,
    // Several people reporting the same thing is a signal of its own.
    priority: Math.max(signals.priority, reportCount >= 3 ? 2 : 1),
    flags: signals.flags,
    summary: { targetType: input.targetType, targetId: input.targetId, reportCount, reasons },
    searchText: Object.values(target.texts).join(' ').slice(0, 500),
    note: reporterId === null ? bothLanguages({ zh: '系统自动检测', en: 'Flagged by the scanner' }) : '',
  });
  await tx.updateTable('reports').set({ case_id: summary.id }).where('id', '=', report.id).execute();
  return { reportId: report.id, caseId: summary.id, joined: live !== undefined };
}

/** `POST /reports`: a signed-in user reports a listing, review, message or user. */
export async function createReport(
  ctx: AppContext,
  reporterId: number,
  body: CreateReportBody,
): Promise<{ reportId: number; joined: boolean }> {
  return ctx.db.transact(async (tx) => {
    const target = await lockTarget(tx, body.targetType, body.targetId, reporterId);
    if (target.ownerId === reporterId) throw new AppError('cannot_report_own');
    const hits = scanFields(target.texts);
    const { reportId, joined } = await fileReport(ctx, tx, reporterId, body, target, hits);
    return { reportId, joined };
  });
}

/**
 * Every new text message is scanned; contact details or prohibited words open (or join) a `report` case
 * raised by the system, with the hits stored for the case screen.
 */
export function registerMessageScanReaction(ctx: AppContext): void {
  ctx.db.reactions.on('message.created', 'moderation.scan_message', async (tx, e) => {
    if (e.type !== 'text') return;
    const m = await tx
      .selectFrom('messages')
      .select(['content'])
      .where('id', '=', e.messageId)
      .executeTakeFirst();
    if (!m) return;
    const hits = scanFields({ content: m.content });
    if (!hits.length) return;
    await storeHits(tx, 'message', e.messageId, hits, ctx.now());
    const target = await lockTarget(tx, 'message', e.messageId, null);
    await fileReport(
      ctx,
      tx,
      null,
      {
        targetType: 'message',
        targetId: e.messageId,
        reason: hits.some(isContactHit) ? 'contact_info' : 'prohibited_content',
        detail: '',
      },
      target,
      hits,
    );
  });
}

const iso = (d: Date) => new Date(d).toISOString();

/** The reported content in context, for the case screen (`target` null when it no longer exists). */
async function targetContext(db: Reader, type: string, id: number): Promise<ReportTarget> {
  switch (type) {
    case 'listing': {
      const s = await db
        .selectFrom('services')
        .select(['id', 'title', 'title_zh', 'description', 'status', 'freelancer_id'])
        .where('id', '=', id)
        .executeTakeFirst();
      return {
        targetType: 'listing',
        target: s
          ? {
              id: s.id,
              title: s.title,
              titleZh: s.title_zh,
              description: s.description,
              excerpt: s.description.slice(0, 300),
              status: s.status,
              freelancerId: s.freelancer_id,
            }
          : null,
      };
    }
    case 'review': {
      const r = await db
        .selectFrom('reviews as r')
        .innerJoin('users as a', 'a.id', 'r.author_id')
        .innerJoin('services as s', 's.id', 'r.service_id')
        .select([
          'r.id',
          'r.rating',
          'r.comment',
          'r.author_id',
          'a.nickname',
          'r.service_id',
          's.title as service_title',
          's.title_zh as service_title_zh',
          'r.order_id',
          'r.target_user_id',
          'r.created_at',
        ])
        .where('r.id', '=', id)
        .executeTakeFirst();
      return {
        targetType: 'review',
        target: r
          ? {
              id: r.id,
              rating: r.rating,
              comment: r.comment,
              authorId: r.author_id,
              authorName: r.nickname,
              serviceId: r.service_id,
              serviceTitle: r.service_title_zh || r.service_title,
              orderId: r.order_id,
              targetUserId: r.target_user_id,
              createdAt: iso(r.created_at),
              hidden: await isHidden(db, 'review', r.id),
            }
          : null,
      };
    }
    case 'message': {
      const m = await db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
      if (!m) return { targetType: 'message', target: null };
      const around = async (dir: '<' | '>') =>
        db
          .selectFrom('messages')
          .selectAll()
          .where('conversation_id', '=', m.conversation_id)
          .where('id', dir, m.id)
          .orderBy('id', dir === '<' ? 'desc' : 'asc')
          .limit(3)
          .execute();
      const rows = [...(await around('<')).reverse(), m, ...(await around('>'))];
      const names = await db
        .selectFrom('users')
        .select(['id', 'nickname'])
        .where('id', 'in', [...new Set(rows.map((r) => r.sender_id))])
        .execute();
      const hidden = await hiddenIds(
        db,
        'message',
        rows.map((r) => r.id),
      );
      return {
        targetType: 'message',
        target: {
          id: m.id,
          conversationId: m.conversation_id,
          senderId: m.sender_id,
          content: m.content,
          hidden: hidden.has(m.id),
          /** Up to three messages before and after, oldest first; `reported` marks the one reported. */
          thread: rows.map((r) => ({
            id: r.id,
            senderId: r.sender_id,
            senderName: names.find((n) => n.id === r.sender_id)?.nickname ?? null,
            type: r.type,
            content: r.content,
            createdAt: iso(r.created_at),
            reported: r.id === m.id,
            hidden: hidden.has(r.id),
          })),
        },
      };
    }
    default: {
      const u = await db
        .selectFrom('users as u')
        .leftJoin('freelancer_profiles as f', 'f.user_id', 'u.id')
        .select(['u.id', 'u.username', 'u.nickname', 'u.status', 'u.created_at', 'f.bio'])
        .where('u.id', '=', id)
        .executeTakeFirst();
      return {
        targetType: 'user',
        target: u
          ? {
              id: u.id,
              username: u.username,
              nickname: u.nickname,
              status: u.status,
              bio: u.bio ?? '',
              createdAt: iso(u.created_at),
            }
          : null,
      };
    }
  }
}

/** The texts of the reported content the scanner reads, by field name. */
function textsOf({ targetType, target }: ReportTarget): Record<string, string> {
  if (!target) return {};
  switch (targetType) {
    case 'listing':
      return { title: target.title, titleZh: target.titleZh, description: target.description };
    case 'review':
      return { comment: target.comment };
    case 'message':
      return { content: target.content };
    case 'user':
      return { nickname: target.nickname, ...(target.bio ? { bio: target.bio } : {}) };
  }
}

/** Takes reported content down: listing → suspended, review or message → hidden. */
async function takeDown(ctx: AppContext, tx: Tx, type: string, id: number, staffId: number, caseId: number) {
  if (type === 'listing') {
    const s = await tx.selectFrom('services').select('status').where('id', '=', id).executeTakeFirst();
    if (s?.status === 'published')
      await setServiceStatus(ctx, tx, id, 'suspended', {
        note: bothLanguages({ zh: '因违反平台规则被下架', en: 'Taken down for breaking the platform rules' }),
      });
    return;
  }
  if (type === 'review' || type === 'message')
    await tx
      .insertInto('hidden_content')
      .values({
        subject_type: type,
        subject_id: id,
        case_id: caseId,
        hidden_by: staffId,
        hidden_at: ctx.now(),
      })
      .onConflict((oc) => oc.columns(['subject_type', 'subject_id']).doNothing())
      .execute();
  if (type === 'review') await refreshAggregatesOfReview(tx, id);
}

export const reportCases = defineCaseKind('report', {
  actions: {
    dismiss: {
      run: async (_ctx, _tx, _c, _staff, body) => ({
        status: 'resolved',
        outcome: 'dismissed',
        stage: 'dismissed',
        note: body.note,
      }),
    },
    uphold: {
      run: async (ctx, tx, c, staff, body) => {
        if (body.takedown && c.subject_type === 'user')
          throw new AppError(
            'validation_failed',
            { zh: '用户不能下架，请选择处罚', en: 'A user cannot be taken down; choose a sanction' },
            undefined,
            [{ field: 'body.takedown', message: 'does not apply to a reported user' }],
          );
        if (body.sanction && !hasPermission(staff.roles, 'sanctions.apply'))
          throw new AppError('forbidden', undefined, { permission: 'sanctions.apply' });
        const reason = await tx
          .selectFrom('reports')
          .select('reason')
          .where('case_id', '=', c.id)
          .orderBy('id')
          .executeTakeFirst();
        const sanctionIds: number[] = [];
        if (body.takedown) {
          await takeDown(ctx, tx, c.subject_type, c.subject_id, staff.userId, c.id);
          if (c.user_id !== null) {
            const s = await applySanction(ctx, tx, staff.userId, c.user_id, {
              kind: 'takedown',
              reason: body.sanction?.reason ?? reason?.reason ?? 'other',
              note: body.note,
              caseId: c.id,
              subjectType: c.subject_type,
              subjectId: c.subject_id,
            });
            sanctionIds.push(s.id);
          }
        }
        if (body.sanction) {
          if (c.user_id === null)
            throw new AppError('sanction_not_applicable', {
              zh: '该内容没有可处罚的用户',
              en: 'Nobody to sanction for this content',
            });
          const s = await applySanction(ctx, tx, staff.userId, c.user_id, { ...body.sanction, caseId: c.id });
          sanctionIds.push(s.id);
        }
        return {
          status: 'resolved',
          outcome: 'upheld',
          stage: 'upheld',
          note: body.note,
          data: { takedown: body.takedown, sanction: body.sanction ?? null, sanctionIds },
          result: { sanctionIds },
        };
      },
    },
  },
  /** The reported content in context, every report about it, the scanner's hits and the author's history. */
  detail: async (ctx, db, c) => {
    const context = await targetContext(db, c.subject_type, c.subject_id);
    const reports = await db
      .selectFrom('reports as r')
      .leftJoin('users as u', 'u.id', 'r.reporter_id')
      .select(['r.id', 'r.reporter_id', 'u.nickname', 'r.reason', 'r.detail', 'r.created_at'])
      .where('r.target_type', '=', c.subject_type as ReportTargetType)
      .where('r.target_id', '=', c.subject_id)
      .where('r.case_id', '=', c.id)
      .orderBy('r.id')
      .execute();
    return {
      ...context,
      reports: reports.map((r) => ({
        id: r.id,
        reporterId: r.reporter_id,
        reporterName: r.nickname,
        bySystem: r.reporter_id === null,
        reason: r.reason,
        reasonText: REPORT_REASON_LABELS[r.reason as ReportReason] ?? { zh: r.reason, en: r.reason },
        detail: r.detail,
        createdAt: iso(r.created_at),
      })),
      hits: groupHits(scanFields(textsOf(context))),
      author: await userHistory(db, c.user_id, ctx.now()),
    } satisfies ReportDetail;
  },
});
