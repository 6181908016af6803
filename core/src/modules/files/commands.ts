import type { AllowedFileType, StoredFileInfo } from '@jiangxin/shared/api/files';
import type { AppContext } from '../../platform/context';
import { toFileInfo } from './queries';

/** A checked upload already in storage: allowed type proven by its bytes, sanitized name, size within the limit. */
export interface ReceivedUpload {
  filename: string;
  contentType: AllowedFileType;
  sizeBytes: number;
  sha256: string;
  /** Where its bytes were just stored (a fresh key of its own). */
  storageKey: string;
}

/**
 * Records an upload whose bytes are already stored, for `ownerId`. Identical bytes are kept once: when a
 * file with the same SHA-256 and size exists, the row points at that copy and the fresh one is removed.
 * The bytes are stored before the row commits, so a row never points at missing bytes; if the row cannot
 * be written (the database is down), the fresh bytes are removed again, so nothing is left half-written.
 * Each upload gets its own row: name, type and owner are per upload.
 */
export async function storeUpload(
  ctx: AppContext,
  ownerId: number,
  upload: ReceivedUpload,
): Promise<StoredFileInfo> {
  let reused: string | undefined;
  try {
    const same = await ctx.db.write
      .selectFrom('files')
      .select('storage_key')
      .where('sha256', '=', upload.sha256)
      .where('size_bytes', '=', upload.sizeBytes)
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    reused = same?.storage_key;
    const row = await ctx.db.transact((tx) =>
      tx
        .insertInto('files')
        .values({
          owner_id: ownerId,
          filename: upload.filename,
          content_type: upload.contentType,
          size_bytes: upload.sizeBytes,
          sha256: upload.sha256,
          storage_key: reused ?? upload.storageKey,
          created_at: ctx.now(),
        })
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    if (reused) await removeQuietly(ctx, upload.storageKey);
    return toFileInfo(row);
  } catch (err) {
    await removeQuietly(ctx, upload.storageKey);
    throw err;
  }
}

/** Removes stored bytes no row points at; a failure only leaves an orphan object, so it is logged, not thrown. */
async function removeQuietly(ctx: AppContext, key: string): Promise<void> {
  try {
    await ctx.storage.delete(key);
  } catch (err) {
    ctx.log.warn({ err, key }, 'could not remove stored bytes no file points at (an orphan object is left)');
  }
}
