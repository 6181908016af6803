import type { IncomingMessage, ServerResponse } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FieldProblem } from '@jiangxin/shared/errors';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyRequest,
  LogController,
  type RawServerDefault,
} from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { clientErrorProblem, frameworkErrorProblem } from './edge-errors';
import { openApiOptions } from './openapi';
import { AppError, pickLang, toProblem } from './problem';
import { isDependencyOutage, serviceUnavailable } from './unavailable';

declare module 'fastify' {
  interface FastifyRequest {
    /** The exact bytes of a JSON or form body as received (signature checks need them). */
    rawBody?: string;
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(buf: Buffer): string {
  try {
    return strictUtf8.decode(buf);
  } catch {
    throw new AppError(
      'validation_failed',
      { zh: '请求体不是合法的 UTF-8 文本', en: 'The body is not valid UTF-8' },
      undefined,
      [{ field: 'body', message: 'must be valid UTF-8' }],
    );
  }
}

/** Builds the HTTP server: strict body parsing, zod validation, problem+json errors, OpenAPI docs. */
export async function createHttpServer(opts: {
  logger: Logger;
  bodyLimit?: number;
  trustProxy?: boolean;
  /** The service's public URL, the API document's server (PUBLIC_URL); without it the document's own origin. */
  publicUrl?: string | undefined;
}): Promise<HttpServer> {
  const app = Fastify({
    loggerInstance: opts.logger as FastifyBaseLogger,
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    trustProxy: opts.trustProxy ?? false,
    logController: new LogController({ disableRequestLogging: true }),
    // What the router and Node's parser refuse is answered as problem+json too (edge-errors.ts).
    frameworkErrors: frameworkErrorProblem,
    clientErrorHandler: clientErrorProblem,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body: Buffer, done) => {
    try {
      const text = decodeUtf8(body);
      req.rawBody = text;
      done(null, text.length ? JSON.parse(text) : undefined);
    } catch (err) {
      if (err instanceof AppError) return done(err);
      done(
        new AppError(
          'validation_failed',
          { zh: '请求体不是合法的 JSON', en: 'The body is not valid JSON' },
          undefined,
          [{ field: 'body', message: (err as Error).message }],
        ),
      );
    }
  });
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'buffer' },
    (req, body: Buffer, done) => {
      try {
        const text = decodeUtf8(body);
        const fields = [...new URLSearchParams(text)];
        // Forms reach no zod schema (only gateway notifications use them, read from the raw text), and
        // PostgreSQL cannot store NUL: refuse it here, raw or percent-encoded, before anything is logged.
        const nulField = text.includes('\u0000')
          ? ''
          : fields.find(([k, v]) => `${k}${v}`.includes('\u0000'))?.[0].replaceAll('\u0000', '');
        if (nulField !== undefined) {
          throw new AppError(
            'validation_failed',
            { zh: '请求体含有 NUL 字符', en: 'The body contains a NUL character' },
            undefined,
            [{ field: nulField ? `body.${nulField}` : 'body', message: 'must not contain NUL' }],
          );
        }
        req.rawBody = text;
        done(null, Object.fromEntries(fields));
      } catch (err) {
        done(err as Error);
      }
    },
  );

  app.setErrorHandler((error: FastifyError | AppError, req, reply) => {
    const lang = pickLang(req.headers['accept-language']);
    const appErr = toAppError(error, req);
    // An outage is logged once per request as a warning (it is expected while it lasts), a bug as an error.
    if (appErr.code === 'service_unavailable')
      req.log.warn({ err: error, url: req.url }, 'request refused: a dependency is unavailable');
    else if (appErr.status >= 500) req.log.error({ err: error, url: req.url }, 'request failed');
    // A refusal that knows when to come back says so in the header clients and proxies read.
    const retryAfter = appErr.extra?.['retryAfterSeconds'];
    if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
    reply
      .status(appErr.status)
      .type('application/problem+json; charset=utf-8')
      .send(toProblem(appErr, lang, req.url.split('?')[0]));
  });

  app.setNotFoundHandler((req, reply) => {
    const lang = pickLang(req.headers['accept-language']);
    const err = new AppError('not_found', {
      zh: `没有这个接口：${req.method} ${req.url}`,
      en: `No such route: ${req.method} ${req.url}`,
    });
    reply.status(404).type('application/problem+json; charset=utf-8').send(toProblem(err, lang));
  });

  await app.register(swagger, openApiOptions({ publicUrl: opts.publicUrl }));
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  return app;
}

/** The server type every module's routes are registered on (zod type provider). */
export type HttpServer = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

function toAppError(error: FastifyError | AppError, req: FastifyRequest): AppError {
  if (error instanceof AppError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? 'body';
    const fields: FieldProblem[] = error.validation.map((v) => {
      const p = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
      return { field: p ? `${where}.${p}` : where, message: v.message ?? 'invalid' };
    });
    const named = fields.map((f) => f.field).join(', ');
    return new AppError(
      'validation_failed',
      { zh: `参数不合法：${named}`, en: `Invalid: ${named}` },
      undefined,
      fields,
    );
  }
  if (isResponseSerializationError(error)) {
    req.log.error({ err: error.cause, url: req.url }, 'response did not match its schema');
    return new AppError('internal');
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', {
        zh: `不支持的 Content-Type：${req.headers['content-type'] ?? '（无）'}`,
        en: `Unsupported Content-Type: ${req.headers['content-type'] ?? '(none)'}`,
      });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('validation_failed', {
        zh: '请求体为空或长度不符',
        en: 'The body is empty or its length is wrong',
      });
  }
  // The database or Redis is down, restarting or too slow: 503 with Retry-After, not a crash report.
  if (isDependencyOutage(error)) return serviceUnavailable();
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    if (error.statusCode === 413) return new AppError('payload_too_large');
    if (error.statusCode === 415) return new AppError('unsupported_media_type');
    if (error.statusCode === 429) return new AppError('rate_limited');
    return new AppError('validation_failed', { zh: error.message, en: error.message });
  }
  return new AppError('internal');
}

export type { FastifyInstance };
