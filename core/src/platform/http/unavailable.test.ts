import { describe, expect, it } from 'vitest';
import { isDependencyOutage, serviceUnavailable } from './unavailable';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDependencyOutage', () => {
  it('knows a database or Redis that is down, restarting, overloaded or silent', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH'])
      expect(isDependencyOutage(withCode(code)), code).toBe(true);
    // SQLSTATE class 08, administrator shutdown, crash shutdown, cannot connect now, too many connections,
    // a statement cancelled by statement_timeout.
    for (const code of ['08000', '08003', '08006', '08001', '57P01', '57P02', '57P03', '53300', '57014'])
      expect(isDependencyOutage(withCode(code)), code).toBe(true);
    for (const message of [
      'Connection terminated unexpectedly',
      'Connection terminated due to connection timeout',
      'timeout exceeded when trying to connect',
      'Query read timeout',
      'Client has encountered a connection error and is not queryable',
      'Connection is closed.',
      "Stream isn't writeable and enableOfflineQueue options is false",
      'Command timed out',
    ])
      expect(isDependencyOutage(new Error(message)), message).toBe(true);
    expect(
      isDependencyOutage(Object.assign(new Error('gave up'), { name: 'MaxRetriesPerRequestError' })),
    ).toBe(true);
  });

  it('looks through causes and the errors of a dual-stack connect', () => {
    expect(isDependencyOutage(new Error('wrapped', { cause: withCode('ECONNREFUSED') }))).toBe(true);
    expect(isDependencyOutage(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]))).toBe(
      true,
    );
  });

  it('leaves bugs and refusals of the request alone (they stay 500 or their own code)', () => {
    expect(isDependencyOutage(new TypeError('x is undefined'))).toBe(false);
    expect(isDependencyOutage(withCode('23505', 'duplicate key value violates unique constraint'))).toBe(
      false,
    );
    expect(isDependencyOutage(withCode('40P01', 'deadlock detected'))).toBe(false);
    expect(isDependencyOutage(withCode('42P01', 'relation "x" does not exist'))).toBe(false);
    expect(isDependencyOutage(null)).toBe(false);
    expect(isDependencyOutage('ECONNREFUSED')).toBe(false);
  });

  it('answers 503 service_unavailable with a Retry-After', () => {
    const err = serviceUnavailable();
    expect(err.status).toBe(503);
    expect(err.code).toBe('service_unavailable');
    expect(err.extra).toEqual({ retryAfterSeconds: expect.any(Number) });
  });
});
