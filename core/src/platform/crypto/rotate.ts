import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../db/schema';
import { type PiiColumn, PiiKeyring } from './pii';
import { verifyPiiKeys } from './pii-keys';

/**
 * Every place a sealed value is kept: its table, the SQL reading it (`value`), the rows holding one, and
 * how one row's value is replaced. Plain columns, and the payee name inside a withdrawal's stored answer.
 */
interface SealedPlace {
  name: string;
  table: string;
  pii: PiiColumn;
  value: string;
  where: string;
  set: (fresh: string) => RawBuilder<unknown>;
}

const column = (table: string, col: string, pii: PiiColumn, where = `${col} IS NOT NULL`): SealedPlace => ({
  name: `${table}.${col}`,
  table,
  pii,
  value: col,
  where,
  set: (fresh) => sql`${sql.ref(col)} = ${fresh}`,
});

export const SEALED_PLACES: readonly SealedPlace[] = [
  column('users', 'phone', 'users.phone'),
  column('users', 'real_name', 'users.real_name'),
  column('users', 'id_number', 'users.id_number'),
  column('phone_codes', 'phone', 'phone_codes.phone'),
  column('payouts', 'account_name', 'payouts.account_name'),
  column('payouts', 'account_number', 'payouts.account_number'),
  column(
    'notifications',
    'recipient',
    'notifications.recipient',
    `channel = 'sms' AND recipient IS NOT NULL`,
  ),
  {
    name: 'idempotency_keys.response_body (withdrawal payee)',
    table: 'idempotency_keys',
    pii: 'payouts.account_name',
    value: `response_body->'account'->>'name'`,
    where: `scope = 'wallet.withdraw' AND response_body->'account'->>'name' IS NOT NULL`,
    set: (fresh) => sql`response_body = jsonb_set(response_body, '{account,name}', to_jsonb(${fresh}::text))`,
  },
];

export interface RotationReport {
  /** The key every value is now sealed under. */
  primaryKeyId: string;
  /** Values re-sealed, per `table.column`. */
  resealed: Record<string, number>;
  /** Key ids marked retired: no row uses them any more, so they may leave PII_KEY. */
  retired: string[];
}

/**
 * Re-seals every value not yet under the keyring's primary key, in short transactions of `batch` rows,
 * while cores keep serving: they hold both keys, so each row is readable before and after its batch.
 * A row written meanwhile is sealed under the primary already; a row changed between read and write is
 * left as the newer write made it (the update matches the old ciphertext). Blind indexes are not touched:
 * they are keyed by PII_INDEX_KEY, which does not rotate. When no value names another key, those keys are
 * marked retired in `pii_key_checks` and may be removed from PII_KEY. Safe to run again.
 */
export async function rotatePii(
  db: Kysely<Database>,
  keyring: PiiKeyring,
  opts: { batch?: number; onProgress?: (line: string) => void } = {},
): Promise<RotationReport> {
  await verifyPiiKeys(db, keyring);
  const batch = opts.batch ?? 500;
  const primary = keyring.primaryKeyId;
  const current = `pii1.${primary}.%`;
  const resealed: Record<string, number> = {};
  for (const s of SEALED_PLACES) {
    let count = 0;
    let after = 0;
    for (;;) {
      const rows = await sql<{ id: number; value: string }>`
        SELECT id, ${sql.raw(s.value)} AS value FROM ${sql.table(s.table)}
        WHERE (${sql.raw(s.where)}) AND ${sql.raw(s.value)} NOT LIKE ${current} AND id > ${after}
        ORDER BY id LIMIT ${batch}`.execute(db);
      if (!rows.rows.length) break;
      await db.transaction().execute(async (tx) => {
        for (const r of rows.rows) {
          const fresh = keyring.seal(s.pii, keyring.open(s.pii, r.value));
          // Only if unchanged since read: a newer write is already sealed under the primary.
          const done = await sql`
            UPDATE ${sql.table(s.table)} SET ${s.set(fresh)}
            WHERE id = ${r.id} AND ${sql.raw(s.value)} = ${r.value}`.execute(tx);
          count += Number(done.numAffectedRows ?? 0);
        }
      });
      after = Number(rows.rows.at(-1)!.id);
      opts.onProgress?.(`${s.name}: ${count} re-sealed under ${primary}`);
    }
    resealed[s.name] = count;
  }
  // Retire the other keys only if nothing names them now (a straggler written by a core that still had
  // another primary would be caught here: run the command again after every core has the new PII_KEY).
  const left = await sql<{ n: number }>`SELECT ${sql.join(
    SEALED_PLACES.map(
      (s) =>
        sql`(SELECT count(*) FROM ${sql.table(s.table)} WHERE (${sql.raw(s.where)}) AND ${sql.raw(s.value)} NOT LIKE ${current})`,
    ),
    sql` + `,
  )} AS n`.execute(db);
  const remaining = Number(left.rows[0]?.n ?? 0);
  if (remaining > 0) {
    opts.onProgress?.(
      `${remaining} values are still under other keys (written meanwhile): run pii:rotate again`,
    );
    return { primaryKeyId: primary, resealed, retired: [] };
  }
  const retired = await db
    .updateTable('pii_key_checks')
    .set({ retired_at: new Date() })
    .where('kind', '=', 'data')
    .where('key_id', '<>', primary)
    .where('retired_at', 'is', null)
    .returning('key_id')
    .execute();
  return { primaryKeyId: primary, resealed, retired: retired.map((r) => r.key_id) };
}

/** For reports: the key ids the sealed values of the database name, with counts. */
export async function sealedKeyCounts(db: Kysely<Database>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const s of SEALED_PLACES) {
    const rows = await sql<{ value: string }>`
      SELECT ${sql.raw(s.value)} AS value FROM ${sql.table(s.table)} WHERE (${sql.raw(s.where)})`.execute(db);
    for (const r of rows.rows) {
      const id = PiiKeyring.keyIdOf(r.value) ?? '(not sealed)';
      counts[id] = (counts[id] ?? 0) + 1;
    }
  }
  return counts;
}
