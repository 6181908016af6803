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
import { findReadableFile, toFileInfo } from './queries';
import { receiveUpload, UPLOAD_LIMITS } from './upload';

const tags = ['files'];
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
        const upload = await receiveUpload(req);
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
      async (req) => toFileInfo(await findReadableFile(ctx.db.read, req.params.id, requireUser(req))),
    );

    scope.get(
      '/files/:id/content',
      {
        schema: {
          operationId: 'downloadFile',
          tags,
          summary: '下载文件 Download file content',
          description:
            'The stored bytes with their content type. Readers: the uploader, participants of a conversation the file was sent in, the parties of an order whose delivery or dispute references it, and staff.',
          security: secured,
          params: idParamSchema,
          'x-responses': {
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
        const row = await findReadableFile(ctx.db.read, req.params.id, requireUser(req));
        const bytes = await ctx.storage.get(row.storage_key);
        return reply
          .header('content-type', row.content_type)
          .header('content-length', bytes.length)
          .header(
            'content-disposition',
            contentDisposition(row.filename, row.content_type.startsWith('image/')),
          )
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', "default-src 'none'; sandbox")
          .header('cache-control', 'private, max-age=3600')
          .header('etag', `"${row.sha256}"`)
          .send(bytes);
      },
    );
  });
}
