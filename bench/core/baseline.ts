/**
 * The database floor: the same closed loop, but each operation is raw `pg` work from this process,
 * through a pool the size of the core's, with no HTTP, Fastify, Kysely or zod in between.
 *  - `insertUpdate`: one transaction `BEGIN; INSERT … RETURNING id; UPDATE … WHERE id; COMMIT`
 *    (an order created and then marked paid, reduced to its two writes).
 *  - `orderShaped`: as many statements and transactions as the core sends per paid order (measured in
 *    the same run), each an indexed single-row INSERT or UPDATE on the bench table, so the figure is the
 *    cost of the round trips and commits alone.
 */
import pg from 'pg';
import { closedLoop, type LoadResult } from './load';

export async function createBaselineTable(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`CREATE TABLE bench_raw (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id bigint NOT NULL,
    amount_fen bigint NOT NULL,
    status text NOT NULL,
    note text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`);
  await c.query('CREATE INDEX bench_raw_client_idx ON bench_raw (client_id, id DESC)');
  await c.end();
}

export async function rawPgLoop(
  url: string,
  opts: {
    poolSize: number;
    concurrency: number;
    warmupMs: number;
    durationMs: number;
    maxOps?: number;
    /** Transactions per operation and statements per transaction (BEGIN/COMMIT not included). */
    shape: { transactions: number; statementsPerTransaction: number };
    onWindow?: (edge: 'start' | 'end') => void;
  },
): Promise<LoadResult> {
  const pool = new pg.Pool({ connectionString: url, max: opts.poolSize });
  try {
    return await closedLoop({
      concurrency: opts.concurrency,
      warmupMs: opts.warmupMs,
      durationMs: opts.durationMs,
      ...(opts.maxOps !== undefined ? { maxOps: opts.maxOps } : {}),
      ...(opts.onWindow ? { onWindow: opts.onWindow } : {}),
      op: async (w, n) => {
        for (let t = 0; t < opts.shape.transactions; t++) {
          const c = await pool.connect();
          try {
            await c.query('BEGIN');
            const ins = await c.query<{ id: string }>(
              `INSERT INTO bench_raw (client_id, amount_fen, status) VALUES ($1, $2, 'awaiting_payment') RETURNING id`,
              [w * 1_000_000 + n, 10_000 + (n % 500) * 100],
            );
            const id = ins.rows[0]!.id;
            for (let s = 1; s < opts.shape.statementsPerTransaction; s++) {
              await c.query(`UPDATE bench_raw SET status = $2, updated_at = now(), note = $3 WHERE id = $1`, [
                id,
                s % 2 ? 'pending_acceptance' : 'awaiting_payment',
                `step ${s}`,
              ]);
            }
            await c.query('COMMIT');
          } catch (err) {
            await c.query('ROLLBACK').catch(() => {});
            throw err;
          } finally {
            c.release();
          }
        }
        return undefined;
      },
    });
  } finally {
    await pool.end();
  }
}
