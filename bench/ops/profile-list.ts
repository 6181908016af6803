/**
 * Profiling aid (not part of bench:ops): runs `GET /api/v1/ops/cases?limit=50` N times in-process against
 * a scratch PostgreSQL database with BENCH_CASES open cases and prints the mean time per request. Run with
 * `node --cpu-prof --import tsx bench/ops/profile-list.ts` to see where the time goes. Beside the route it
 * times `listCases` alone, a trivial query and `/healthz`, so the split between SQL, the route and
 * Fastify is visible at a glance.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { buildApp } from '../../core/src/app';
import { loadEnv } from '../../core/src/platform/config';
import type { AppContext } from '../../core/src/platform/context';
import { openDb } from '../../core/src/platform/db/database';
import { migrateToLatest } from '../../core/src/platform/db/migrate';
import { AccessTokens } from '../../core/src/platform/http/auth';

const adminUrl = process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CASES = Number(process.env['BENCH_CASES'] ?? 3000);
const N = Number(process.env['N'] ?? 500);
const name = `jx_prof_${randomBytes(3).toString('hex')}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const db = await openDb({ url: url.toString() });
try {
  await migrateToLatest(db);
  const staff = await db.write
    .insertInto('users')
    .values({ username: 'prof_admin', password_hash: 'x', nickname: '管理员', staff_roles: ['admin'] })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.write
    .insertInto('cases')
    .values(
      Array.from({ length: CASES }, (_, i) => ({
        kind: (['listing_review', 'report', 'dispute', 'payout', 'support_chat'] as const)[i % 5]!,
        stage: 'open',
        subject_type: 'x',
        subject_id: i + 1,
        title: `工单 ${i}`,
        summary: JSON.stringify({ n: i, note: '示例' }),
        sla_due_at: new Date(Date.now() + i * 60_000),
      })),
    )
    .execute();
  await sql`ANALYZE cases`.execute(db.write);
  const env = loadEnv({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    JOBS_ENABLED: 'false',
    DATA_DIR: '/tmp/prof',
  });
  const tokens = new AccessTokens(randomBytes(32).toString('hex'), 900);
  const ctx = {
    env,
    db,
    log: pino({ level: 'silent' }),
    now: () => new Date(),
    tokens,
    gateways: {},
    storage: {},
    sms: {},
    publicUrl: 'http://127.0.0.1',
  } as unknown as AppContext;
  const app = await buildApp(ctx);
  await app.http.ready();
  const token = await tokens.issue({ userId: staff.id, staffRoles: ['admin'] });
  const run = () =>
    app.http.inject({ url: '/api/v1/ops/cases?limit=50', headers: { authorization: `Bearer ${token}` } });
  for (let i = 0; i < 50; i += 1) await run();
  const t0 = performance.now();
  for (let i = 0; i < N; i += 1) {
    const r = await run();
    if (r.statusCode !== 200) throw new Error(r.body);
  }
  console.log(`${((performance.now() - t0) / N).toFixed(2)} ms per request (sequential, in-process)`);
  const { listCases } = await import('../../core/src/modules/cases/queries');
  const { caseListQuerySchema } = await import('@jiangxin/shared/ops/cases');
  const q = caseListQuerySchema.parse({ limit: '50' });
  const t1 = performance.now();
  for (let i = 0; i < N; i += 1) await listCases(db.read, { userId: staff.id, roles: ['admin'] }, q);
  console.log(`${((performance.now() - t1) / N).toFixed(2)} ms per listCases (query + presenting)`);
  const t3 = performance.now();
  for (let i = 0; i < N; i += 1) await sql`SELECT 1`.execute(db.read);
  console.log(`${((performance.now() - t3) / N).toFixed(2)} ms per SELECT 1`);
  const t2 = performance.now();
  for (let i = 0; i < N; i += 1) await app.http.inject({ url: '/healthz' });
  console.log(`${((performance.now() - t2) / N).toFixed(2)} ms per /healthz`);
  await app.close();
} finally {
  await db.close();
  await admin.query(`DROP DATABASE ${name}`);
  await admin.end();
}
