import { loadEnv } from '../config';
import { piiKeyringFromEnv, verifyPiiKeys } from '../crypto/pii-keys';
import { openDb } from './database';
import { migrateToLatest } from './migrate';

/**
 * `npm run -w core migrate`: applies pending migrations to the configured database, with the personal-data
 * keys (PII_KEY, PII_INDEX_KEY) for a migration that encrypts existing rows, then checks the keys.
 */
const env = loadEnv();
const pii = piiKeyringFromEnv(env);
const db = await openDb({ url: env.DATABASE_URL, dataDir: env.DATA_DIR });
try {
  const applied = await migrateToLatest(db, { pii });
  await verifyPiiKeys(db.write, pii);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date');
} finally {
  await db.close();
}
