import type { EventEnvelope, EventType } from '@jiangxin/shared/events';
import { sql } from 'kysely';
import type { Pool, QueryResult } from 'pg';
import type { Db } from '../db/database';

export interface SequencedEvent extends EventEnvelope {
  audience: number[];
}

/** Arbitrary constant naming the advisory lock that makes one dispatcher at a time assign `seq`. */
const SEQUENCER_LOCK = 0x4a58_0001;

/**
 * Gives committed events their public `seq` and hands them to subscribers (the socket gateway).
 *
 * Identity ids are handed out when a row is inserted, not when its transaction commits, so a reader
 * that followed ids could see 12 and later miss 11 committing after it. `seq` is therefore assigned
 * here, after commit: each pass numbers the events it can see (all committed) from max(seq)+1 in one
 * transaction, under an advisory lock so only one instance sequences at a time. An event that commits
 * later simply gets a later number, so a reader of `seq > n` never misses one. Two changes to the same
 * aggregate are serialized by its row lock, so their events keep their commit order. Commits wake the
 * dispatcher at once; a short poll covers commits made by other instances.
 */
export class EventDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private again = false;
  private stopped = false;
  private readonly subscribers = new Set<(events: SequencedEvent[]) => void>();
  private unlisten: (() => void) | undefined;

  constructor(
    private readonly db: Db,
    private readonly opts: { pollMs?: number; batch?: number; onError?: (err: unknown) => void } = {},
  ) {}

  subscribe(fn: (events: SequencedEvent[]) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  start(): void {
    this.unlisten = this.db.onCommit(() => this.kick());
    const tick = () => {
      if (this.stopped) return;
      this.kick();
      this.timer = setTimeout(tick, this.opts.pollMs ?? 250);
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unlisten?.();
    if (this.timer) clearTimeout(this.timer);
    while (this.running) await new Promise((r) => setTimeout(r, 5));
  }

  /** Requests a sequencing pass; coalesces bursts of commits into one pass at a time. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.drain()
      .catch((err) => this.opts.onError?.(err))
      .finally(() => {
        this.running = false;
        if (this.again && !this.stopped) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Sequences everything pending now. Returns how many events were sequenced (tests call this). */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const batch = await this.sequenceBatch();
      total += batch.length;
      if (batch.length) for (const s of this.subscribers) s(batch);
      if (batch.length < (this.opts.batch ?? 500)) return total;
    }
  }

  private async sequenceBatch(): Promise<SequencedEvent[]> {
    const limit = Math.max(1, Math.floor(this.opts.batch ?? 500));
    const rows =
      this.db.native.kind === 'postgres'
        ? await sequenceInOneTrip(this.db.native.pool, limit)
        : await this.sequenceInSteps(limit);
    return rows
      .sort((a, b) => a.seq - b.seq)
      .map((r) => ({
        seq: r.seq,
        type: r.type as EventType,
        aggregateType: r.aggregate_type,
        aggregateId: r.aggregate_id,
        occurredAt: new Date(r.created_at).toISOString(),
        payload: r.payload as never,
        audience: r.audience,
      }));
  }

  /** PGlite (one connection, no second instance): the lock and the numbering as two statements. */
  private async sequenceInSteps(limit: number): Promise<NumberedRow[]> {
    // Not through db.transact: that would notify commit listeners and wake ourselves in a loop.
    return this.db.write.transaction().execute(async (tx) => {
      const lock = await sql<{
        ok: boolean;
      }>`SELECT pg_try_advisory_xact_lock(${SEQUENCER_LOCK}) AS ok`.execute(tx);
      if (!lock.rows[0]?.ok) return [];
      return (await sql.raw<NumberedRow>(numberingSql(limit)).execute(tx)).rows;
    });
  }
}

interface NumberedRow {
  seq: number;
  type: string;
  aggregate_type: string;
  aggregate_id: number;
  payload: Record<string, unknown>;
  audience: number[];
  created_at: Date;
}

/**
 * Numbers up to `limit` unnumbered events from max(seq)+1, in id order. Run only under the sequencer
 * lock, in a statement that starts after the lock is held (so its snapshot sees the last holder's work).
 */
function numberingSql(limit: number): string {
  return `WITH ready AS (
      SELECT id, row_number() OVER (ORDER BY id) AS n
      FROM events
      WHERE seq IS NULL
      ORDER BY id
      LIMIT ${limit}
    ), base AS (SELECT coalesce(max(seq), 0) AS top FROM events)
    UPDATE events e SET seq = base.top + ready.n
    FROM ready, base
    WHERE e.id = ready.id
    RETURNING e.seq, e.type, e.aggregate_type, e.aggregate_id, e.payload, e.audience, e.created_at`;
}

/**
 * PostgreSQL: a whole pass in one round trip — BEGIN, wait for the sequencer lock, number, COMMIT — sent
 * as one simple-protocol string (it has no parameters). Each statement of it takes its own snapshot
 * (READ COMMITTED), so the numbering, which starts once the lock is held, sees everything the previous
 * holder (this instance or another) committed. Four round trips per pass before: with a pass after most
 * commits, that was a quarter of the statements of a paid order (issue 15).
 */
async function sequenceInOneTrip(pool: Pool, limit: number): Promise<NumberedRow[]> {
  const client = await pool.connect();
  try {
    const results = (await client.query(
      `BEGIN; SELECT pg_advisory_xact_lock(${SEQUENCER_LOCK}); ${numberingSql(limit)}; COMMIT`,
    )) as unknown as QueryResult<NumberedRow>[];
    client.release();
    return results.find((r) => r.command === 'UPDATE')?.rows ?? [];
  } catch (err) {
    // A failed statement skips the rest of the string and leaves the transaction open, aborted: end it
    // before the connection goes back to the pool (or drop the connection if even that fails).
    await client.query('ROLLBACK').then(
      () => client.release(),
      () => client.release(true),
    );
    throw err;
  }
}
