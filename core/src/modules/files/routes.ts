import multipart from '@fastify/multipart';
import { idParamSchema } from '@jiangxin/shared/api/common';
import { FILE_LIMITS, fileSchema } from '@jiangxin/shared/api/files';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../../platform/context';
import { requireUser } from '../../platform/http/auth';
import { AppError } from '../../platform/http/problem';
import type { HttpServer } from '../../platform/http/server';
import { storeUpload } from './commands';
import { contentDisposition } from './content';
import { storageProblem } from './problems';
import { findReadableFile, toFileInfo } from './queries';
import { StorageObjectMissingError, type StoredObject } from './storage';
import { receiveUpload, UPLOAD_LIMITS } from './upload';

const tags = ['files'];

/**
 * What a store with presigned URLs (S3) hands out by redirect: pictures. They are most of the bytes read
 * (chat screenshots, listing pictures, shown again and again), passive formats whose type was proven from
 * their bytes, and shown inline. Everything else (deliverables, dispute evidence, documents, archives,
 * text) streams through the core after the access check, on every read: a URL of those must not work
 * for whoever it is forwarded to, and the core adds nosniff and a sandboxing CSP the bucket would not.
 */
const presignedKinds = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
const secured = [{ bearer: [] }];

/**
 * Upload, metadata and download of files. The multipart parser is registered in this plugin's own scope,
 * so `multipart/form-data` is accepted here and nowhere else in the API.
 */
export async function registerFilesRoutes(app: HttpServer, ctx: AppContext): Promise<void> {
  await app.register(async (plain) => {
    const scope = plain.withTypeProvider<ZodTypeProvider>();
    await scope.register(multipart, {
      limits: UPLOAD_LIMITS,
      throwFileSizeLimit: false,
    });

    scope.post(
      '/files',
      {
        schema: {
          operationId: 'uploadFile',
          tags,
          summary: '上传文件 Upload a file',
          description: `multipart/form-data with exactly one file in the \`file\` field; at most ${FILE_LIMITS.maxBytes} bytes; types: ${FILE_LIMITS.allowedTypes.join(', ')}. The content must match the declared type.`,
          consumes: ['multipart/form-data'],
          'x-request-body': {
            required: true,
            content: {
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  properties: {
                    file: {
                      type: 'string',
                      format: 'binary',
                      contentMediaType: 'application/octet-stream',
                      description: '文件内容 · The file (its name and type come from the part’s headers)',
                    },
                  },
                  required: ['file'],
                },
                encoding: { file: { contentType: FILE_LIMITS.allowedTypes.join(', ') } },
              },
            },
          },
          security: secured,
          response: { 201: fileSchema },
        },
      },
      async (req, reply) => {
        const { userId } = requireUser(req);
        if (!req.isMultipart()) {
          throw new AppError('unsupported_media_type', {
            zh: '上传文件请使用 multipart/form-data',
            en: 'Upload files as multipart/form-data',
          });
        }
        const upload = await receiveUpload(req, ctx.storage, ctx.now());
        return reply.status(201).send(await storeUpload(ctx, userId, upload));
      },
    );

    scope.get(
      '/files/:id',
      {
        schema: {
          operationId: 'getFile',
          tags,
          summary: '文件信息 File metadata',
          security: secured,
          params: idParamSchema,
          response: { 200: fileSchema },
        },
      },
      async (req) => toFileInfo(await findReadableFile(ctx.db.fresh, req.params.id, requireUser(req))),
    );

    scope.get(
      '/files/:id/content',
      {
        schema: {
          operationId: 'downloadFile',
          tags,
          summary: '下载文件 Download file content',
          description:
            'The stored bytes with their content type. Readers: the uploader, participants of a conversation the file was sent in, the parties of an order whose delivery or dispute references it, and staff. With object storage, a picture is answered 302 to a presigned storage URL that works for a few minutes; other files always stream from here.',
          security: secured,
          params: idParamSchema,
          'x-responses': {
            302: {
              description:
                '图片：跳转到有效期几分钟的存储地址 · A picture in object storage: its presigned URL, valid for a few minutes',
              headers: {
                Location: { description: 'The presigned storage URL', schema: { type: 'string' } },
              },
            },
            200: {
              description: '文件内容 · The file’s bytes, with its stored content type',
              headers: {
                'Content-Disposition': {
                  description: 'inline for images, attachment otherwise, with the original file name',
                  schema: { type: 'string' },
                },
                ETag: { description: 'The SHA-256 of the content', schema: { type: 'string' } },
              },
              content: {
                '*/*': {
                  schema: { type: 'string', format: 'binary', contentMediaType: 'application/octet-stream' },
                },
              },
            },
          },
        },
      },
      async (req, reply) => {
        const row = await findReadableFile(ctx.db.fresh, req.params.id, requireUser(req));
        const inline = row.content_type.startsWith('image/');
        const disposition = contentDisposition(row.filename, inline);
        const ttl = ctx.env.S3_PRESIGN_TTL_SECONDS;
        if (ctx.storage.presign && presignedKinds.has(row.content_type) && ttl > 0) {
          // Pictures: straight from the bucket, by a URL that works for a few minutes (see deploy/README.md).
          const location = await ctx.storage.presign(row.storage_key, {
            expiresInSeconds: ttl,
            contentType: row.content_type,
            contentDisposition: disposition,
          });
          return reply
            .status(302)
            .header('location', location)
            .header('cache-control', 'private, no-store')
            .header('referrer-policy', 'no-referrer')
            .send();
        }
        let stored: StoredObject;
        try {
          stored = await ctx.storage.get(row.storage_key);
        } catch (err) {
          const problem = storageProblem(err);
          if (!problem) throw err;
          if (err instanceof StorageObjectMissingError)
            req.log.error(
              { fileId: row.id, key: row.storage_key },
              'a file row points at bytes storage does not have',
            );
          throw Object.assign(problem, { cause: err });
        }
        return reply
          .header('content-type', row.content_type)
          .header('content-length', stored.size)
          .header('content-disposition', disposition)
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', "default-src 'none'; sandbox")
          .header('cache-control', 'private, max-age=3600')
          .header('etag', `"${row.sha256}"`)
          .send(stored.body);
      },
    );
  });
}
