import { loadEnv } from '../config';
import { openDb } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { PiiKeyError } from './pii';
import { piiKeyringFromEnv } from './pii-keys';
import { rotatePii, sealedKeyCounts } from './rotate';

/**
 * `npm run -w core pii:rotate [-- --status]`: re-seals every personal-data value under the first key of
 * PII_KEY, batch by batch, while the cores keep running (deploy/README.md, "Personal data at rest", has
 * the whole procedure). `--status` only counts the values under each key id. Exits 1 when the keys are
 * not this database's, or when values written meanwhile are left (run it again).
 */
const env = loadEnv();
const statusOnly = process.argv.includes('--status');
let keyring: ReturnType<typeof piiKeyringFromEnv>;
try {
  keyring = piiKeyringFromEnv(env);
} catch (err) {
  if (!(err instanceof PiiKeyError)) throw err;
  console.error(`个人信息密钥配置有误 — ${err.message}`);
  process.exit(1);
}
const db = await openDb({ url: env.DATABASE_URL, dataDir: env.DATA_DIR });
try {
  await migrateToLatest(db, { pii: keyring });
  if (statusOnly) {
    console.log(JSON.stringify(await sealedKeyCounts(db.write), null, 2));
  } else {
    const report = await rotatePii(db.write, keyring, { onProgress: (line) => console.log(line) });
    console.log(
      `primary key ${report.primaryKeyId}; re-sealed ${JSON.stringify(report.resealed)}; retired ${report.retired.join(', ') || 'none'}`,
    );
    if (
      !report.retired.length &&
      Object.keys(await sealedKeyCounts(db.write)).some((k) => k !== report.primaryKeyId)
    )
      process.exitCode = 1;
  }
} catch (err) {
  if (!(err instanceof PiiKeyError)) throw err;
  console.error(`个人信息密钥与数据库不符 — ${err.message}`);
  process.exitCode = 1;
} finally {
  await db.close();
}
