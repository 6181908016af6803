import type { EventEnvelope } from '@jiangxin/shared/events';
import { sql } from 'kysely';
import type { Db } from '../db/database';

export type StreamEvent = EventEnvelope;

/** Reads sequenced events in (after, before) from the primary, oldest first. */
export async function readEvents(db: Db, after: number, before: number, limit: number) {
  const r = await sql<{
    seq: number;
    type: string;
    aggregate_type: string;
    aggregate_id: number;
    payload: unknown;
    created_at: Date;
  }>`SELECT seq, type, aggregate_type, aggregate_id, payload, created_at FROM events
     WHERE seq > ${after} AND seq < ${before} ORDER BY seq LIMIT ${limit}`.execute(db.write);
  return r.rows.map(toEnvelope);
}

export function toEnvelope(r: {
  seq: number;
  type: string;
  aggregate_type: string;
  aggregate_id: number;
  payload: unknown;
  created_at: Date | string;
}): StreamEvent {
  return {
    seq: Number(r.seq),
    type: r.type as StreamEvent['type'],
    aggregateType: r.aggregate_type,
    aggregateId: Number(r.aggregate_id),
    occurredAt: new Date(r.created_at).toISOString(),
    payload: r.payload as never,
  };
}

/**
 * This instance's copy of the whole event stream, in `seq` order without gaps. Batches arrive from the
 * local dispatcher (when this instance sequences) or from the sequencing instance over Redis; batches
 * of different sequencers may overtake each other on the way, so events ahead of a gap wait briefly and
 * the gap is then read from the database. Listeners see every event once, in order.
 */
export class OpsHub {
  private head: number | null = null;
  private readonly early: StreamEvent[] = [];
  private readonly ahead = new Map<number, StreamEvent>();
  private gapTimer: NodeJS.Timeout | undefined;
  private filling = false;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly deliver: (events: StreamEvent[]) => void,
    private readonly opts: { gapWaitMs?: number; onError?: (err: unknown) => void } = {},
  ) {}

  /** Starts from the current head of the stream (events before it are the sockets' replay). */
  async start(): Promise<void> {
    const r = await sql<{ head: number | null }>`SELECT max(seq) AS head FROM events`.execute(this.db.write);
    this.head = Number(r.rows[0]?.head ?? 0);
    const early = this.early.splice(0);
    this.ingest(early);
  }

  /** The last seq delivered to listeners (null before start). */
  get position(): number | null {
    return this.head;
  }

  ingest(events: StreamEvent[]): void {
    if (this.closed) return;
    if (this.head === null) {
      this.early.push(...events);
      return;
    }
    for (const e of events) if (e.seq > this.head) this.ahead.set(e.seq, e);
    this.flush();
  }

  private flush(): void {
    if (this.head === null) return;
    const out: StreamEvent[] = [];
    for (let next = this.ahead.get(this.head + 1); next; next = this.ahead.get(this.head + 1)) {
      this.ahead.delete(next.seq);
      out.push(next);
      this.head = next.seq;
    }
    if (out.length) this.deliver(out);
    if (this.ahead.size && !this.gapTimer && !this.filling) {
      this.gapTimer = setTimeout(() => {
        this.gapTimer = undefined;
        void this.fillGap();
      }, this.opts.gapWaitMs ?? 50);
    }
  }

  private async fillGap(): Promise<void> {
    if (this.closed || this.head === null || !this.ahead.size) return;
    this.filling = true;
    try {
      const firstAhead = Math.min(...this.ahead.keys());
      const missing = await readEvents(this.db, this.head, firstAhead, 5000);
      for (const e of missing) if (e.seq > this.head) this.ahead.set(e.seq, e);
    } catch (err) {
      this.opts.onError?.(err);
    } finally {
      this.filling = false;
    }
    this.flush();
  }

  close(): void {
    this.closed = true;
    if (this.gapTimer) clearTimeout(this.gapTimer);
  }
}
