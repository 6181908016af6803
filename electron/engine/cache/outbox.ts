import { randomUUID } from 'node:crypto';
import type { BridgeMethod, BridgeProblem, OutboxItem } from '@jiangxin/shared/bridge';
import { durably, prepared, type SqliteDb } from './db';

/** An outbox item with what replaying it needs: the call's arguments and its idempotency key. */
export interface OutboxEntry extends OutboxItem {
  args: unknown;
  /** Sent as `Idempotency-Key` on every attempt, so a resend after a lost answer is not applied twice. */
  idempotencyKey: string;
}

export interface EnqueueInput {
  method: BridgeMethod;
  args: unknown;
  caseId: number | null;
  label: { zh: string; en: string };
  /** The key an earlier attempt already used (a direct call whose answer was lost); new items get a fresh one. */
  idempotencyKey?: string;
}

interface OutboxRow {
  id: number;
  method: string;
  args_json: string;
  case_id: number | null;
  label_zh: string;
  label_en: string;
  idempotency_key: string;
  state: OutboxItem['state'];
  attempts: number;
  problem_json: string | null;
  created_at: string;
}

const toEntry = (r: OutboxRow): OutboxEntry => ({
  id: r.id,
  method: r.method,
  caseId: r.case_id,
  label: { zh: r.label_zh, en: r.label_en },
  state: r.state,
  attempts: r.attempts,
  createdAt: r.created_at,
  problem: r.problem_json === null ? null : (JSON.parse(r.problem_json) as BridgeProblem),
  args: JSON.parse(r.args_json) as unknown,
  idempotencyKey: r.idempotency_key,
});

/** The public shape of an item (`outbox.list`, `outbox.changed`): no arguments, no key. */
export function toOutboxItem(e: OutboxEntry): OutboxItem {
  const { args: _args, idempotencyKey: _key, ...item } = e;
  return item;
}

/**
 * The durable queue of actions taken while the core could not be reached. An item is committed to disk
 * before `enqueue` returns, is replayed in insertion order, and leaves only when the core applied it
 * (`remove`) or the person dismissed it after a refusal (`dismiss`): refusals are kept with their problem
 * until someone looks at them, never dropped silently.
 */
export class Outbox {
  constructor(
    private readonly db: SqliteDb,
    private readonly now: () => Date,
  ) {
    // An item left `sending` belonged to a process that stopped mid-request; its key makes resending safe.
    prepared(db, `UPDATE outbox SET state = 'pending' WHERE state = 'sending'`).run();
  }

  enqueue(input: EnqueueInput): OutboxEntry {
    const insert = prepared(
      this.db,
      `INSERT INTO outbox (method, args_json, case_id, label_zh, label_en, idempotency_key, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    );
    const row = durably(this.db, () =>
      insert.get(
        input.method,
        JSON.stringify(input.args ?? null),
        input.caseId,
        input.label.zh,
        input.label.en,
        input.idempotencyKey ?? randomUUID(),
        this.now().toISOString(),
      ),
    ) as OutboxRow;
    return toEntry(row);
  }

  get(id: number): OutboxEntry | null {
    const row = prepared(this.db, 'SELECT * FROM outbox WHERE id = ?').get(id) as OutboxRow | undefined;
    return row ? toEntry(row) : null;
  }

  /** Everything queued, oldest first, whatever its state (the pending list the person sees). */
  list(): OutboxEntry[] {
    return (prepared(this.db, 'SELECT * FROM outbox ORDER BY id').all() as OutboxRow[]).map(toEntry);
  }

  /** The items to send next, in the order the person did them. */
  pending(): OutboxEntry[] {
    return (
      prepared(this.db, `SELECT * FROM outbox WHERE state = 'pending' ORDER BY id`).all() as OutboxRow[]
    ).map(toEntry);
  }

  /**
   * Claims a pending item for sending and counts the attempt. `args` replaces the stored arguments (the
   * engine moves a case version forward after an earlier item on the same case applied), so a resend after
   * a lost answer repeats exactly what was sent. Null when it is not pending (or gone).
   */
  markSending(id: number, args?: unknown): OutboxEntry | null {
    const row = prepared(
      this.db,
      `UPDATE outbox SET state = 'sending', attempts = attempts + 1, args_json = coalesce(?, args_json)
       WHERE id = ? AND state = 'pending' RETURNING *`,
    ).get(args === undefined ? null : JSON.stringify(args), id) as OutboxRow | undefined;
    return row ? toEntry(row) : null;
  }

  /** The core refused the item: keep it, with the reason, until the person retries or dismisses it. */
  markFailed(id: number, problem: BridgeProblem): OutboxEntry | null {
    const row = prepared(
      this.db,
      `UPDATE outbox SET state = 'failed', problem_json = ? WHERE id = ? RETURNING *`,
    ).get(JSON.stringify(problem), id) as OutboxRow | undefined;
    return row ? toEntry(row) : null;
  }

  /** The core applied the item. */
  remove(id: number): boolean {
    return prepared(this.db, 'DELETE FROM outbox WHERE id = ?').run(id).changes > 0;
  }

  /**
   * Back to `pending` (keeping its place and its idempotency key): after a refusal the person wants to try
   * again, or a send that never got an answer. A pending item is returned unchanged; null when gone.
   */
  retry(id: number): OutboxEntry | null {
    const row = prepared(
      this.db,
      `UPDATE outbox SET state = 'pending', problem_json = NULL WHERE id = ? RETURNING *`,
    ).get(id) as OutboxRow | undefined;
    return row ? toEntry(row) : null;
  }

  /**
   * The person drops a refused (or not yet sent) item. An item being sent cannot be dismissed: the core
   * may be applying it right now. True when it was removed.
   */
  dismiss(id: number): boolean {
    return (
      prepared(this.db, `DELETE FROM outbox WHERE id = ? AND state IN ('failed', 'pending')`).run(id)
        .changes > 0
    );
  }
}
