import { sql } from 'kysely';
import type { AppContext } from '../context';

/**
 * Event retention (job `events-retention`): the hot `events` table keeps the last EVENT_RETENTION_DAYS
 * of events plus what the product still reads from older ones, and moves the rest to `events_archive`
 * (same rows, same ids and seqs), oldest first, in batches.
 *
 * Kept whatever their age:
 *  - the newest event of each case: `/ops/sync` builds a console's snapshot and its catch-up from the
 *    newest event of each case after a seq, so with these kept a console that syncs from any old cursor
 *    still converges (a case's older events are superseded anyway);
 *  - the event with the highest seq: the sequencer numbers new events after `max(seq)` of the table.
 *
 * `event_retention.archived_through` is the seq up to which events may be missing from the hot table; it
 * only grows. A live-stream replay from below it cannot be complete, so `/ops` answers `resync` and the
 * console catches up through `/ops/sync` (ops-socket.ts). A case event kept below it is archived later,
 * once a newer event of its case exists.
 *
 * One run at a time across instances: the retention row is locked for the run's transaction.
 */
export async function archiveOldEvents(
  ctx: Pick<AppContext, 'db' | 'env' | 'now' | 'log'>,
  opts: { batch?: number; maxBatches?: number } = {},
): Promise<{ archived: number; archivedThrough: number; batches: number }> {
  const days = ctx.env.EVENT_RETENTION_DAYS;
  const batch = opts.batch ?? 5_000;
  const maxBatches = opts.maxBatches ?? 20;
  let archived = 0;
  let batches = 0;
  let through = 0;
  if (days <= 0) {
    const r = await sql<{ t: number }>`SELECT archived_through AS t FROM event_retention`.execute(
      ctx.db.read,
    );
    return { archived, archivedThrough: Number(r.rows[0]?.t ?? 0), batches };
  }
  const cutoff = new Date(ctx.now().getTime() - days * 86_400_000);
  for (;;) {
    const step = await ctx.db.transact(async (tx) => {
      const state = await sql<{ through: number; top: number | null }>`
        SELECT r.archived_through AS through, (SELECT max(seq) FROM events) AS top
        FROM event_retention r WHERE r.id = 1 FOR NO KEY UPDATE OF r`.execute(tx);
      const from = Number(state.rows[0]?.through ?? 0);
      const top = Number(state.rows[0]?.top ?? 0);
      // The oldest events above the mark, in seq order; the batch ends at the first one still young
      // enough (or at the newest event, which is always kept).
      const next = await sql<{ seq: number; old: boolean }>`
        SELECT seq, created_at < ${cutoff} AS old FROM events
        WHERE seq > ${from} AND seq < ${top} ORDER BY seq LIMIT ${batch}`.execute(tx);
      let upTo = from;
      for (const r of next.rows) {
        if (!r.old) break;
        upTo = Number(r.seq);
      }
      // Superseded case events kept below the mark by earlier runs go too (once per run).
      const moved = await sql<{ n: number }>`
        WITH moved AS (
          DELETE FROM events e
          WHERE e.seq IS NOT NULL
            AND (
              (e.seq > ${from} AND e.seq <= ${upTo}
                AND (e.aggregate_type <> 'case' OR EXISTS (
                  SELECT 1 FROM events l
                  WHERE l.aggregate_type = 'case' AND l.aggregate_id = e.aggregate_id AND l.seq > e.seq)))
              OR (${batches === 0} AND e.seq <= ${from} AND e.aggregate_type = 'case' AND EXISTS (
                  SELECT 1 FROM events l
                  WHERE l.aggregate_type = 'case' AND l.aggregate_id = e.aggregate_id AND l.seq > e.seq))
            )
          RETURNING e.id, e.seq, e.type, e.aggregate_type, e.aggregate_id, e.payload, e.audience, e.created_at
        ), stored AS (
          INSERT INTO events_archive (id, seq, type, aggregate_type, aggregate_id, payload, audience, created_at)
          SELECT id, seq, type, aggregate_type, aggregate_id, payload, audience, created_at FROM moved
          RETURNING 1
        )
        SELECT count(*)::int AS n FROM stored`.execute(tx);
      if (upTo > from)
        await sql`UPDATE event_retention SET archived_through = ${upTo}, updated_at = now() WHERE id = 1`.execute(
          tx,
        );
      return {
        moved: Number(moved.rows[0]?.n ?? 0),
        through: upTo,
        full: next.rows.length === batch && upTo > from,
      };
    });
    archived += step.moved;
    through = step.through;
    batches += 1;
    if (!step.full || batches >= maxBatches) break;
  }
  if (archived) ctx.log.info({ archived, archivedThrough: through }, 'old events archived');
  return { archived, archivedThrough: through, batches };
}
