import { loadEnv } from '../config';
import { openDb } from './database';
import { migrateToLatest } from './migrate';

/** `npm run -w core migrate`: applies pending migrations to the configured database. */
const env = loadEnv();
const db = await openDb({ url: env.DATABASE_URL, dataDir: env.DATA_DIR });
try {
  const applied = await migrateToLatest(db);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date');
} finally {
  await db.close();
}
