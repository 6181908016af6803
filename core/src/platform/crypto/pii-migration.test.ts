import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, TEST_PII_ENV } from '../../test/harness';
import type { Db } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { PiiKeyring } from './pii';
import { verifyPiiKeys } from './pii-keys';

/** The migration before 20261207130000-pii-encryption: the schema that stored personal data in clear. */
const BEFORE = '20261207120000-event-retention';

let db: Db;
let drop: () => Promise<void>;
const pii = PiiKeyring.fromConfig(TEST_PII_ENV.PII_KEY, TEST_PII_ENV.PII_INDEX_KEY);
const ids: { user: number; bare: number; payout: number; smsCode: number; smsUser: number; email: number } = {
  user: 0,
  bare: 0,
  payout: 0,
  smsCode: 0,
  smsUser: 0,
  email: 0,
};

beforeAll(async () => {
  ({ db, drop } = await createTestDb({ upTo: BEFORE }));
  const one = async <T>(q: ReturnType<typeof sql<T>>) => (await q.execute(db.write)).rows[0]!;
  // Rows as the previous core wrote them: phone, real name, ID number, payee and SMS recipient in clear.
  ids.user = (
    await one<{ id: number }>(sql`
      INSERT INTO users (username, password_hash, nickname, phone, phone_verified, real_name, id_number, real_name_status)
      VALUES ('old_user', 'x', '老用户', '13700137000', true, '李雷', '110101199003070021', 'verified') RETURNING id`)
  ).id;
  ids.bare = (
    await one<{ id: number }>(sql`
      INSERT INTO users (username, password_hash, nickname) VALUES ('no_details', 'x', '无资料') RETURNING id`)
  ).id;
  await sql`INSERT INTO phone_codes (phone, user_id, code_hash, expires_at)
    VALUES ('13700137000', ${ids.user}, 'h', now())`.execute(db.write);
  ids.payout = (
    await one<{ id: number }>(sql`
      INSERT INTO payouts (user_id, amount_fen, channel, provider, account_name, account_number, required_approvals)
      VALUES (${ids.user}, 10000, 'alipay', 'alipay', '李雷', 'lilei@example.cn', 1) RETURNING id`)
  ).id;
  const notification = (channel: string, template: string, recipient: string) =>
    one<{ id: number }>(sql`
      INSERT INTO notifications (user_id, channel, template, recipient, body, event_type, next_attempt_at, created_at, updated_at)
      VALUES (${ids.user}, ${channel}, ${template}, ${recipient}, '正文', 'test', now(), now(), now()) RETURNING id`);
  ids.smsCode = (await notification('sms', 'verification_code', '13700137000')).id;
  ids.smsUser = (await notification('sms', 'order_paid_freelancer', '13700137000')).id;
  ids.email = (await notification('email', 'order_paid_freelancer', 'lilei@example.cn')).id;
  await sql`INSERT INTO idempotency_keys (user_id, scope, key, request_hash, response_status, response_body)
    VALUES (${ids.user}, 'wallet.withdraw', 'old-withdrawal-1', 'h', 201,
      ${JSON.stringify({ id: ids.payout, account: { name: '李雷', numberMasked: '****e.cn' } })}::jsonb)`.execute(
    db.write,
  );
}, 60_000);
afterAll(() => drop?.());

describe('migration 20261207130000: personal data encrypted at rest', () => {
  it('refuses to run on personal data without keys, changing nothing', async () => {
    await expect(migrateToLatest(db)).rejects.toThrow(
      /must encrypt 6 rows of personal data and was given no keys/,
    );
    const u = await sql<{ phone: string }>`SELECT phone FROM users WHERE id = ${ids.user}`.execute(db.write);
    expect(u.rows[0]!.phone).toBe('13700137000');
  });

  it('encrypts every existing value and fills the blind indexes', async () => {
    await migrateToLatest(db, { pii });
    const u = await db.write
      .selectFrom('users')
      .selectAll()
      .where('id', '=', ids.user)
      .executeTakeFirstOrThrow();
    expect(u.phone).toMatch(/^pii1\.test1\./);
    expect([u.phone, u.real_name, u.id_number].map((v) => JSON.stringify(v))).not.toContain('"13700137000"');
    expect(pii.open('users.phone', u.phone!)).toBe('13700137000');
    expect(pii.open('users.real_name', u.real_name!)).toBe('李雷');
    expect(pii.open('users.id_number', u.id_number!)).toBe('110101199003070021');
    expect(u.phone_bidx).toBe(pii.blindIndex('phone', '13700137000'));
    expect(u.id_number_bidx).toBe(pii.blindIndex('id_number', '110101199003070021'));
    const bare = await db.write
      .selectFrom('users')
      .selectAll()
      .where('id', '=', ids.bare)
      .executeTakeFirstOrThrow();
    expect([bare.phone, bare.phone_bidx, bare.real_name, bare.id_number, bare.id_number_bidx]).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
    const code = await db.write.selectFrom('phone_codes').selectAll().executeTakeFirstOrThrow();
    expect(pii.open('phone_codes.phone', code.phone)).toBe('13700137000');
    expect(code.phone_bidx).toBe(u.phone_bidx);
    // Its hash covered the number in clear (searchable): erased.
    expect(code.code_hash).toBe('');
    const p = await db.write
      .selectFrom('payouts')
      .selectAll()
      .where('id', '=', ids.payout)
      .executeTakeFirstOrThrow();
    expect(pii.open('payouts.account_name', p.account_name)).toBe('李雷');
    expect(pii.open('payouts.account_number', p.account_number)).toBe('lilei@example.cn');
    expect(p.account_bidx).toBe(pii.blindIndex('payee_account', 'lilei@example.cn'));
    const n = await db.write.selectFrom('notifications').select(['id', 'recipient']).orderBy('id').execute();
    const recipient = (id: number) => n.find((r) => r.id === id)!.recipient!;
    expect(pii.open('notifications.recipient', recipient(ids.smsCode))).toBe('13700137000');
    expect(pii.open('notifications.recipient', recipient(ids.smsUser))).toBe('13700137000');
    expect(recipient(ids.email)).toBe('lilei@example.cn');
    const answer = await sql<{ name: string }>`
      SELECT response_body->'account'->>'name' AS name FROM idempotency_keys WHERE key = 'old-withdrawal-1'`.execute(
      db.write,
    );
    expect(pii.open('payouts.account_name', answer.rows[0]!.name)).toBe('李雷');
    // The key that sealed them is recorded: a start with another key under its id is refused.
    await expect(verifyPiiKeys(db.write, pii)).resolves.toBeUndefined();
    const impostor = PiiKeyring.fromConfig(
      `test1:${Buffer.alloc(32, 1).toString('base64')}`,
      TEST_PII_ENV.PII_INDEX_KEY,
    );
    await expect(verifyPiiKeys(db.write, impostor)).rejects.toThrow(
      /not the key this database knows as test1/,
    );
  });

  it('keeps one account per phone through the blind index', async () => {
    await expect(
      db.write
        .insertInto('users')
        .values({
          username: 'same_phone',
          password_hash: 'x',
          nickname: '同号',
          phone: pii.seal('users.phone', '+86 137 0013 7000'),
          phone_bidx: pii.blindIndex('phone', '+86 137 0013 7000'),
        })
        .execute(),
    ).rejects.toThrow(/users_phone_bidx_key|unique/);
  });
});
