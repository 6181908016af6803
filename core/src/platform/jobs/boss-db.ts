import type PgBoss from 'pg-boss';
import type { Db } from '../db/database';

type Result = { rows: unknown[] };

/**
 * pg-boss's `db` option over our database, so jobs share its pool (PostgreSQL) or its one connection
 * (PGlite) instead of opening their own.
 *
 * PGlite: pg-boss sends two kinds of SQL. Parameterised statements go through `query` (extended
 * protocol); parameterless text may hold several statements (its schema creation and the maintenance
 * `BEGIN; …; COMMIT;` blocks), which only `exec` (simple protocol) accepts. Either runs while holding
 * Kysely's connection, so it can never land inside a transaction the app has open on that single
 * connection. A multi-statement block that fails is rolled back before the connection is handed on.
 */
export function bossDb(db: Db): PgBoss.Db {
  const native = db.native;
  if (native.kind === 'postgres') {
    return { executeSql: (text, values) => native.pool.query(text, values) as Promise<Result> };
  }
  const { pglite } = native;
  return {
    executeSql: (text, values) =>
      db.write.connection().execute(async (): Promise<Result> => {
        if (values && values.length > 0) return pglite.query(text, values);
        try {
          const results = await pglite.exec(text);
          // The rows pg-boss reads come from the last statement that returns any.
          return results.findLast((r) => r.fields.length > 0) ?? results.at(-1) ?? { rows: [] };
        } catch (err) {
          await pglite.exec('ROLLBACK').catch(() => {});
          throw err;
        }
      }),
  };
}
