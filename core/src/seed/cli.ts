import { parseArgs } from 'node:util';
import { fenToYuan } from '@jiangxin/shared/money';
import { ORDER_STATUS_LABELS, ORDER_STATUSES } from '@jiangxin/shared/orders';
import { checkLedger } from '../modules/ledger/check';
import { loadEnv } from '../platform/config';
import { verifyPiiKeys } from '../platform/crypto/pii-keys';
import { openDb } from '../platform/db/database';
import { migrateToLatest } from '../platform/db/migrate';
import { createOfflineContext } from './context';
import { type SeedScale, seed } from './seed';

/**
 * `npm run -w core seed [-- --seed N] [--scale small|medium|large] [--if-empty]`: seeds the database the
 * environment points at (DATABASE_URL, else the embedded PGlite in DATA_DIR), then proves the ledger
 * invariants. Exits 1 when the ledger check fails, 2 on bad arguments.
 */
const env = loadEnv();
let args: { seed: number; scale: SeedScale; ifEmpty: boolean };
try {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      scale: { type: 'string' },
      'if-empty': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const seedNumber = values.seed === undefined ? env.SEED : Number(values.seed);
  if (!Number.isSafeInteger(seedNumber)) throw new Error(`--seed must be an integer, got ${values.seed}`);
  const scale = values.scale ?? env.SEED_SCALE;
  if (scale !== 'small' && scale !== 'medium' && scale !== 'large')
    throw new Error(`--scale must be small, medium or large, got ${scale}`);
  args = { seed: seedNumber, scale, ifEmpty: values['if-empty'] ?? false };
} catch (err) {
  console.error((err as Error).message);
  console.error('usage: npm run -w core seed -- [--seed N] [--scale small|medium|large] [--if-empty]');
  process.exit(2);
}

const db = await openDb({ url: env.DATABASE_URL, dataDir: env.DATA_DIR });
try {
  const ctx = createOfflineContext(env, db);
  await migrateToLatest(db, { pii: ctx.pii });
  await verifyPiiKeys(db.write, ctx.pii);
  const hasUsers = await db.write.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (hasUsers) {
    if (args.ifEmpty)
      console.log('数据库已有用户，跳过 — the database already has users; nothing seeded (--if-empty).');
    else {
      console.error(
        '数据库已有用户 — the database already has users. Seed an empty database, or pass --if-empty.',
      );
      process.exitCode = 1;
    }
  } else {
    const started = performance.now();
    const summary = await seed(ctx, {
      seed: args.seed,
      scale: args.scale,
      demoPassword: env.DEMO_PASSWORD,
      log: (msg) => console.log(msg),
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `\n演示数据已生成 demo data written in ${seconds}s (${db.kind}); story ends ${summary.storyEnd}`,
    );
    console.log(
      `  users ${summary.users} (staff ${summary.staff}, clients ${summary.clients}, freelancers ${summary.freelancers})`,
    );
    console.log(`  categories ${summary.categories}, skills ${summary.skills}`);
    console.log(
      `  listings ${Object.entries(summary.listings)
        .map(([s, n]) => `${s} ${n}`)
        .join(', ')}`,
    );
    console.log('  orders by status:');
    for (const s of ORDER_STATUSES)
      console.log(
        `    ${s.padEnd(20)} ${String(summary.orders[s]).padStart(7)}  ${ORDER_STATUS_LABELS[s].zh}`,
      );
    console.log(
      `  reviews ${summary.reviews}, conversations ${summary.conversations}, messages ${summary.messages}`,
    );
    console.log(
      `  phases (ms): ${Object.entries(summary.timingsMs)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );

    const report = await checkLedger(db.read);
    console.log(
      `  ledger: ${report.journals} journals, ${report.postings} postings, escrow ¥${fenToYuan(report.escrowHeldFen)} = open orders ¥${fenToYuan(report.openOrdersFen)}`,
    );
    if (report.ok) console.log('  账本校验通过 ledger check OK');
    else {
      console.error(`  账本校验失败 ledger check FAILED (${report.problems.length} problems):`);
      for (const p of report.problems.slice(0, 50)) console.error(`    [${p.kind}] ${p.detail}`);
      process.exitCode = 1;
    }
    console.log(`\n  Log in as client001 / freelancer001 / admin with password: ${env.DEMO_PASSWORD}`);
  }
} finally {
  await db.close();
}
