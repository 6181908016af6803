import type { AllowedFileType, StoredFileInfo } from '@jiangxin/shared/api/files';
import type { AppContext } from '../../platform/context';
import { storageKeyFor } from './content';
import { toFileInfo } from './queries';

/** A checked upload: allowed type matching its content, sanitized name, bytes within the limit. */
export interface AcceptedUpload {
  filename: string;
  contentType: AllowedFileType;
  bytes: Buffer;
  sha256: string;
}

/**
 * Stores an accepted upload for `ownerId`. Bytes go to content-addressed storage first (identical bytes
 * are written once, whoever uploads them), then the metadata row commits, so a row never points at
 * missing bytes. Each upload gets its own row: name, type and owner are per upload.
 */
export async function storeUpload(
  ctx: AppContext,
  ownerId: number,
  upload: AcceptedUpload,
): Promise<StoredFileInfo> {
  const key = storageKeyFor(upload.sha256);
  const already = await ctx.db.write
    .selectFrom('files')
    .select('id')
    .where('sha256', '=', upload.sha256)
    .where('storage_key', '=', key)
    .limit(1)
    .executeTakeFirst();
  if (!already) await ctx.storage.put(key, upload.bytes);
  const row = await ctx.db.transact((tx) =>
    tx
      .insertInto('files')
      .values({
        owner_id: ownerId,
        filename: upload.filename,
        content_type: upload.contentType,
        size_bytes: upload.bytes.length,
        sha256: upload.sha256,
        storage_key: key,
        created_at: ctx.now(),
      })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  return toFileInfo(row);
}
