import type { CaseSummary, OpsSyncResponse } from '@jiangxin/shared/ops/cases';
import { sql } from 'kysely';
import type { PiiKeyring } from '../../platform/crypto/pii';
import type { ReadDb } from '../../platform/db/database';
import type { Staff } from '../../platform/http/auth';
import { directoryFor, namedIn } from './directory';
import { visibleKinds } from './queries';

/**
 * The case changes after `after`, oldest first, as the console's cache needs them: only the newest
 * state of each case (older versions of a case that changed again before `headSeq` are skipped), only
 * kinds the staff member may see. With `after=0` this pages through a snapshot of every case. `headSeq`
 * is fixed when the page is read, so pages never skip an event that commits meanwhile: it gets a later
 * seq and arrives on the next page or the live socket.
 */
export async function syncCases(
  db: ReadDb,
  pii: PiiKeyring,
  staff: Staff,
  q: { after: number; limit: number },
): Promise<OpsSyncResponse> {
  const head = await sql<{ head: number | null }>`SELECT max(seq) AS head FROM events`.execute(db);
  const headSeq = Number(head.rows[0]?.head ?? 0);
  const kinds = visibleKinds(staff);
  if (!kinds.length || headSeq <= q.after)
    return { changes: [], nextSeq: Math.max(headSeq, q.after), hasMore: false, headSeq };
  const rows = await sql<{ seq: number; type: string; aggregate_id: number; payload: unknown }>`
    SELECT e.seq, e.type, e.aggregate_id, e.payload FROM events e
    WHERE e.aggregate_type = 'case' AND e.seq > ${q.after} AND e.seq <= ${headSeq}
      AND (e.payload->>'kind') IN (${sql.join(kinds)})
      AND NOT EXISTS (
        SELECT 1 FROM events l
        WHERE l.aggregate_type = 'case' AND l.aggregate_id = e.aggregate_id AND l.seq > e.seq AND l.seq <= ${headSeq})
    ORDER BY e.seq
    LIMIT ${q.limit + 1}`.execute(db);
  const hasMore = rows.rows.length > q.limit;
  const page = rows.rows.slice(0, q.limit);
  const changes = page.map((r) =>
    r.type === 'case.removed'
      ? { op: 'remove' as const, seq: r.seq, caseId: r.aggregate_id }
      : { op: 'upsert' as const, seq: r.seq, case: r.payload as CaseSummary },
  );
  // The users and orders these cases name, so the console finds them offline by handle, phone or number.
  const upserted = changes.flatMap((ch) => (ch.op === 'upsert' ? [ch.case] : []));
  return {
    changes,
    directory: await directoryFor(db, pii, staff, namedIn(upserted)),
    nextSeq: hasMore ? page.at(-1)!.seq : headSeq,
    hasMore,
    headSeq,
  };
}
