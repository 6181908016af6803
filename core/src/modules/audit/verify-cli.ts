import { loadEnv } from '../../platform/config';
import { openDb } from '../../platform/db/database';
import { verifyAuditChain } from './chain';

/** `npm run -w core audit:verify`: walks the audit hash chain of the configured database; exit 1 if broken. */
const env = loadEnv();
const db = await openDb({ url: env.DATABASE_URL, dataDir: env.DATA_DIR });
try {
  const r = await verifyAuditChain(db.read);
  if (r.ok) console.log(`审计链完整 audit chain OK: ${r.checked} rows, head ${r.headHash}`);
  else {
    console.error(
      `审计链断裂 audit chain BROKEN at row ${r.firstBrokenId} (${r.reason}) after ${r.checked - 1} good rows`,
    );
    process.exitCode = 1;
  }
} finally {
  await db.close();
}
