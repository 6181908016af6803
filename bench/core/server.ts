/**
 * The core under test, in its own process (forked by run.ts) so the load generator does not share its
 * event loop. Assembled like the test harness: `buildApp` with the real adapters (PostgreSQL, the Alipay
 * and WeChat Pay gateways configured with the sandbox's credentials), listening on 127.0.0.1 port 0,
 * log level silent, no sweeper. It counts the SQL statements it sends (a counter on pg's Client.query)
 * and answers `stats` requests over IPC with its CPU time, event-loop utilisation and those counts.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import pg from 'pg';
import pino from 'pino';
import { buildApp } from '../../core/src/app';
import { LocalFileStorage } from '../../core/src/modules/files/storage';
import { MemorySmsSender } from '../../core/src/modules/notifications/sms';
import { createGateways, type SandboxCredentials } from '../../core/src/modules/payments/config';
import { type Env, loadEnv } from '../../core/src/platform/config';
import type { AppContext } from '../../core/src/platform/context';
import { PiiKeyring } from '../../core/src/platform/crypto/pii';
import { type Db, openDb } from '../../core/src/platform/db/database';
import { migrateToLatest } from '../../core/src/platform/db/migrate';
import { AccessTokens } from '../../core/src/platform/http/auth';
import type { FromServer, ServerConfig, ToServer } from './ipc';
import { NO_INDEX_SCANS } from './search';

// --- statement counter -------------------------------------------------------------------------------
let statements = 0;
const byKind = new Map<string, number>();
/** `BEGIN`, `select from "payments"`, `insert into "orders"` …: verb plus first table, for the report. */
function kindOf(text: string): string {
  const t = text.trim().replace(/\s+/g, ' ');
  const verb = (/^\w+/.exec(t)?.[0] ?? '?').toLowerCase();
  if (verb === 'begin' || verb === 'commit' || verb === 'rollback') return verb;
  if (t.includes('pg_try_advisory_xact_lock')) return 'sequencer: advisory lock';
  if (t.startsWith('WITH ready AS')) return 'sequencer: number events';
  const table = /\b(?:from|into|update)\s+"?(\w+)"?/i.exec(t)?.[1] ?? '';
  if (verb === 'select' && /nextval\(/.test(t)) return 'select nextval';
  return `${verb} ${table}`.trim();
}
const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function patchedQuery(this: pg.Client, ...args: unknown[]) {
  statements += 1;
  const first = args[0] as string | { text?: string } | undefined;
  const text = typeof first === 'string' ? first : (first?.text ?? '');
  const k = kindOf(text);
  byKind.set(k, (byKind.get(k) ?? 0) + 1);
  return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof originalQuery;

// --- the bench's own statements on the core's database (IPC `sql`) --------------------------------------
async function runSql(db: Db, text: string, params: unknown[], scan: boolean) {
  const n = db.native;
  if (n.kind === 'pglite') {
    if (!scan) return (await n.pglite.query<Record<string, unknown>>(text, params)).rows;
    return n.pglite.transaction(async (tx) => {
      await tx.exec(NO_INDEX_SCANS.replaceAll('SET ', 'SET LOCAL '));
      return (await tx.query<Record<string, unknown>>(text, params)).rows;
    });
  }
  const c = await n.pool.connect();
  try {
    if (!scan) return (await c.query<Record<string, unknown>>(text, params)).rows;
    await c.query('BEGIN');
    try {
      await c.query(NO_INDEX_SCANS.replaceAll('SET ', 'SET LOCAL '));
      return (await c.query<Record<string, unknown>>(text, params)).rows;
    } finally {
      await c.query('ROLLBACK');
    }
  } finally {
    c.release();
  }
}

// --- process -----------------------------------------------------------------------------------------
const send = (m: FromServer) => process.send?.(m);

async function start(cfg: ServerConfig) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jx-bench-'));
  const env = loadEnv({
    NODE_ENV: 'production',
    DATA_DIR: dataDir,
    ...(cfg.databaseUrl ? { DATABASE_URL: cfg.databaseUrl } : {}),
    LOG_LEVEL: 'silent',
    SWEEP_INTERVAL_SECONDS: '0',
    JWT_SECRET: cfg.jwtSecret,
    ACCESS_TOKEN_TTL_SECONDS: '3600',
    // As deployed (true unless the bench is run with DB_PREPARED_STATEMENTS=false, for a side-by-side).
    DB_PREPARED_STATEMENTS: process.env['DB_PREPARED_STATEMENTS'] ?? 'true',
  });
  const log = pino({ level: 'silent' });
  const db = await openDb({
    url: env.DATABASE_URL,
    ...(cfg.pgliteDir ? { dataDir: cfg.pgliteDir } : {}),
    preparedStatements: env.DB_PREPARED_STATEMENTS,
    ...(cfg.poolSize ? { poolSize: cfg.poolSize } : {}),
  });
  if (cfg.migrate) await migrateToLatest(db);
  const holder = { publicUrl: '' };
  const ctx: AppContext = {
    env,
    db,
    log,
    now: () => new Date(),
    tokens: new AccessTokens(env.JWT_SECRET ?? randomBytes(32).toString('hex'), env.ACCESS_TOKEN_TTL_SECONDS),
    gateways: createGateways(env, cfg.sandbox as SandboxCredentials),
    storage: new LocalFileStorage(path.join(dataDir, 'files')),
    sms: new MemorySmsSender(),
    get publicUrl() {
      return holder.publicUrl;
    },
    pii: benchPiiKeyring(env),
  };
  const app = await buildApp(ctx);
  const url = await app.start('127.0.0.1', 0);
  holder.publicUrl = url;

  const eld = monitorEventLoopDelay({ resolution: 10 });
  eld.enable();
  let eluMark = performance.eventLoopUtilization();

  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    try {
      await app.close();
      await db.close();
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  };

  let closeRequested = false;
  process.on('message', (m: ToServer) => {
    if (m.cmd === 'stats') {
      const elu = performance.eventLoopUtilization(eluMark);
      const out: FromServer = {
        type: 'stats',
        id: m.id,
        cpuUs: process.cpuUsage(),
        statements,
        byKind: Object.fromEntries(byKind),
        eventLoopUtilization: elu.utilization,
        eventLoopDelayP99Ms: eld.percentile(99) / 1e6,
        rssBytes: process.memoryUsage().rss,
      };
      if (m.reset) {
        eluMark = performance.eventLoopUtilization();
        eld.reset();
      }
      send(out);
    } else if (m.cmd === 'sql') {
      runSql(db, m.text, m.params ?? [], m.scan === true).then(
        (rows) => send({ type: 'rows', id: m.id, rows }),
        (err) => send({ type: 'sqlError', id: m.id, message: (err as Error).message }),
      );
    } else if (m.cmd === 'close') {
      closeRequested = true;
      close()
        .then(() => send({ type: 'closed' }))
        .catch((err) => send({ type: 'error', message: String((err as Error).stack ?? err) }))
        .finally(() => setTimeout(() => process.exit(0), 50));
    }
  });
  // Interrupted with the parent (Ctrl-C reaches the whole process group): the parent drops the database.
  process.on('SIGINT', () => {
    void close().finally(() => process.exit(130));
  });
  process.on('disconnect', () => {
    // The bench process is gone without asking us to close: nobody else will drop the database.
    const orphan = !closeRequested ? cfg.orphanDrop : undefined;
    void close()
      .then(async () => {
        if (!orphan) return;
        const admin = new pg.Client({ connectionString: orphan.adminUrl });
        await admin.connect();
        await admin.query(`DROP DATABASE IF EXISTS ${orphan.database} WITH (FORCE)`);
        await admin.end();
      })
      .catch(() => {})
      .finally(() => process.exit(0));
  });
  send({ type: 'ready', url, pid: process.pid });
}

process.once('message', (m: ToServer) => {
  if (m.cmd !== 'start') return;
  start(m.config).catch((err) => {
    send({ type: 'error', message: String((err as Error).stack ?? err) });
    setTimeout(() => process.exit(1), 50);
  });
});

/**
 * PII_KEY and PII_INDEX_KEY when set; otherwise fixed keys, the same in every bench process (the bench's
 * people are made up, so the keys guard nothing).
 */
function benchPiiKeyring(env: Env): PiiKeyring {
  return PiiKeyring.fromConfig(
    env.PII_KEY ?? `bench1:${Buffer.alloc(32, 3).toString('base64')}`,
    env.PII_INDEX_KEY ?? Buffer.alloc(32, 5).toString('base64'),
  );
}
