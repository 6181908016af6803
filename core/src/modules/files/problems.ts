import { FILE_LIMITS } from '@jiangxin/shared/api/files';
import { AppError } from '../../platform/http/problem';
import { RETRY_AFTER_SECONDS } from '../../platform/http/unavailable';
import { ObjectTooLargeError, StorageObjectMissingError, StorageUnavailableError } from './storage';

const field = 'body.file';

/** 413 for an upload over FILE_LIMITS.maxBytes, said in megabytes. */
export function fileTooLarge(): AppError {
  const mb = FILE_LIMITS.maxBytes / (1024 * 1024);
  return new AppError(
    'file_too_large',
    { zh: `文件超过 ${mb} MB 上限`, en: `The file exceeds the ${mb} MB limit` },
    { maxBytes: FILE_LIMITS.maxBytes },
    [{ field, message: `must be at most ${FILE_LIMITS.maxBytes} bytes` }],
  );
}

/** 503 with Retry-After: the file storage (disk or bucket) cannot be reached right now. */
export function storageUnavailable(): AppError {
  return new AppError(
    'service_unavailable',
    {
      zh: '文件存储暂时无法访问，请稍后再试',
      en: 'File storage cannot be reached right now; try again shortly',
    },
    { retryAfterSeconds: RETRY_AFTER_SECONDS },
  );
}

/**
 * The answer for a storage failure, or null when `err` is not one: unreachable storage 503, an object
 * over its limit 413, and a row whose bytes are gone 404 (it will not come back by retrying; the log
 * says which key, for whoever restores it from the bucket's versions or the backup).
 */
export function storageProblem(err: unknown): AppError | null {
  if (err instanceof StorageUnavailableError) return storageUnavailable();
  if (err instanceof ObjectTooLargeError) return fileTooLarge();
  if (err instanceof StorageObjectMissingError) {
    return new AppError('not_found', {
      zh: '文件内容已丢失，请联系客服',
      en: 'The file’s content is missing from storage; please contact support',
    });
  }
  return null;
}
