import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, pickLang, toProblem } from './problem';

const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

/**
 * Refusals Fastify's router makes before any route, hook or error handler runs: a path parameter longer
 * than the router allows (it answered 414 with its own JSON) or a path that is not valid percent-encoded
 * UTF-8 (400, its own JSON). Both are bad input, answered like every other refusal: a 400
 * `application/problem+json` with `validation_failed`, naming the path.
 */
export function frameworkErrorProblem(error: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const lang = pickLang(req.headers['accept-language']);
  const badUrl = error.code === 'FST_ERR_BAD_URL' || error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  const err = badUrl
    ? new AppError(
        'validation_failed',
        {
          zh: '请求地址不合法：参数过长或编码错误',
          en: 'The URL is not valid: a parameter is too long or wrongly encoded',
        },
        undefined,
        [{ field: 'path', message: 'must be a valid, percent-encoded UTF-8 path of reasonable length' }],
      )
    : new AppError('internal');
  reply
    .status(err.status)
    .type(PROBLEM_TYPE)
    .send(toProblem(err, lang, req.url.split('?')[0]));
}

/**
 * Requests Node's HTTP parser refuses before Fastify sees them — headers or request line over the size
 * limit (431), a request that took too long to arrive (408), malformed HTTP (400) — answered as
 * `application/problem+json` with a stable `code` instead of Fastify's ad-hoc JSON. No request was
 * parsed, so there is no Accept-Language: the message is Chinese first, and `details` carries both.
 */
export function clientErrorProblem(err: ConnectionError, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, appErr] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [
          431,
          new AppError('payload_too_large', {
            zh: '请求头或请求地址过长',
            en: 'The request headers or the URL are too long',
          }),
        ]
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [
            408,
            new AppError('validation_failed', { zh: '请求超时', en: 'The request took too long to arrive' }),
          ]
        : [
            400,
            new AppError('validation_failed', {
              zh: '请求不是合法的 HTTP 请求',
              en: 'The request is not valid HTTP',
            }),
          ];
  const body = JSON.stringify({ ...toProblem(appErr, 'zh'), status });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${PROBLEM_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
