import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { ReadDb, Tx } from '../../platform/db/database';

/** Arbitrary constant naming the advisory lock that serializes appends, so the chain never forks. */
const AUDIT_LOCK = 0x4a58_0002;
/** The `prev_hash` of the first row. */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  actorId: number | null;
  /** What was done: `case.claim`, `case.perform.approve`, `pii.reveal`, `settings.update`, … */
  action: string;
  subjectType: string;
  subjectId: number | null;
  data?: Record<string, unknown>;
}

/** JSON with object keys sorted at every level: the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** hash = sha256(prev_hash ‖ canonical content). Content is everything the row says except its id. */
export function auditRowHash(
  prevHash: string,
  row: {
    at: Date;
    actorId: number | null;
    action: string;
    subjectType: string;
    subjectId: number | null;
    data: unknown;
  },
): string {
  const content = canonicalJson({
    at: row.at.toISOString(),
    actorId: row.actorId,
    action: row.action,
    subjectType: row.subjectType,
    subjectId: row.subjectId,
    data: row.data,
  });
  return createHash('sha256').update(prevHash).update('\n').update(content).digest('hex');
}

/**
 * Appends one staff action to the audit log in the caller's transaction. Appends are serialized by a
 * transaction-scoped advisory lock, so each row's `prev_hash` is the hash of the row committed before it.
 */
export async function appendAudit(tx: Tx, at: Date, entry: AuditEntry): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(${AUDIT_LOCK})`.execute(tx);
  const last = await tx
    .selectFrom('audit_log')
    .select('hash')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const prevHash = last?.hash ?? GENESIS_HASH;
  // Round-trip the data through JSON so what we hash is exactly what jsonb will hand back.
  const data = JSON.parse(JSON.stringify(entry.data ?? {})) as Record<string, unknown>;
  const hash = auditRowHash(prevHash, { ...entry, at, data });
  await tx
    .insertInto('audit_log')
    .values({
      at,
      actor_id: entry.actorId,
      action: entry.action,
      subject_type: entry.subjectType,
      subject_id: entry.subjectId,
      data: JSON.stringify(data),
      prev_hash: prevHash,
      hash,
    })
    .execute();
}

export interface AuditVerification {
  ok: boolean;
  /** Rows checked (up to and including the first broken one). */
  checked: number;
  firstBrokenId: number | null;
  reason: string | null;
  headHash: string;
}

/**
 * Walks the whole chain in id order and reports the first row whose `prev_hash` does not match the row
 * before it or whose `hash` does not match its own content (an edited, inserted or deleted row).
 */
export async function verifyAuditChain(db: ReadDb, batch = 5000): Promise<AuditVerification> {
  let prevHash = GENESIS_HASH;
  let afterId = 0;
  let checked = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(batch)
      .execute();
    for (const r of rows) {
      checked += 1;
      if (r.prev_hash !== prevHash)
        return { ok: false, checked, firstBrokenId: r.id, reason: 'prev_hash_mismatch', headHash: prevHash };
      const expected = auditRowHash(prevHash, {
        at: new Date(r.at),
        actorId: r.actor_id,
        action: r.action,
        subjectType: r.subject_type,
        subjectId: r.subject_id,
        data: r.data,
      });
      if (expected !== r.hash)
        return {
          ok: false,
          checked,
          firstBrokenId: r.id,
          reason: 'content_hash_mismatch',
          headHash: prevHash,
        };
      prevHash = r.hash;
      afterId = r.id;
    }
    if (rows.length < batch)
      return { ok: true, checked, firstBrokenId: null, reason: null, headHash: prevHash };
  }
}
