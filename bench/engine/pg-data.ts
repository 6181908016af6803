/**
 * The snapshot data set on PostgreSQL: `n` open cases of the kinds a moderator sees, each a row in `cases`
 * and its `case.upserted` event in `events` whose payload is the case summary exactly as the core writes it
 * (`toCaseSummary` of the inserted row, validated by the event contract as `appendEvent` does), with its
 * `seq` already assigned — what the sequencer would have left after `openCase` ran `n` times. Written with
 * multi-row `INSERT … SELECT FROM unnest(…)` per chunk instead of `n` transactions. The case history rows
 * `openCase` also writes are left out: neither the sync route nor the stream reads them. The SQL runs on
 * PGlite as well (bench:ui loads an embedded core's data folder with it).
 */
import type { TokenPair } from '@jiangxin/shared/api/accounts';
import { EVENT_PAYLOADS } from '@jiangxin/shared/events';
import type { CaseKind } from '@jiangxin/shared/ops/cases';
import { sql } from 'kysely';
import { type CaseRow, toCaseSummary } from '../../core/src/modules/cases/queries';
import type { Db } from '../../core/src/platform/db/database';
import { ApiClient, signUp } from '../../core/src/test/client';
import { caseContent, MODERATOR_KINDS } from './data';

const CHUNK = 5_000;

export async function loadCases(
  db: Db,
  n: number,
  progress: (done: number) => void,
  /**
   * `kinds`: drawn from (default: the moderator's mix); `firstId`: the first content id (default 1), which
   * is also the first subject id — bench:ui loads one kind per queue, past the demo seed's subjects.
   */
  opts: { kinds?: readonly CaseKind[]; firstId?: number } = {},
): Promise<{ cases: number; firstSeq: number; lastSeq: number }> {
  const { kinds = MODERATOR_KINDS, firstId = 1 } = opts;
  const base = await sql<{ top: number | null }>`SELECT max(seq) AS top FROM events`.execute(db.write);
  let seq = Number(base.rows[0]?.top ?? 0);
  const firstSeq = seq + 1;
  const now = Date.now();
  for (let start = 1; start <= n; start += CHUNK) {
    const ids = Array.from({ length: Math.min(CHUNK, n - start + 1) }, (_, i) => firstId - 1 + start + i);
    const content = ids.map((id) => caseContent(id, { kinds, withRefs: false }));
    const created = ids.map((id) => new Date(now - (n - (id - firstId + 1)) * 20_000));
    const inserted = await sql<CaseRow>`
      INSERT INTO cases (kind, status, stage, priority, sla_due_at, subject_type, subject_id, amount_fen,
                         title, summary, flags, search_text, created_at, updated_at)
      SELECT u.kind, 'open', u.stage, u.priority, u.created + interval '4 hours', u.subject_type, u.subject_id,
             u.amount_fen, u.title, u.summary::jsonb, u.flags::text[], u.title, u.created, u.created
      FROM unnest(${content.map((c) => c.kind)}::text[], ${content.map((c) => c.stage)}::text[],
                  ${content.map((c) => c.priority)}::smallint[], ${created}::timestamptz[],
                  ${content.map((c) => c.subjectType)}::text[], ${content.map((c) => c.subjectId)}::bigint[],
                  ${content.map((c) => c.amountFen)}::bigint[], ${content.map((c) => c.title)}::text[],
                  ${content.map((c) => JSON.stringify(c.summary))}::text[],
                  ${content.map((c) => `{${c.flags.join(',')}}`)}::text[])
           WITH ORDINALITY AS u(kind, stage, priority, created, subject_type, subject_id, amount_fen, title,
                                summary, flags, ord)
      ORDER BY u.ord
      RETURNING *`.execute(db.write);
    const rows = [...inserted.rows].sort((a, b) => a.id - b.id);
    const payloads = rows.map((r) =>
      JSON.stringify(EVENT_PAYLOADS['case.upserted'].parse(toCaseSummary(r, null))),
    );
    const seqs = rows.map(() => ++seq);
    await sql`
      INSERT INTO events (seq, type, aggregate_type, aggregate_id, payload)
      SELECT u.seq, 'case.upserted', 'case', u.id, u.payload::jsonb
      FROM unnest(${seqs}::bigint[], ${rows.map((r) => r.id)}::bigint[], ${payloads}::text[])
           AS u(seq, id, payload)`.execute(db.write);
    progress(start + ids.length - 1);
  }
  await sql`VACUUM ANALYZE cases`.execute(db.write);
  await sql`VACUUM ANALYZE events`.execute(db.write);
  return { cases: n, firstSeq, lastSeq: seq };
}

/**
 * A moderator as `core/src/test/factories/staff.ts` makes one: registered through the API like anyone,
 * given the role in the database, then signed in (the access token carries the role).
 */
export async function signUpModerator(
  db: Db,
  coreUrl: string,
): Promise<{ userId: number; username: string; password: string; accessToken: string }> {
  const base = new ApiClient(coreUrl);
  const username = `benchmod${Date.now().toString(36)}`;
  const { userId } = await signUp(base, { username, nickname: '压测审核员' });
  await db.write
    .updateTable('users')
    .set({ staff_roles: ['moderator'] })
    .where('id', '=', userId)
    .execute();
  const login = await base.post<TokenPair>('/auth/login', { login: username, password: 'correct-horse-1' });
  if (login.status !== 200) throw new Error(`moderator login: ${login.status} ${JSON.stringify(login.body)}`);
  return { userId, username, password: 'correct-horse-1', accessToken: login.body.accessToken };
}
