import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, createTestDb } from '../../test/harness';
import type { Db, TransactRetry } from './database';
import { StatementNames } from './prepared';

/**
 * Named statements (prepared.ts): the statements of a transaction are parsed once per connection and
 * then only bound and executed; reads outside a transaction stay unnamed; a schema change under a running
 * core costs one retried transaction, not an error. Read from PostgreSQL's own `pg_prepared_statements`.
 */
describe('statement names', () => {
  it('gives one name per text, none past the limit, and new names after a renewal', () => {
    const names = new StatementNames(2);
    const a = names.nameOf('select 1');
    expect(a).not.toBeNull();
    expect(names.nameOf('select 1')).toBe(a);
    expect(names.nameOf('select 2')).not.toBe(a);
    expect(names.nameOf('select 3')).toBeNull();
    names.renew();
    expect(names.size).toBe(0);
    const again = names.nameOf('select 1');
    expect(again).not.toBeNull();
    expect(again).not.toBe(a);
  });
});

const onPglite = backend === 'pglite';
describe.skipIf(onPglite)(
  `named statements on PostgreSQL${onPglite ? ' (skipped: PGlite runs in process, with nothing to parse twice over a wire; set TEST_DATABASE_URL)' : ''}`,
  () => {
    let db: Db;
    let drop: () => Promise<void>;
    const retries: TransactRetry[] = [];

    beforeAll(async () => {
      ({ db, drop } = await createTestDb());
      await sql`CREATE TABLE prepared_probe (id int PRIMARY KEY, n int NOT NULL)`.execute(db.write);
      db.onRetry((r) => retries.push(r));
    });
    afterAll(() => drop?.());

    /** The statements this connection has prepared, as PostgreSQL lists them. */
    const prepared = async (tx: Parameters<Parameters<Db['transact']>[0]>[0]) =>
      (
        await sql<{
          name: string;
          statement: string;
        }>`SELECT name, statement FROM pg_prepared_statements`.execute(tx)
      ).rows;

    it('a transaction’s statements are prepared once and reused; a read outside one is not', async () => {
      const write = (id: number) =>
        db.transact(async (tx) => {
          await sql`INSERT INTO prepared_probe (id, n) VALUES (${id}, 1)`.execute(tx);
          return prepared(tx);
        });
      // One after another, the pool hands out the connection just released: the same one each time.
      await write(1);
      await write(2);
      const seen = await write(3);
      const inserts = seen.filter((s) => s.statement.startsWith('INSERT INTO prepared_probe'));
      expect(inserts).toHaveLength(1);
      expect(seen.some((s) => /^begin$/i.test(s.statement))).toBe(true);

      // A read outside a transaction goes unnamed: planned for its own parameters each time.
      await sql`SELECT n FROM prepared_probe WHERE id = ${1} /* outside */`.execute(db.write);
      const after = await db.transact((tx) => prepared(tx));
      expect(after.some((s) => s.statement.includes('/* outside */'))).toBe(false);
      const rows = await sql<{ n: number }>`SELECT count(*)::int AS n FROM prepared_probe`.execute(db.write);
      expect(rows.rows[0]?.n).toBe(3);
    });

    it('a table that changes shape under prepared statements costs one retry, and the answer has the new column', async () => {
      const readAll = () =>
        db.transact(
          async (tx) =>
            (await sql<Record<string, unknown>>`SELECT * FROM prepared_probe WHERE id = ${1}`.execute(tx))
              .rows[0],
        );
      await readAll();
      await readAll();
      retries.length = 0;
      await sql`ALTER TABLE prepared_probe ADD COLUMN note text NOT NULL DEFAULT '新列'`.execute(db.write);
      const row = await readAll();
      expect(row).toMatchObject({ id: 1, n: 1, note: '新列' });
      expect(retries.map((r) => r.code)).toEqual(['0A000']);
    });
  },
);
