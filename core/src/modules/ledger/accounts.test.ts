import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db/database';
import { createTestDb } from '../../test/harness';
import { accountCode, accountId } from './accounts';

let db: Db;
let drop: () => Promise<void>;

beforeAll(async () => {
  ({ db, drop } = await createTestDb());
});
afterAll(() => drop?.());

describe('platform account ids', () => {
  it('are cached only once committed: an attempt transact() retries leaves no id of a rolled-back account', async () => {
    let runs = 0;
    const ids = await db.transact(async (tx) => {
      runs += 1;
      const id = await accountId(tx, accountCode.clearing('wechat'), { kind: 'gateway_clearing' }, db);
      // The first attempt created the account, then the database rolled it back (as after a deadlock).
      if (runs === 1)
        await sql`DO $$ BEGIN RAISE EXCEPTION 'probe' USING ERRCODE = '40P01'; END $$`.execute(tx);
      return id;
    });
    expect(runs).toBe(2);
    const stored = await db.read
      .selectFrom('ledger_accounts')
      .select('id')
      .where('code', '=', accountCode.clearing('wechat'))
      .executeTakeFirstOrThrow();
    expect(ids).toBe(stored.id);
    // And the id cached after the commit is the stored one.
    const cached = await db.transact((tx) =>
      accountId(tx, accountCode.clearing('wechat'), { kind: 'gateway_clearing' }, db),
    );
    expect(cached).toBe(stored.id);
  });
});
