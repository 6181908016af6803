import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { MultipartFile } from '@fastify/multipart';
import { FILE_LIMITS, FILE_UPLOAD_FIELD } from '@jiangxin/shared/api/files';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../platform/http/problem';
import type { ReceivedUpload } from './commands';
import {
  contentMismatch,
  newStorageKey,
  normalizeDeclaredType,
  SNIFF_BYTES,
  sanitizeFilename,
  typeFromContent,
} from './content';
import { fileTooLarge, storageProblem } from './problems';
import { type FileStorage, ObjectTooLargeError } from './storage';

/** Busboy limits for an upload request: one file of at most FILE_LIMITS.maxBytes, a few small fields. */
export const UPLOAD_LIMITS = {
  fileSize: FILE_LIMITS.maxBytes,
  files: 1,
  fields: 10,
  fieldSize: 4096,
  parts: 12,
  headerPairs: 20,
} as const;

const field = `body.${FILE_UPLOAD_FIELD}`;

/** A storage failure that is not one of storage.ts's kinds (a bug): it must not pass for a malformed body. */
class UnexpectedStoreFailure extends Error {
  constructor(override readonly cause: unknown) {
    super('storing the upload failed', { cause });
  }
}

/**
 * Reads the single `file` part of a multipart request, checks it and streams it into `storage` under a
 * new key: size (busboy truncates the stream at the limit and discards the rest; the storage write is
 * then aborted), allowed type, content matching the declared type. The whole request is consumed before
 * refusing, so the client always gets the answer; a refused request leaves no stored object behind.
 */
export async function receiveUpload(
  req: FastifyRequest,
  storage: FileStorage,
  now: Date,
): Promise<ReceivedUpload> {
  let accepted: ReceivedUpload | undefined;
  try {
    return await receiveParts(req, storage, now, (stored) => {
      accepted = stored;
    });
  } catch (err) {
    // Stored, but the request is refused after all (a second file, a broken body): remove the bytes.
    if (accepted) await storage.delete(accepted.storageKey).catch(() => {});
    throw err;
  }
}

async function receiveParts(
  req: FastifyRequest,
  storage: FileStorage,
  now: Date,
  onStored: (upload: ReceivedUpload) => void,
): Promise<ReceivedUpload> {
  let accepted: ReceivedUpload | undefined;
  let refusal: AppError | undefined;
  let sawFile = false;
  try {
    for await (const part of req.parts()) {
      if (part.type !== 'file') continue;
      if (part.fieldname !== FILE_UPLOAD_FIELD || sawFile) {
        await discard(part.file);
        refusal ??= new AppError(
          'validation_failed',
          {
            zh: `文件必须放在 ${FILE_UPLOAD_FIELD} 字段中`,
            en: `The file must be sent in the ${FILE_UPLOAD_FIELD} field`,
          },
          undefined,
          [{ field: `body.${part.fieldname}`, message: `unexpected file; use ${FILE_UPLOAD_FIELD}` }],
        );
        continue;
      }
      sawFile = true;
      const result = await readPart(part, storage, newStorageKey(now));
      if (result instanceof AppError) refusal ??= result;
      else {
        accepted = result;
        onStored(result);
      }
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (err instanceof UnexpectedStoreFailure) throw err.cause;
    const code = (err as { code?: string }).code;
    if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
      throw new AppError(
        'validation_failed',
        { zh: '一次只能上传一个文件', en: 'Upload exactly one file per request' },
        undefined,
        [{ field, message: 'exactly one file and a few small fields per request' }],
      );
    }
    throw new AppError(
      'validation_failed',
      { zh: '上传的表单数据不完整或格式错误', en: 'The multipart body is malformed or incomplete' },
      undefined,
      [{ field: 'body', message: (err as Error).message }],
    );
  }
  if (refusal) throw refusal;
  if (!accepted) {
    throw new AppError(
      'validation_failed',
      { zh: `缺少文件（字段 ${FILE_UPLOAD_FIELD}）`, en: `No file in the ${FILE_UPLOAD_FIELD} field` },
      undefined,
      [{ field, message: 'required' }],
    );
  }
  return accepted;
}

/**
 * Streams one file part into storage under `key`. The first SNIFF_BYTES decide the type (from the bytes:
 * a declared type must match them, see content.ts) before anything is stored; the rest flows through
 * sha256 into `storage.put` with backpressure, so memory holds a few chunks, never the file. Busboy stops
 * the stream at FILE_LIMITS.maxBytes; past it the write is aborted and the storage keeps nothing.
 */
async function readPart(
  part: MultipartFile,
  storage: FileStorage,
  key: string,
): Promise<ReceivedUpload | AppError> {
  const source = (part.file as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const headChunks: Buffer[] = [];
  let headSize = 0;
  let ended = false;
  while (headSize < SNIFF_BYTES) {
    const next = await source.next();
    if (next.done) {
      ended = true;
      break;
    }
    headChunks.push(next.value);
    headSize += next.value.length;
  }
  const head = Buffer.concat(headChunks, headSize);
  const refuse = async (problem: AppError) => {
    if (!ended) await discard({ [Symbol.asyncIterator]: () => source });
    return part.file.truncated ? fileTooLarge() : problem;
  };

  const filename = sanitizeFilename(part.filename ?? '');
  const declared = normalizeDeclaredType(part.mimetype, filename) ?? typeFromContent(head);
  if (!declared) {
    return refuse(
      new AppError(
        'file_type_not_allowed',
        {
          zh: `不支持的文件类型：${part.mimetype || '（未声明）'}`,
          en: `File type not allowed: ${part.mimetype || '(none declared)'}`,
        },
        { allowedTypes: FILE_LIMITS.allowedTypes },
        [{ field, message: `type must be one of ${FILE_LIMITS.allowedTypes.join(', ')}` }],
      ),
    );
  }
  if (headSize === 0) {
    return refuse(
      new AppError('validation_failed', { zh: '文件是空的', en: 'The file is empty' }, undefined, [
        { field, message: 'must not be empty' },
      ]),
    );
  }
  const mismatch = contentMismatch(declared, head);
  if (mismatch) {
    return refuse(
      new AppError('file_type_not_allowed', mismatch, { declaredType: declared }, [
        { field, message: mismatch.en },
      ]),
    );
  }

  const hash = createHash('sha256');
  let size = 0;
  const body = new PassThrough();
  let storeFailed = false;
  const stored = storage.put(key, body, { contentType: declared, maxBytes: FILE_LIMITS.maxBytes }).then(
    () => null,
    (err: unknown) => {
      storeFailed = true;
      body.destroy();
      return err;
    },
  );
  const feed = async (chunk: Buffer) => {
    size += chunk.length;
    hash.update(chunk);
    if (storeFailed) return; // the rest of the request is still read, so the client gets the answer
    if (!body.write(chunk)) await Promise.race([once(body, 'drain').catch(() => {}), stored]);
  };
  try {
    for (const chunk of headChunks) await feed(chunk);
    while (!ended) {
      const next = await source.next();
      if (next.done) break;
      if (part.file.truncated) continue;
      await feed(next.value);
    }
  } catch (err) {
    // The request broke off mid-file (the client went away): the storage write is abandoned with it.
    body.destroy(err as Error);
    await stored;
    throw err;
  }
  if (part.file.truncated) {
    body.destroy(new ObjectTooLargeError(FILE_LIMITS.maxBytes));
    await stored;
    return fileTooLarge();
  }
  body.end();
  const failure = await stored;
  if (failure) {
    const problem = storageProblem(failure);
    if (problem) return problem;
    throw new UnexpectedStoreFailure(failure);
  }
  return { filename, contentType: declared, sizeBytes: size, sha256: hash.digest('hex'), storageKey: key };
}

/** Reads a stream to its end without keeping anything (an unexpected part must still be consumed). */
async function discard(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _chunk of stream) {
    // dropped
  }
}
