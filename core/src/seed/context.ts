import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pino from 'pino';
import { LocalFileStorage } from '../modules/files/storage';
import { MemorySmsSender } from '../modules/notifications/sms';
import type { PaymentGateways } from '../modules/payments/gateway';
import type { Env } from '../platform/config';
import type { AppContext } from '../platform/context';
import { piiKeyringFromEnv } from '../platform/crypto/pii-keys';
import type { Db } from '../platform/db/database';
import { AccessTokens } from '../platform/http/auth';

/** Gateways for a process that must never reach one: seeding marks payments paid itself. */
const noGateways = new Proxy({} as PaymentGateways, {
  get(_target, provider) {
    throw new Error(`the seeder does not talk to payment gateways (asked for ${String(provider)})`);
  },
});

/**
 * The smallest `AppContext` the seeder and the staff CLI need: the database and the configuration, a
 * throwaway token secret (no tokens leave the process), an in-memory SMS sender, local file storage and
 * gateways that throw if anything tries to use them.
 */
export function createOfflineContext(env: Env, db: Db): AppContext {
  return {
    env,
    db,
    log: pino({ level: env.LOG_LEVEL === 'silent' ? 'silent' : 'warn' }),
    now: () => new Date(),
    tokens: new AccessTokens(randomBytes(32).toString('hex'), env.ACCESS_TOKEN_TTL_SECONDS),
    gateways: noGateways,
    storage: new LocalFileStorage(path.join(env.DATA_DIR, 'files')),
    sms: new MemorySmsSender(),
    publicUrl: env.PUBLIC_URL ?? `http://${env.HOST}:${env.PORT}`,
    pii: piiKeyringFromEnv(env),
  };
}

/**
 * `ctx` with its clock stopped at `ms` (epoch milliseconds): a command played for the seeded story stamps
 * the story's time where it would stamp "now".
 */
export function atStoryTime(ctx: AppContext, ms: number): AppContext {
  return Object.create(ctx, { now: { value: () => new Date(ms) } }) as AppContext;
}

const storyClock = new AsyncLocalStorage<() => Date>();

/** Runs `fn` with the story's clock: a `followStoryClock` context reads its time from `clock` meanwhile. */
export function onStoryClock<T>(clock: () => Date, fn: () => Promise<T>): Promise<T> {
  return storyClock.run(clock, fn);
}

/**
 * `ctx` whose clock is the story's while a seeded command plays (`onStoryClock`) and the real one
 * otherwise. The ops reactions are wired with it, so a dispute played last week opens its case, and
 * counts its evidence deadline and SLA, from last week — not from the moment the seed ran.
 */
export function followStoryClock(ctx: AppContext): AppContext {
  return Object.create(ctx, {
    now: { value: () => (storyClock.getStore() ?? (() => ctx.now()))() },
  }) as AppContext;
}
