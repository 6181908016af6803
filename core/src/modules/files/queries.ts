import type { StoredFileInfo } from '@jiangxin/shared/api/files';
import { hasPermission, type StaffRole } from '@jiangxin/shared/permissions';
import type { Selectable } from 'kysely';
import type { ReadDb, Tx } from '../../platform/db/database';
import type { FilesTable } from '../../platform/db/schema';
import type { Principal } from '../../platform/http/auth';
import { AppError, notFound } from '../../platform/http/problem';

export type FileRow = Selectable<FilesTable>;

/** The public shape of a stored file; `url` is where its bytes are downloaded (same access rules). */
export function toFileInfo(row: FileRow): StoredFileInfo {
  return {
    id: row.id,
    filename: row.filename,
    contentType: row.content_type,
    sizeBytes: row.size_bytes,
    sha256: row.sha256,
    url: `/api/v1/files/${row.id}/content`,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/**
 * Files by id as the API shows them, keyed by id (missing ids are simply absent). No access check:
 * callers present files attached to something the reader may already see (a message, a delivery).
 */
export async function filesByIds(
  db: ReadDb | Tx,
  ids: readonly number[],
): Promise<Map<number, StoredFileInfo>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db.selectFrom('files').selectAll().where('id', 'in', unique).execute();
  return new Map(rows.map((r) => [r.id, toFileInfo(r)]));
}

/**
 * Refuses unless every id names an existing file uploaded by `userId`, and returns them in the given
 * order. Modules that attach files (messages, order deliveries, disputes) call it inside their own
 * transaction, so a user can only attach their own uploads. The refusal (400 `file_not_usable`) names
 * the offending ids, both in the detail and as `fileIds`, and under `field` when given.
 */
export async function assertFilesUsable(
  db: ReadDb | Tx,
  userId: number,
  fileIds: readonly number[],
  opts: { field?: string } = {},
): Promise<StoredFileInfo[]> {
  const unique = [...new Set(fileIds)];
  const rows =
    unique.length === 0
      ? []
      : await db
          .selectFrom('files')
          .selectAll()
          .where('id', 'in', unique)
          .where('owner_id', '=', userId)
          .execute();
  const found = new Map(rows.map((r) => [r.id, toFileInfo(r)]));
  const missing = unique.filter((id) => !found.has(id));
  if (missing.length > 0) {
    const list = missing.map((id) => `#${id}`).join(', ');
    throw new AppError(
      'file_not_usable',
      { zh: `文件不存在或不属于您：${list}`, en: `Not found or not yours: file ${list}` },
      { fileIds: missing },
      [{ field: opts.field ?? 'fileIds', message: `not an upload of yours: ${list}` }],
    );
  }
  return unique.map((id) => found.get(id)!);
}

/**
 * Whether a member of staff may open users' files (support chats, deliveries, dispute evidence, listing
 * pictures): as their account is now, not as their access token says — like the /ops guard, so disabling
 * someone or taking their roles away stops their file reads on the next request. Opening files is part of
 * looking at cases, so it takes `cases.view`.
 */
async function staffMayReadFiles(db: ReadDb, userId: number): Promise<boolean> {
  const account = await db
    .selectFrom('users')
    .select(['staff_roles', 'staff_disabled_at'])
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!account || account.staff_disabled_at) return false;
  return hasPermission(account.staff_roles as StaffRole[], 'cases.view');
}

/**
 * A file the principal may read, or 404 (the same answer whether it does not exist or is not theirs,
 * so ids cannot be probed). Readers: the uploader; participants of a conversation it was sent in; the
 * client and freelancer of an order whose delivery or dispute references it; staff who may view cases
 * (checked against their account as it is now).
 */
export async function findReadableFile(db: ReadDb, fileId: number, who: Principal): Promise<FileRow> {
  const row = await db.selectFrom('files').selectAll().where('id', '=', fileId).executeTakeFirst();
  if (row && row.owner_id === who.userId) return row;
  if (row && who.staffRoles.length > 0 && (await staffMayReadFiles(db, who.userId))) return row;
  if (row) {
    const access = await db
      .selectNoFrom((eb) => [
        eb
          .exists(
            eb
              .selectFrom('messages as m')
              .innerJoin('conversation_participants as p', 'p.conversation_id', 'm.conversation_id')
              .select('m.id')
              .where('m.file_id', '=', fileId)
              .where('p.user_id', '=', who.userId),
          )
          .as('in_conversation'),
        eb
          .exists(
            eb
              .selectFrom('order_deliveries as d')
              .innerJoin('orders as o', 'o.id', 'd.order_id')
              .select('d.id')
              .where((w) => w.or([w('o.client_id', '=', who.userId), w('o.freelancer_id', '=', who.userId)]))
              .where((w) => w(w.val(fileId), '=', w.fn.any('d.file_ids'))),
          )
          .as('in_delivery'),
        eb
          .exists(
            eb
              .selectFrom('disputes as x')
              .innerJoin('orders as o', 'o.id', 'x.order_id')
              .select('x.id')
              .where((w) => w.or([w('o.client_id', '=', who.userId), w('o.freelancer_id', '=', who.userId)]))
              .where((w) => w(w.val(fileId), '=', w.fn.any('x.file_ids'))),
          )
          .as('in_dispute'),
        // Attachments of support chats: the customer reads what agents sent them (never a note's).
        eb
          .exists(
            eb
              .selectFrom('support_messages as sm')
              .innerJoin('support_conversations as sc', 'sc.id', 'sm.conversation_id')
              .select('sm.id')
              .where('sc.user_id', '=', who.userId)
              .where('sm.is_note', '=', false)
              .where((w) => w(w.val(fileId), '=', w.fn.any('sm.file_ids'))),
          )
          .as('in_support'),
      ])
      .executeTakeFirstOrThrow();
    if (access.in_conversation || access.in_delivery || access.in_dispute || access.in_support) return row;
  }
  throw notFound({ zh: '文件不存在', en: 'No such file' });
}
