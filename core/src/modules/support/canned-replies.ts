import {
  CANNED_REPLY_VARIABLES,
  type CannedReply,
  type CannedReplyEffects,
  unknownTemplateVariables,
} from '@jiangxin/shared/ops/support';
import type { AppContext } from '../../platform/context';
import type { Tx } from '../../platform/db/database';
import type { Staff } from '../../platform/http/auth';
import { AppError, notFound } from '../../platform/http/problem';
import { appendAudit } from '../audit/chain';
import { toCannedReply } from './queries';

/** Canned replies (zh/en) with {{variables}}: managed by admins (`canned_replies.manage`), every change audited. */

const variableList = CANNED_REPLY_VARIABLES.map((v) => `{{${v}}}`).join('、');

/** Refuses unknown `{{variables}}`, naming each field and variable. */
export function assertKnownVariables(fields: Record<string, string | undefined>): void {
  const problems = Object.entries(fields).flatMap(([field, body]) => {
    const unknown = body ? unknownTemplateVariables(body) : [];
    return unknown.length ? [{ field, unknown }] : [];
  });
  if (!problems.length) return;
  const names = [...new Set(problems.flatMap((p) => p.unknown))];
  const listed = names.map((n) => `{{${n}}}`).join('、');
  throw new AppError(
    'canned_reply_unknown_variable',
    {
      zh: `不支持的变量：${listed}。可用变量：${variableList}`,
      en: `Unknown variables: ${listed}. Available: ${variableList}`,
    },
    { variables: names },
    problems.map((p) => ({
      field: p.field,
      message: `unknown variables: ${p.unknown.map((n) => `{{${n}}}`).join(', ')}`,
    })),
  );
}

async function assertShortcutFree(tx: Tx, shortcut: string | null | undefined, exceptId?: number) {
  if (!shortcut) return;
  let q = tx.selectFrom('canned_replies').select('id').where('shortcut', '=', shortcut);
  if (exceptId !== undefined) q = q.where('id', '<>', exceptId);
  if (await q.executeTakeFirst())
    throw new AppError('canned_reply_shortcut_taken', undefined, { shortcut }, [
      { field: 'body.shortcut', message: 'is used by another canned reply' },
    ]);
}

function effectColumns(e: CannedReplyEffects) {
  return { set_status: e.status, set_priority: e.priority, add_tags: e.addTags };
}

const noSuchCannedReply = () => notFound({ zh: '快捷回复不存在', en: 'No such canned reply' });

export async function createCannedReply(
  ctx: AppContext,
  staff: Staff,
  body: {
    title: string;
    bodyZh: string;
    bodyEn: string;
    shortcut?: string | null | undefined;
    effects?: CannedReplyEffects | undefined;
  },
): Promise<CannedReply> {
  assertKnownVariables({ 'body.bodyZh': body.bodyZh, 'body.bodyEn': body.bodyEn });
  return ctx.db.transact(async (tx) => {
    await assertShortcutFree(tx, body.shortcut);
    const now = ctx.now();
    const row = await tx
      .insertInto('canned_replies')
      .values({
        title: body.title,
        body_zh: body.bodyZh,
        body_en: body.bodyEn,
        shortcut: body.shortcut ?? null,
        ...(body.effects ? effectColumns(body.effects) : {}),
        created_by: staff.userId,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(tx, now, {
      actorId: staff.userId,
      action: 'canned_reply.create',
      subjectType: 'canned_reply',
      subjectId: row.id,
      data: { title: row.title, shortcut: row.shortcut, effects: body.effects ?? null },
    });
    return toCannedReply(row);
  });
}

export async function updateCannedReply(
  ctx: AppContext,
  staff: Staff,
  id: number,
  body: {
    title?: string | undefined;
    bodyZh?: string | undefined;
    bodyEn?: string | undefined;
    shortcut?: string | null | undefined;
    effects?: CannedReplyEffects | undefined;
  },
): Promise<CannedReply> {
  assertKnownVariables({ 'body.bodyZh': body.bodyZh, 'body.bodyEn': body.bodyEn });
  return ctx.db.transact(async (tx) => {
    const existing = await tx
      .selectFrom('canned_replies')
      .selectAll()
      .where('id', '=', id)
      .forNoKeyUpdate()
      .executeTakeFirst();
    if (!existing) throw noSuchCannedReply();
    await assertShortcutFree(tx, body.shortcut, id);
    const now = ctx.now();
    const row = await tx
      .updateTable('canned_replies')
      .set({
        ...(body.title !== undefined ? { title: body.title } : {}),
        ...(body.bodyZh !== undefined ? { body_zh: body.bodyZh } : {}),
        ...(body.bodyEn !== undefined ? { body_en: body.bodyEn } : {}),
        ...(body.shortcut !== undefined ? { shortcut: body.shortcut } : {}),
        ...(body.effects !== undefined ? effectColumns(body.effects) : {}),
        updated_at: now,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(tx, now, {
      actorId: staff.userId,
      action: 'canned_reply.update',
      subjectType: 'canned_reply',
      subjectId: id,
      data: { changed: Object.keys(body), ...(body.effects ? { effects: body.effects } : {}) },
    });
    return toCannedReply(row);
  });
}

export async function deleteCannedReply(ctx: AppContext, staff: Staff, id: number): Promise<void> {
  await ctx.db.transact(async (tx) => {
    const gone = await tx
      .deleteFrom('canned_replies')
      .where('id', '=', id)
      .returning(['id', 'title'])
      .executeTakeFirst();
    if (!gone) throw noSuchCannedReply();
    await appendAudit(tx, ctx.now(), {
      actorId: staff.userId,
      action: 'canned_reply.delete',
      subjectType: 'canned_reply',
      subjectId: id,
      data: { title: gone.title },
    });
  });
}
