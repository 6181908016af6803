import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { type App, buildApp } from '../app';
import { fileStorageFromEnv } from '../modules/files/s3-storage';
import { MemorySmsSender, type SmsSender } from '../modules/notifications/sms';
import type { PaymentGateways } from '../modules/payments/gateway';
import { type Env, loadEnv } from '../platform/config';
import type { AppContext } from '../platform/context';
import { piiKeyringFromEnv, verifyPiiKeys } from '../platform/crypto/pii-keys';
import { type Db, type OpenDbOptions, openDb, poolOptionsFromEnv } from '../platform/db/database';
import { migrateToLatest, migrateUpTo } from '../platform/db/migrate';
import { logReplicaChange } from '../platform/db/replica';
import { AccessTokens } from '../platform/http/auth';

/** Which database the current Vitest project runs against (set per project in vitest.config.ts). */
export const backend: 'pglite' | 'postgres' =
  process.env['JX_TEST_BACKEND'] === 'postgres' ? 'postgres' : 'pglite';

/**
 * A fresh, migrated database of the current backend: an in-memory PGlite, or a new database on the test
 * PostgreSQL server (TEST_DATABASE_URL) that `drop()` removes. Nothing depends on leftovers.
 */
export async function createTestDb(
  opts: {
    /**
     * PostgreSQL: rewrites the URL the returned handle connects with, e.g. through a test's proxy so the
     * test can cut it (`link.via`). Creating, migrating and dropping the database stay direct.
     */
    via?: (url: string) => string;
    /** PostgreSQL: the time bounds the runtime gives its pool (see `openDb`); none unless given. */
    bounds?: Pick<OpenDbOptions, 'connectTimeoutMs' | 'statementTimeoutMs' | 'queryTimeoutMs'>;
    /** PostgreSQL: named statements in transactions, as the runtime sends them (default true). */
    preparedStatements?: boolean;
    /** Migrate only up to this migration (a migration's test writes rows of the schema before it). */
    upTo?: string;
  } = {},
): Promise<{ db: Db; url: string | null; drop(): Promise<void> }> {
  if (backend === 'pglite') {
    const db = await openDb({ url: 'memory://' });
    if (opts.upTo) await migrateUpTo(db, opts.upTo);
    else await migrateToLatest(db);
    return { db, url: null, drop: () => db.close() };
  }
  const adminUrl = process.env['TEST_DATABASE_URL'];
  if (!adminUrl) throw new Error('JX_TEST_BACKEND=postgres needs TEST_DATABASE_URL');
  const name = `jx_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const migrations = await openDb({ url: url.toString(), poolSize: 1 });
  try {
    if (opts.upTo) await migrateUpTo(migrations, opts.upTo);
    else await migrateToLatest(migrations);
  } finally {
    await migrations.close();
  }
  const db = await openDb({
    url: opts.via ? opts.via(url.toString()) : url.toString(),
    poolSize: 10,
    preparedStatements: opts.preparedStatements ?? true,
    ...opts.bounds,
  });
  return {
    db,
    url: url.toString(),
    async drop() {
      await db.close();
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/** A pool on a database the test made and migrated itself (`startTestApp({ existingDbUrl })`). */
async function openExistingDb(url: string): Promise<{ db: Db; url: string; drop(): Promise<void> }> {
  const db = await openDb({ url, poolSize: 10 });
  return { db, url, drop: () => db.close() };
}

/** `openExistingDb` with a read replica, pooled as the runtime pools (replica.test.ts). */
async function openReplicatedDb(
  url: string,
  readUrl: string,
  env: Env,
  log: pino.Logger | undefined,
): Promise<{ db: Db; url: string; drop(): Promise<void> }> {
  const db = await openDb({
    url,
    readUrl,
    poolSize: 10,
    ...poolOptionsFromEnv(env),
    ...(log ? { onReplicaChange: logReplicaChange(log) } : {}),
  });
  return { db, url, drop: () => db.close() };
}

/** The test core's personal-data keys (PII_KEY, PII_INDEX_KEY): fixed, so tests can open what it sealed. */
export const TEST_PII_ENV = {
  PII_KEY: `test1:${Buffer.alloc(32, 7).toString('base64')}`,
  PII_INDEX_KEY: Buffer.alloc(32, 9).toString('base64'),
} as const;

/** A clock tests can move forward to pass deadlines. */
export class TestClock {
  private offsetMs = 0;
  now = (): Date => new Date(Date.now() + this.offsetMs);
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/**
 * A test without `{ payments: true }` has gateways that say they build nothing locally and refuse every
 * use, naming the option (the order commands then leave the order payable, as when a gateway fails).
 */
const noGateways = new Proxy({} as PaymentGateways, {
  get: (_t, provider) =>
    new Proxy(
      {},
      {
        get(_g, prop) {
          if (prop === 'payUrlIsLocal') return false;
          if (typeof prop === 'symbol' || prop === 'then') return undefined;
          throw new Error(
            `payment gateway ${String(provider)} is not configured in this test: pass { payments: true }`,
          );
        },
      },
    ),
});

export interface TestApp {
  ctx: AppContext;
  app: App;
  db: Db;
  /** The database's direct URL (PostgreSQL; null on PGlite), for checks that must not go through a cut link. */
  dbUrl: string | null;
  clock: TestClock;
  sms: MemorySmsSender;
  /** Base URL of the listening core (127.0.0.1, random port). */
  url: string;
  /** The sandbox gateway when started with `{ payments: true }`. */
  sandbox: import('../sandbox/index').Sandbox | undefined;
  /** Takes the core down (connections refused), keeping its database: an outage. */
  stop(): Promise<void>;
  /** Brings a stopped core back on the same address and database, like a restarted process. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the whole core on a fresh database, listening on a random 127.0.0.1 port, with the real sandbox
 * gateway when `payments` is set. Tests talk to it over HTTP like any client.
 */
export async function startTestApp(
  opts: {
    payments?: boolean;
    env?: Partial<Record<keyof Env, string>>;
    /** Run as a second instance on another test app's database (scale-out tests). */
    shareDbWith?: TestApp;
    /**
     * The core's database connections go through this rewrite of the database URL (a test's proxy, see
     * `createTestDb`), with the runtime's time bounds from DB_*_TIMEOUT_MS: the fault suites cut it.
     */
    dbVia?: (url: string) => string;
    /** The sandbox gateway's time scale (default 60 000: every notification retry within ~1.5 s). */
    sandboxTimeScale?: number;
    /**
     * With `payments`: SMS goes to the sandbox's Aliyun SMS endpoint through the real Aliyun adapter
     * (`sandbox.sms.sent` has the messages), instead of the in-memory sender.
     */
    aliyunSms?: boolean;
    /**
     * PostgreSQL: run on this database, already migrated, which the harness neither creates nor drops (a
     * database in a test's own throwaway cluster: the backup drill). `close()` only closes the pool.
     */
    existingDbUrl?: string;
    /**
     * With `existingDbUrl`: the core's DATABASE_READ_URL (a streaming replica of that database), opened
     * as the runtime opens it: the DB_* bounds, the replica's connect timeout, fallback and log lines.
     */
    existingReadUrl?: string;
    /** Where the core logs (default: silent, or TEST_LOG_LEVEL). */
    log?: pino.Logger;
  } = {},
): Promise<TestApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jx-test-'));
  // Every test user signs up from 127.0.0.1: lift the per-address sign-up limit unless a test sets it.
  const env = loadEnv({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    REGISTER_LIMIT_PER_HOUR: '100000',
    WRITE_LIMIT_PER_MINUTE: '100000',
    // …and the per-address and service-wide sign-in failure limits (tests that check them set their own).
    LOGIN_FAILURES_PER_ADDRESS: '100000',
    LOGIN_FAILURES_GLOBAL_PER_MINUTE: '100000',
    // Background jobs (pg-boss) stay off unless a test turns them on; tests run due jobs with app.sweep().
    JOBS_ENABLED: 'false',
    // Fixed personal-data keys (not secrets: tests only), so a test can read what the core sealed.
    ...TEST_PII_ENV,
    ...opts.env,
  });
  const pii = piiKeyringFromEnv(env);
  const {
    db,
    url: dbUrl,
    drop,
  } = opts.shareDbWith
    ? { db: opts.shareDbWith.db, url: opts.shareDbWith.dbUrl, drop: async () => {} }
    : opts.existingDbUrl && opts.existingReadUrl
      ? await openReplicatedDb(opts.existingDbUrl, opts.existingReadUrl, env, opts.log)
      : opts.existingDbUrl
        ? await openExistingDb(opts.existingDbUrl)
        : await createTestDb(
            opts.dbVia
              ? {
                  via: opts.dbVia,
                  bounds: {
                    connectTimeoutMs: env.DB_CONNECT_TIMEOUT_MS,
                    statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
                    queryTimeoutMs: env.DB_QUERY_TIMEOUT_MS,
                  },
                  // A test that sets DB_PREPARED_STATEMENTS (behind PgBouncer: false) gets its pool that way.
                  ...(opts.env?.DB_PREPARED_STATEMENTS !== undefined
                    ? { preparedStatements: env.DB_PREPARED_STATEMENTS }
                    : {}),
                }
              : {},
          );
  await verifyPiiKeys(db.write, pii);
  const clock = new TestClock();
  const sms = new MemorySmsSender();
  const log = opts.log ?? pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });

  let sandbox: TestApp['sandbox'];
  let gateways: PaymentGateways = noGateways;
  // The core listens before gateways are needed, so notify URLs can name its real port.
  const ctxHolder: { publicUrl: string } = { publicUrl: '' };
  if (opts.payments) {
    const { startSandbox } = await import('../sandbox/index');
    const { createGateways } = await import('../modules/payments/config');
    sandbox = await startSandbox({ port: 0, timeScale: opts.sandboxTimeScale ?? 60_000, log });
    gateways = createGateways(env, sandbox.credentials);
  }
  let aliyun: SmsSender | undefined;
  if (opts.aliyunSms) {
    if (!sandbox) throw new Error('aliyunSms needs { payments: true } (the sandbox plays Aliyun)');
    const { AliyunSmsSender } = await import('../modules/notifications/aliyun-sms');
    aliyun = new AliyunSmsSender({
      endpoint: sandbox.sms.endpoint,
      accessKeyId: sandbox.sms.accessKeyId,
      accessKeySecret: sandbox.sms.accessKeySecret,
      signName: '匠心',
      templates: { verification_code: 'SMS_100001', order_paid: 'SMS_100002' },
    });
  }
  const boot = async (port: number) => {
    const ctx: AppContext = {
      env,
      db,
      log,
      now: clock.now,
      // A fresh signing secret on every boot, as a restarted core without JWT_SECRET has: access tokens
      // from before a restart are refused, refresh tokens (in the database) still work.
      tokens: new AccessTokens(randomBytes(32).toString('hex'), env.ACCESS_TOKEN_TTL_SECONDS),
      gateways,
      storage: fileStorageFromEnv(env, path.join(dataDir, 'files')),
      sms: aliyun ?? sms,
      get publicUrl() {
        return ctxHolder.publicUrl;
      },
      pii,
    };
    const app = await buildApp(ctx);
    const url = await app.start('127.0.0.1', port);
    ctxHolder.publicUrl = url;
    return { ctx, app, url };
  };
  let current: Awaited<ReturnType<typeof boot>> | null = await boot(0);
  const port = Number(new URL(current.url).port);
  const running = () => {
    if (!current) throw new Error('the test core is stopped');
    return current;
  };
  return {
    get ctx() {
      return running().ctx;
    },
    get app() {
      return running().app;
    },
    db,
    dbUrl,
    clock,
    sms,
    url: current.url,
    sandbox,
    async stop() {
      const c = current;
      current = null;
      await c?.app.close();
    },
    async restart() {
      if (current) throw new Error('the test core is already running');
      current = await boot(port);
    },
    async close() {
      await current?.app.close();
      current = null;
      await sandbox?.close();
      await drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Two core instances on one fresh database, sharing a Redis under a key prefix of their own (so test
 * runs never see each other's messages): the scale-out suites' set-up. `close()` stops both.
 */
export async function startScaledOutPair(
  redisUrl: string,
  env: Partial<Record<keyof Env, string>> = {},
): Promise<{ a: TestApp; b: TestApp; close(): Promise<void> }> {
  const shared = {
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: `jxtest-${randomBytes(4).toString('hex')}`,
    ...env,
  };
  const a = await startTestApp({ env: shared });
  const b = await startTestApp({ env: shared, shareDbWith: a });
  return {
    a,
    b,
    async close() {
      await b.close();
      await a.close();
    },
  };
}
