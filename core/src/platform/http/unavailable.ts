import { ERROR_MESSAGES } from '@jiangxin/shared/errors';
import { AppError } from './problem';

/** Seconds a client is asked to wait after a 503 (`Retry-After`): about how long a failover or restart takes. */
export const RETRY_AFTER_SECONDS = 5;

/** Socket-level failures: the server is down, restarting, unreachable, or the connection broke. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL SQLSTATEs that say "not now" rather than "this request is wrong": class 08 (connection
 * exception) is matched by prefix; 57P01–57P03 an administrator or a crash shut the server down or it is
 * starting; 53300 too many connections; 57014 a statement ran past `statement_timeout` (the database is
 * too slow right now).
 */
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '57014']);

/** Messages of node-postgres, pg-pool, Kysely and ioredis that carry no code. */
const MESSAGES = [
  /^Connection terminated/, // node-postgres: unexpectedly / due to connection timeout / by the server
  /^timeout exceeded when trying to connect$/, // pg-pool: no connection within connectionTimeoutMillis
  /^Query read timeout$/, // node-postgres: no answer within query_timeout
  /not queryable/, // node-postgres: a client whose connection already failed
  /^Postgres connection has been discarded$/, // Kysely: a connection whose rollback failed
  /^Connection is closed\.?$/, // ioredis
  /enableOfflineQueue options is false/, // ioredis without an offline queue, while disconnected
  /^Command timed out$/, // ioredis commandTimeout
];

/**
 * Whether `err` means a dependency (PostgreSQL, Redis) is unreachable or unable to work right now, as
 * opposed to a bug or a bad request: such a failure is answered 503 `service_unavailable` with
 * `Retry-After`, not 500, so clients and the console know to try again instead of reporting a crash.
 * Looks through `cause` and the errors of an AggregateError (Node reports a refused dual-stack connect so).
 */
export function isDependencyOutage(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string') {
    if (NETWORK_CODES.has(e.code)) return true;
    if (/^[0-9A-Z]{5}$/.test(e.code) && (e.code.startsWith('08') || SQLSTATES.has(e.code))) return true;
  }
  if (e.name === 'MaxRetriesPerRequestError') return true; // ioredis gave up reconnecting for a command
  if (typeof e.message === 'string' && MESSAGES.some((m) => m.test(e.message as string))) return true;
  if (Array.isArray(e.errors) && e.errors.some((x) => isDependencyOutage(x, depth + 1))) return true;
  return isDependencyOutage(e.cause, depth + 1);
}

/** The refusal for an outage: 503 `service_unavailable`, with `Retry-After` (the error handler sets it). */
export function serviceUnavailable(): AppError {
  return new AppError('service_unavailable', undefined, { retryAfterSeconds: RETRY_AFTER_SECONDS });
}

/**
 * The same refusal for a socket.io handshake: `connect_error` with message `service_unavailable` and the
 * problem's zh/en words in `data`, so a console tells an outage from a bad token.
 */
export function serviceUnavailableSocketError(): Error & { data: Record<string, unknown> } {
  const { status, zh, en } = ERROR_MESSAGES.service_unavailable;
  return Object.assign(new Error('service_unavailable'), {
    data: {
      code: 'service_unavailable',
      status,
      message: { zh, en },
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    },
  });
}
