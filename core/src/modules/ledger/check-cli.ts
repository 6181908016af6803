import { fenToYuan } from '@jiangxin/shared/money';
import { loadEnv } from '../../platform/config';
import { openDb } from '../../platform/db/database';
import { checkLedger } from './check';

/** `npm run -w core ledger:check`: proves the ledger invariants on the configured database; exit 1 if any fails. */
const env = loadEnv();
const db = await openDb({ url: env.DATABASE_URL, dataDir: env.DATA_DIR });
try {
  const report = await checkLedger(db.read);
  console.log(`journals ${report.journals}, postings ${report.postings}`);
  console.log(
    `escrow held ¥${fenToYuan(report.escrowHeldFen)}, open orders ¥${fenToYuan(report.openOrdersFen)}`,
  );
  if (report.ok)
    console.log(
      '账本校验通过 ledger OK: every journal balances, no negative wallet, escrow matches open orders',
    );
  else {
    console.error(`账本校验失败 ledger check FAILED (${report.problems.length} problems):`);
    for (const p of report.problems.slice(0, 50)) console.error(`  [${p.kind}] ${p.detail}`);
    process.exitCode = 1;
  }
} finally {
  await db.close();
}
