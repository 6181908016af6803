/**
 * The core for bench:ops, in its own process (forked by run.ts): `buildApp` with the real adapters on
 * PostgreSQL, 127.0.0.1 port 0, silent, no sweeper — like bench/core/server.ts — plus one IPC command,
 * `emit`, that commits `case.upserted` events at a fixed rate the way the core's own commands do
 * (`db.transact` + `appendEvent`, so the dispatcher wakes on commit). Fan-out latency is then the
 * stream's own: commit → sequencing → `/ops` hub → socket.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { buildApp } from '../../core/src/app';
import { toCaseSummary } from '../../core/src/modules/cases/queries';
import { LocalFileStorage } from '../../core/src/modules/files/storage';
import { MemorySmsSender } from '../../core/src/modules/notifications/sms';
import { createGateways, type SandboxCredentials } from '../../core/src/modules/payments/config';
import { type Env, loadEnv } from '../../core/src/platform/config';
import type { AppContext } from '../../core/src/platform/context';
import { PiiKeyring } from '../../core/src/platform/crypto/pii';
import { openDb } from '../../core/src/platform/db/database';
import { appendEvent } from '../../core/src/platform/events/outbox';
import { AccessTokens } from '../../core/src/platform/http/auth';

export type CoreCommand =
  | { cmd: 'start'; databaseUrl: string; jwtSecret: string; sandbox: unknown }
  | { cmd: 'emit'; rate: number; seconds: number }
  | { cmd: 'close' };
export type CoreReply =
  | { type: 'ready'; url: string }
  | { type: 'emitted'; committed: number; seconds: number; cpuMs: number }
  | { type: 'error'; message: string };

const send = (m: CoreReply) => process.send?.(m);

async function start(cfg: Extract<CoreCommand, { cmd: 'start' }>) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jx-bench-ops-'));
  const env = loadEnv({
    NODE_ENV: 'production',
    DATA_DIR: dataDir,
    DATABASE_URL: cfg.databaseUrl,
    LOG_LEVEL: 'silent',
    SWEEP_INTERVAL_SECONDS: '0',
    JOBS_ENABLED: 'false',
    JWT_SECRET: cfg.jwtSecret,
    ACCESS_TOKEN_TTL_SECONDS: '3600',
  });
  const db = await openDb({ url: env.DATABASE_URL, preparedStatements: env.DB_PREPARED_STATEMENTS });
  const ctx: AppContext = {
    env,
    db,
    log: pino({ level: 'silent' }),
    now: () => new Date(),
    tokens: new AccessTokens(env.JWT_SECRET ?? randomBytes(32).toString('hex'), env.ACCESS_TOKEN_TTL_SECONDS),
    gateways: createGateways(env, cfg.sandbox as SandboxCredentials),
    storage: new LocalFileStorage(path.join(dataDir, 'files')),
    sms: new MemorySmsSender(),
    publicUrl: 'http://127.0.0.1',
    pii: benchPiiKeyring(env),
  };
  const app = await buildApp(ctx);
  const url = await app.start('127.0.0.1', 0);

  const emit = async (rate: number, seconds: number) => {
    const rows = await db.read.selectFrom('cases').selectAll().orderBy('id').limit(1000).execute();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const total = rate * seconds;
    const inflight = new Set<Promise<unknown>>();
    let committed = 0;
    for (let n = 0; n < total; n++) {
      const wait = t0 + (n * 1000) / rate - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const row = rows[n % rows.length]!;
      // updatedAt = now, just before the one-insert transaction commits: the latency's zero point.
      const summary = { ...toCaseSummary(row as never, null), updatedAt: new Date().toISOString() };
      const p = db
        .transact((tx) =>
          appendEvent(tx, 'case.upserted', { aggregateType: 'case', aggregateId: row.id }, summary),
        )
        .then(() => {
          committed += 1;
        })
        .finally(() => inflight.delete(p));
      inflight.add(p);
    }
    await Promise.all(inflight);
    const cpu = process.cpuUsage(cpu0);
    return { committed, seconds: (performance.now() - t0) / 1000, cpuMs: (cpu.user + cpu.system) / 1000 };
  };

  process.on('message', (m: CoreCommand) => {
    if (m.cmd === 'emit')
      emit(m.rate, m.seconds)
        .then((r) => send({ type: 'emitted', ...r }))
        .catch((err) => send({ type: 'error', message: String((err as Error).stack ?? err) }));
    else if (m.cmd === 'close')
      void app
        .close()
        .then(() => db.close())
        .finally(() => {
          fs.rmSync(dataDir, { recursive: true, force: true });
          process.exit(0);
        });
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', url });
}

process.once('message', (m: CoreCommand) => {
  if (m.cmd !== 'start') return;
  start(m).catch((err) => {
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
