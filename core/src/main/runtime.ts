import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { type App, buildApp } from '../app';
import { fileStorageFromEnv } from '../modules/files/s3-storage';
import { aliyunSmsFromEnv } from '../modules/notifications/aliyun-sms';
import { MemorySmsSender } from '../modules/notifications/sms';
import type { SandboxCredentials } from '../modules/payments/config';
import { createGateways } from '../modules/payments/config';
import type { Env } from '../platform/config';
import type { AppContext } from '../platform/context';
import { piiKeyringFromEnv, verifyPiiKeys } from '../platform/crypto/pii-keys';
import { type Db, openDb, poolOptionsFromEnv } from '../platform/db/database';
import { migrateToLatest } from '../platform/db/migrate';
import { logReplicaChange } from '../platform/db/replica';
import { AccessTokens } from '../platform/http/auth';

/**
 * The JWT signing secret: JWT_SECRET when set (required with several instances, which must share it);
 * otherwise one generated on first start and kept in DATA_DIR so restarts keep sessions valid.
 */
function jwtSecret(env: Env, log: pino.Logger): string {
  if (env.JWT_SECRET) return env.JWT_SECRET;
  const file = path.join(env.DATA_DIR, 'jwt-secret');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(env.DATA_DIR, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  fs.writeFileSync(file, secret, { mode: 0o600 });
  log.warn(
    { file },
    'JWT_SECRET is not set: generated one in DATA_DIR (set JWT_SECRET when running several instances)',
  );
  return secret;
}

export interface Runtime {
  ctx: AppContext;
  db: Db;
  app: App;
  close(): Promise<void>;
}

/** Opens the database, migrates it, and assembles the core with real adapters from the configuration. */
export async function createRuntime(
  env: Env,
  opts: { sandbox?: SandboxCredentials; publicUrl?: string } = {},
): Promise<Runtime> {
  const log = pino({
    level: env.LOG_LEVEL,
    ...(process.stdout.isTTY && env.NODE_ENV !== 'production' ? { transport: undefined } : {}),
  });
  // Before anything opens: a production core without PII_KEY stops here, naming what to set.
  const pii = piiKeyringFromEnv(env, (file) =>
    log.warn(
      { file },
      'PII_KEY is not set: generated personal-data keys into DATA_DIR for the embedded database (production and PostgreSQL need PII_KEY and PII_INDEX_KEY; losing this file loses the personal data)',
    ),
  );
  const gateways = createGateways(env, opts.sandbox);
  const serverDb = Boolean(env.DATABASE_URL && /^postgres(ql)?:\/\//.test(env.DATABASE_URL));
  if (serverDb) {
    // Migrations may build indexes for minutes: on a connection of their own, without the request bounds.
    const migrations = await openDb({ url: env.DATABASE_URL, poolSize: 1 });
    try {
      await migrateToLatest(migrations, { pii });
      // A wrong or missing key stops the start here, before a request could read or write with it.
      await verifyPiiKeys(migrations.write, pii);
    } finally {
      await migrations.close();
    }
  }
  const db = await openDb({
    url: env.DATABASE_URL,
    readUrl: env.DATABASE_READ_URL,
    dataDir: env.DATA_DIR,
    onIdleError: (err) => log.warn({ err }, 'idle database connection failed; it will be replaced'),
    ...poolOptionsFromEnv(env),
    onReplicaChange: logReplicaChange(log),
  });
  db.onRetry((r) =>
    log.warn(
      { code: r.code, attempt: r.attempt, delayMs: r.delayMs, err: r.error },
      'transaction rolled back by the database (deadlock, serialization failure or a statement outlived a schema change); running it again',
    ),
  );
  if (!serverDb) {
    try {
      await migrateToLatest(db, { pii });
      await verifyPiiKeys(db.write, pii);
    } catch (err) {
      await db.close();
      throw err;
    }
  }
  const sms =
    aliyunSmsFromEnv(env) ??
    new MemorySmsSender((m) =>
      log.info(
        { phone: m.phone, template: m.template, params: m.params },
        `SMS (development sender): ${m.template}`,
      ),
    );
  const ctx: AppContext = {
    env,
    db,
    log,
    now: () => new Date(),
    tokens: new AccessTokens(jwtSecret(env, log), env.ACCESS_TOKEN_TTL_SECONDS),
    gateways,
    storage: fileStorageFromEnv(env, path.join(env.DATA_DIR, 'files')),
    sms,
    publicUrl: opts.publicUrl ?? env.PUBLIC_URL ?? `http://${env.HOST}:${env.PORT}`,
    pii,
  };
  const app = await buildApp(ctx);
  return {
    ctx,
    db,
    app,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

/** Closes `close` on SIGINT/SIGTERM once, then exits. */
export function closeOnSignals(close: () => Promise<void>): void {
  let closing = false;
  const handler = (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`\n${signal}: shutting down…`);
    close()
      .then(() => process.exit(0))
      .catch((err) => {
        console.error(err);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => handler('SIGINT'));
  process.on('SIGTERM', () => handler('SIGTERM'));
}
