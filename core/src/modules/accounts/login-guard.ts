import type { Env } from '../../platform/config';
import { AppError } from '../../platform/http/problem';
import type { LimitCounters } from '../../platform/limits/counters';

/** A limit on failed sign-ins: at most `max` in any window of `windowMs`. */
interface FailureLimit {
  max: number;
  windowMs: number;
}

/** The sign-in limits, from the environment (README lists the variables). */
export interface LoginLimits {
  /** One account from one address: the ordinary guessing limit. */
  accountAddress: FailureLimit;
  /** One account from every address together: guessing spread over many addresses. */
  account: FailureLimit;
  /** One address over every account: password spraying (one password tried on many names). */
  address: FailureLimit;
  /** The whole service: a credential-stuffing wave from many addresses; also caps password-hash work. */
  global: FailureLimit;
}

export type LoginLimitName = keyof LoginLimits;

export function loginLimitsFromEnv(env: Env): LoginLimits {
  return {
    accountAddress: { max: env.LOGIN_FAILURES_PER_ACCOUNT_ADDRESS, windowMs: 15 * 60_000 },
    account: { max: env.LOGIN_FAILURES_PER_ACCOUNT, windowMs: 60 * 60_000 },
    address: { max: env.LOGIN_FAILURES_PER_ADDRESS, windowMs: 15 * 60_000 },
    global: { max: env.LOGIN_FAILURES_GLOBAL_PER_MINUTE, windowMs: 60_000 },
  };
}

/** An admitted sign-in attempt: counted as a failure unless `succeeded()` takes it back. */
export interface LoginAttempt {
  succeeded(): Promise<void>;
}

/**
 * Decides whether a sign-in attempt may reach the password check. Every attempt is counted *before* the
 * check (so a burst of parallel guesses cannot all slip under the limit) against four counters; a right
 * password takes its count back, so only failures accumulate. The account is the user the name resolves
 * to — username, email and phone share one counter — or, for a name that matches nobody, the normalised
 * name itself, so unknown names are limited the same way and the answer does not tell them apart.
 *
 * Refusals are `rate_limited` (429) with `Retry-After`; an attempt refused by its own counters does not
 * spend the global budget, so one noisy address cannot lock everybody out through it.
 */
export class LoginGuard {
  constructor(
    private readonly counters: LimitCounters,
    private readonly limits: LoginLimits,
    /** Told of every refusal and which limit made it (the metrics count them for alerting). */
    private readonly onRefused: (limit: LoginLimitName) => void = () => {},
  ) {}

  async admit(account: string, address: string): Promise<LoginAttempt> {
    const limits = this.limits;
    const own = [
      {
        name: 'accountAddress' as const,
        key: `login:aa:${account}|${address}`,
        limit: limits.accountAddress,
      },
      { name: 'account' as const, key: `login:a:${account}`, limit: limits.account },
      { name: 'address' as const, key: `login:ip:${address}`, limit: limits.address },
    ];
    const hits = await Promise.all(own.map((c) => this.counters.hit(c.key, c.limit.windowMs)));
    const over = own.flatMap((c, i) =>
      hits[i]!.count > c.limit.max ? [{ ...c, ttlMs: hits[i]!.ttlMs }] : [],
    );
    if (over.length) {
      for (const o of over) this.onRefused(o.name);
      throw refusal(Math.max(...over.map((o) => o.ttlMs)), 'own');
    }
    const global = { name: 'global' as const, key: 'login:global', limit: limits.global };
    const g = await this.counters.hit(global.key, global.limit.windowMs);
    const counted = [...own, global];
    if (g.count > global.limit.max) {
      this.onRefused('global');
      throw refusal(g.ttlMs, 'global');
    }
    return {
      succeeded: async () => {
        await Promise.all(counted.map((c) => this.counters.undo(c.key, c.limit.windowMs)));
      },
    };
  }
}

function refusal(ttlMs: number, which: 'own' | 'global'): AppError {
  const seconds = Math.max(1, Math.ceil(ttlMs / 1000));
  const minutes = Math.ceil(seconds / 60);
  return new AppError(
    'rate_limited',
    which === 'own'
      ? {
          zh: `登录失败次数过多，请 ${minutes} 分钟后再试`,
          en: `Too many failed sign-ins; try again in ${minutes} min`,
        }
      : {
          zh: '登录尝试异常频繁，系统暂时限制登录，请稍后再试',
          en: 'Sign-in attempts are unusually frequent; sign-in is paused briefly, try again later',
        },
    { retryAfterSeconds: seconds },
  );
}
