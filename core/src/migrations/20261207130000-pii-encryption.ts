import { type Kysely, sql } from 'kysely';
import type { PiiColumn, PiiKeyring } from '../platform/crypto/pii';
import { verifyPiiKeys } from '../platform/crypto/pii-keys';
import { type MigrationContext, runStatements } from '../platform/db/migrate';
import type { Database } from '../platform/db/schema';

/**
 * Personal data at rest (PIPL): phone, real name, ID number, phone-code numbers, payee names and
 * accounts, and SMS recipients become sealed text (AES-256-GCM, platform/crypto/pii.ts); equality goes
 * through HMAC blind indexes (`*_bidx`) instead of the plaintext indexes dropped here. Existing rows are
 * encrypted in this migration's transaction, in batches, with the keyring the core passes (a database
 * with personal data and no keyring refuses to migrate, saying so). An SMS queued for "the user's phone"
 * no longer copies the number: `notifications.recipient` may be null and is resolved at delivery.
 */
export async function up(db: Kysely<unknown>, context: MigrationContext = {}): Promise<void> {
  await runStatements(db, [
    `CREATE TABLE pii_key_checks (
      kind text NOT NULL CHECK (kind IN ('data','index')),
      key_id text NOT NULL,
      check_value text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      retired_at timestamptz,
      PRIMARY KEY (kind, key_id)
    )`,
    `ALTER TABLE users ADD COLUMN phone_bidx text`,
    `ALTER TABLE users ADD COLUMN id_number_bidx text`,
    `ALTER TABLE phone_codes ADD COLUMN phone_bidx text`,
    `ALTER TABLE payouts ADD COLUMN account_bidx text`,
    `ALTER TABLE notifications ALTER COLUMN recipient DROP NOT NULL`,
  ]);
  const d = db as Kysely<Database>;
  const pending = await sql<{ n: number }>`
    SELECT (SELECT count(*) FROM users WHERE phone IS NOT NULL OR real_name IS NOT NULL OR id_number IS NOT NULL)
         + (SELECT count(*) FROM phone_codes) + (SELECT count(*) FROM payouts)
         + (SELECT count(*) FROM notifications WHERE channel = 'sms')
         + (SELECT count(*) FROM idempotency_keys WHERE ${sql.raw(WITHDRAWAL_ANSWER)}) AS n`.execute(d);
  const rows = Number(pending.rows[0]?.n ?? 0);
  const pii = context.pii;
  if (rows > 0 && !pii)
    throw new Error(
      `migration 20261207130000-pii-encryption must encrypt ${rows} rows of personal data and was given no keys: run it through the core's start or \`npm run -w core migrate\` with PII_KEY and PII_INDEX_KEY set`,
    );
  if (pii) {
    await encryptTable(
      d,
      pii,
      'users',
      'phone IS NOT NULL OR real_name IS NOT NULL OR id_number IS NOT NULL',
      [
        { column: 'phone', pii: 'users.phone', bidx: { column: 'phone_bidx', kind: 'phone' } },
        { column: 'real_name', pii: 'users.real_name' },
        {
          column: 'id_number',
          pii: 'users.id_number',
          bidx: { column: 'id_number_bidx', kind: 'id_number' },
        },
      ],
    );
    await encryptTable(d, pii, 'phone_codes', 'true', [
      { column: 'phone', pii: 'phone_codes.phone', bidx: { column: 'phone_bidx', kind: 'phone' } },
    ]);
    await encryptTable(d, pii, 'payouts', 'true', [
      { column: 'account_name', pii: 'payouts.account_name' },
      {
        column: 'account_number',
        pii: 'payouts.account_number',
        bidx: { column: 'account_bidx', kind: 'payee_account' },
      },
    ]);
    await encryptTable(d, pii, 'notifications', `channel = 'sms'`, [
      { column: 'recipient', pii: 'notifications.recipient' },
    ]);
    // A withdrawal's stored answer (replayed to a retry) names the payee: sealed like payouts.account_name.
    const answers = await sql<{ id: number; name: string }>`
      SELECT id, response_body->'account'->>'name' AS name FROM idempotency_keys
      WHERE ${sql.raw(WITHDRAWAL_ANSWER)}`.execute(d);
    for (const a of answers.rows)
      await sql`UPDATE idempotency_keys
        SET response_body = jsonb_set(response_body, '{account,name}', to_jsonb(${pii.seal('payouts.account_name', a.name)}::text))
        WHERE id = ${a.id}`.execute(d);
    await verifyPiiKeys(d, pii);
  }
  // The codes' old hashes cover the number in clear (sha256 of number and code can be searched): erased,
  // so a code sent before the upgrade no longer verifies (it lived five minutes; the user asks again).
  await sql`UPDATE phone_codes SET code_hash = ''`.execute(d);
  await runStatements(db, [
    `DROP INDEX users_phone_key`,
    `CREATE UNIQUE INDEX users_phone_bidx_key ON users (phone_bidx) WHERE phone_bidx IS NOT NULL`,
    `CREATE INDEX users_id_number_bidx_idx ON users (id_number_bidx) WHERE id_number_bidx IS NOT NULL`,
    `DROP INDEX phone_codes_phone_idx`,
    `ALTER TABLE phone_codes ALTER COLUMN phone_bidx SET NOT NULL`,
    `CREATE INDEX phone_codes_phone_bidx_idx ON phone_codes (phone_bidx, created_at DESC)`,
    `ALTER TABLE payouts ALTER COLUMN account_bidx SET NOT NULL`,
  ]);
}

const WITHDRAWAL_ANSWER = `scope = 'wallet.withdraw' AND response_body->'account'->>'name' IS NOT NULL`;

interface ColumnPlan {
  column: string;
  pii: PiiColumn;
  bidx?: { column: string; kind: 'phone' | 'id_number' | 'payee_account' };
}

const BATCH = 500;

/** Seals every value of `plan`'s columns in the rows the condition `where` selects, batch by batch in id order. */
async function encryptTable(
  db: Kysely<Database>,
  pii: PiiKeyring,
  table: string,
  where: string,
  plan: readonly ColumnPlan[],
): Promise<void> {
  const cols = plan.map((p) => p.column);
  let after = 0;
  for (;;) {
    const batch = await sql<Record<string, string | null> & { id: number }>`
      SELECT id, ${sql.join(cols.map((c) => sql.ref(c)))} FROM ${sql.table(table)}
      WHERE (${sql.raw(where)}) AND id > ${after} ORDER BY id LIMIT ${BATCH}`.execute(db);
    if (!batch.rows.length) return;
    const targets = plan.flatMap((p) => (p.bidx ? [p.column, p.bidx.column] : [p.column]));
    const values = batch.rows.map((r) => {
      const cells = plan.flatMap((p) => {
        const clear = r[p.column] ?? null;
        const sealed = sql`${pii.sealOrNull(p.pii, clear)}::text`;
        return p.bidx ? [sealed, sql`${pii.blindIndexOrNull(p.bidx.kind, clear)}::text`] : [sealed];
      });
      return sql`(${Number(r.id)}::bigint, ${sql.join(cells)})`;
    });
    await sql`
      UPDATE ${sql.table(table)} AS t SET ${sql.join(
        targets.map((c) => sql`${sql.ref(c)} = v.${sql.ref(c)}`),
      )}
      FROM (VALUES ${sql.join(values)}) AS v (id, ${sql.join(targets.map((c) => sql.ref(c)))})
      WHERE t.id = v.id`.execute(db);
    after = Number(batch.rows.at(-1)!.id);
  }
}
