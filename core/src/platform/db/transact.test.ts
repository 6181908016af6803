import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backend, createTestDb } from '../../test/harness';
import { appendEvent } from '../events/outbox';
import { runIdempotent } from '../http/idempotency';
import { afterCommit, type Db, TRANSACT_MAX_ATTEMPTS, type TransactRetry, type Tx } from './database';

/**
 * `Db.transact` runs its callback again after a deadlock (40P01) or a serialization failure (40001), in a
 * fresh transaction, a bounded number of times. The deadlock case is a real one between two
 * transactions on PostgreSQL; the others make the real database raise the SQLSTATE itself (PL/pgSQL
 * RAISE … USING ERRCODE), which works on PGlite too.
 */
let db: Db;
let drop: () => Promise<void>;
let retries: TransactRetry[];
let commits: number;

beforeAll(async () => {
  ({ db, drop } = await createTestDb());
  await sql`CREATE TABLE retry_probe (id int PRIMARY KEY, n int NOT NULL)`.execute(db.write);
  db.onRetry((r) => retries.push(r));
  db.onCommit(() => {
    commits += 1;
  });
});
afterAll(() => drop?.());
beforeEach(async () => {
  retries = [];
  commits = 0;
  await sql`TRUNCATE retry_probe`.execute(db.write);
  await sql`INSERT INTO retry_probe (id, n) VALUES (1, 0), (2, 0)`.execute(db.write);
});

/** Makes the database itself fail the statement with `code`, aborting the transaction. */
const raise = (tx: Tx, code: '40P01' | '40001') =>
  sql.raw(`DO $$ BEGIN RAISE EXCEPTION 'probe ${code}' USING ERRCODE = '${code}'; END $$`).execute(tx);

const probe = async () =>
  (await sql<{ id: number; n: number }>`SELECT id, n FROM retry_probe ORDER BY id`.execute(db.write)).rows;

describe('transact() retries', () => {
  it.skipIf(backend === 'pglite')(
    `a real deadlock (two transactions locking two rows in opposite orders) completes through the retry${
      backend === 'pglite' ? ' (skipped: PGlite has one connection, so two transactions cannot deadlock)' : ''
    }`,
    async () => {
      // Both transactions take their first row, wait for each other, then reach for the other's row.
      let arrived = 0;
      let release!: () => void;
      const bothHoldFirstRow = new Promise<void>((r) => {
        release = r;
      });
      const meet = async () => {
        arrived += 1;
        if (arrived === 2) release();
        await bothHoldFirstRow;
      };
      const runs = { a: 0, b: 0 };
      const cross = (name: 'a' | 'b', first: number, second: number) =>
        db.transact(async (tx) => {
          runs[name] += 1;
          await sql`UPDATE retry_probe SET n = n + 1 WHERE id = ${first}`.execute(tx);
          if (runs[name] === 1) await meet();
          await sql`UPDATE retry_probe SET n = n + 10 WHERE id = ${second}`.execute(tx);
          return name;
        });
      expect(await Promise.all([cross('a', 1, 2), cross('b', 2, 1)])).toEqual(['a', 'b']);
      // PostgreSQL chose one victim; transact ran it once more, after the other had committed.
      expect(retries.map((r) => [r.code, r.attempt])).toEqual([['40P01', 1]]);
      expect(runs.a + runs.b).toBe(3);
      // Each transaction took effect exactly once: the rolled-back attempt left nothing behind.
      expect(await probe()).toEqual([
        { id: 1, n: 11 },
        { id: 2, n: 11 },
      ]);
      expect(commits).toBe(2);
    },
  );

  it('runs the callback again in a fresh transaction after a deadlock, and commits once', async () => {
    let runs = 0;
    const seen: Tx[] = [];
    const result = await db.transact(async (tx) => {
      runs += 1;
      seen.push(tx);
      await sql`UPDATE retry_probe SET n = n + 1 WHERE id = 1`.execute(tx);
      if (runs === 1) await raise(tx, '40P01');
      return runs;
    });
    expect(result).toBe(2);
    expect(seen[0]).not.toBe(seen[1]);
    expect(await probe()).toEqual([
      { id: 1, n: 1 },
      { id: 2, n: 0 },
    ]);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ attempt: 1, code: '40P01' });
    expect(retries[0]!.delayMs).toBeGreaterThan(0);
    expect(commits).toBe(1);
  });

  it('does not retry an error that is not a deadlock or serialization failure', async () => {
    let runs = 0;
    const duplicateKey = db.transact(async (tx) => {
      runs += 1;
      await sql`INSERT INTO retry_probe (id, n) VALUES (1, 0)`.execute(tx);
    });
    await expect(duplicateKey).rejects.toMatchObject({ code: '23505' });
    expect(runs).toBe(1);

    runs = 0;
    await expect(
      db.transact(async () => {
        runs += 1;
        throw new Error('a refusal of the command itself');
      }),
    ).rejects.toThrow('a refusal of the command itself');
    expect(runs).toBe(1);
    expect(retries).toEqual([]);
    expect(commits).toBe(0);
  });

  it('gives up after TRANSACT_MAX_ATTEMPTS attempts and surfaces the last error', async () => {
    let runs = 0;
    const hopeless = db.transact(async (tx) => {
      runs += 1;
      await sql`UPDATE retry_probe SET n = n + 1 WHERE id = 1`.execute(tx);
      await raise(tx, '40001');
    });
    await expect(hopeless).rejects.toMatchObject({ code: '40001' });
    expect(TRANSACT_MAX_ATTEMPTS).toBeGreaterThanOrEqual(3);
    expect(TRANSACT_MAX_ATTEMPTS).toBeLessThanOrEqual(5);
    expect(runs).toBe(TRANSACT_MAX_ATTEMPTS);
    expect(retries.map((r) => r.attempt)).toEqual(
      Array.from({ length: TRANSACT_MAX_ATTEMPTS - 1 }, (_, i) => i + 1),
    );
    for (const r of retries) {
      expect(r.code).toBe('40001');
      expect(r.delayMs).toBeGreaterThan(0);
      expect(r.delayMs).toBeLessThanOrEqual(375);
    }
    expect(await probe()).toEqual([
      { id: 1, n: 0 },
      { id: 2, n: 0 },
    ]);
    expect(commits).toBe(0);
  });

  it('keeps nothing of a retried attempt: events, reactions and after-commit hooks are per transaction', async () => {
    const reacted: Tx[] = [];
    db.reactions.on('payment.notification_rejected', 'test.retry_probe', async (tx) => {
      reacted.push(tx);
      await sql`UPDATE retry_probe SET n = n + 1 WHERE id = 2`.execute(tx);
    });
    const hooks: number[] = [];
    let runs = 0;
    const before = await eventCount();
    await db.transact(async (tx) => {
      runs += 1;
      const attempt = runs;
      await appendEvent(
        tx,
        'payment.notification_rejected',
        { aggregateType: 'payment', aggregateId: 0 },
        { provider: 'alipay', outTradeNo: null, reason: `retry probe ${attempt}` },
      );
      expect(afterCommit(tx, () => hooks.push(attempt))).toBe(true);
      if (attempt === 1) await raise(tx, '40P01');
    });
    // The reaction ran in both attempts (bound to each fresh transaction); only the second's effects stay.
    expect(reacted).toHaveLength(2);
    expect(reacted[0]).not.toBe(reacted[1]);
    expect(await eventCount()).toBe(before + 1);
    expect((await probe())[1]).toEqual({ id: 2, n: 1 });
    expect(hooks).toEqual([2]);
    expect(commits).toBe(1);
    // A transaction transact() did not open has no commit to wait for: the hook is refused.
    await db.write.transaction().execute(async (tx) => {
      expect(afterCommit(tx, () => hooks.push(99))).toBe(false);
    });
    expect(hooks).toEqual([2]);
  });

  it('an idempotent command retried after a deadlock is stored once and replays its first answer', async () => {
    let runs = 0;
    const key = { userId: 1, scope: 'test.retry', key: 'retry-probe-key-1', request: { amountFen: 100 } };
    const command = (tx: Tx) => async () => {
      await sql`UPDATE retry_probe SET n = n + 100 WHERE id = 1`.execute(tx);
      return { status: 201, body: { run: runs } };
    };
    const first = await db.transact(async (tx) => {
      runs += 1;
      const r = await runIdempotent(tx, key, command(tx));
      if (runs === 1) await raise(tx, '40P01');
      return r;
    });
    expect(first).toEqual({ status: 201, body: { run: 2 }, replayed: false });
    const again = await db.transact((tx) => runIdempotent(tx, key, command(tx)));
    expect(again).toEqual({ status: 201, body: { run: 2 }, replayed: true });
    expect((await probe())[0]).toEqual({ id: 1, n: 100 });
    const stored = await db.read
      .selectFrom('idempotency_keys')
      .select('response_status')
      .where('key', '=', key.key)
      .execute();
    expect(stored).toEqual([{ response_status: 201 }]);
  });
});

async function eventCount(): Promise<number> {
  const r = await db.read
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
