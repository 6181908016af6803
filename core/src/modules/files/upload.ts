import { createHash } from 'node:crypto';
import type { MultipartFile } from '@fastify/multipart';
import { FILE_LIMITS, FILE_UPLOAD_FIELD } from '@jiangxin/shared/api/files';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../platform/http/problem';
import type { AcceptedUpload } from './commands';
import { contentMismatch, normalizeDeclaredType, sanitizeFilename } from './content';

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

/**
 * Reads the single `file` part of a multipart request and checks it: size (never holding more than the
 * limit: busboy truncates the stream there and discards the rest), allowed type, content matching the
 * declared type. The whole request is consumed before refusing, so the client always gets the answer.
 */
export async function receiveUpload(req: FastifyRequest): Promise<AcceptedUpload> {
  let accepted: AcceptedUpload | undefined;
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
      const result = await readPart(part);
      if (result instanceof AppError) refusal ??= result;
      else accepted = result;
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
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

/** Streams one file part through sha256, keeping at most the limit in memory, then checks it. */
async function readPart(part: MultipartFile): Promise<AcceptedUpload | AppError> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of part.file as AsyncIterable<Buffer>) {
    if (part.file.truncated) {
      chunks.length = 0;
      continue;
    }
    size += chunk.length;
    hash.update(chunk);
    chunks.push(chunk);
  }
  if (part.file.truncated) {
    const mb = FILE_LIMITS.maxBytes / (1024 * 1024);
    return new AppError(
      'file_too_large',
      { zh: `文件超过 ${mb} MB 上限`, en: `The file exceeds the ${mb} MB limit` },
      { maxBytes: FILE_LIMITS.maxBytes },
      [{ field, message: `must be at most ${FILE_LIMITS.maxBytes} bytes` }],
    );
  }
  const filename = sanitizeFilename(part.filename ?? '');
  const declared = normalizeDeclaredType(part.mimetype, filename);
  if (!declared) {
    return new AppError(
      'file_type_not_allowed',
      {
        zh: `不支持的文件类型：${part.mimetype || '（未声明）'}`,
        en: `File type not allowed: ${part.mimetype || '(none declared)'}`,
      },
      { allowedTypes: FILE_LIMITS.allowedTypes },
      [{ field, message: `type must be one of ${FILE_LIMITS.allowedTypes.join(', ')}` }],
    );
  }
  if (size === 0) {
    return new AppError('validation_failed', { zh: '文件是空的', en: 'The file is empty' }, undefined, [
      { field, message: 'must not be empty' },
    ]);
  }
  const bytes = Buffer.concat(chunks, size);
  const mismatch = contentMismatch(declared, bytes);
  if (mismatch) {
    return new AppError('file_type_not_allowed', mismatch, { declaredType: declared }, [
      { field, message: mismatch.en },
    ]);
  }
  return { filename, contentType: declared, bytes, sha256: hash.digest('hex') };
}

/** Reads a stream to its end without keeping anything (an unexpected part must still be consumed). */
async function discard(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _chunk of stream) {
    // dropped
  }
}
