/**
 * The database floor: the same closed loop, but each operation is raw `pg` work from this process,
 * through a pool the size of the core's, with no HTTP, Fastify, Kysely or zod in between.
 *  - `insertUpdate`: one transaction `BEGIN; INSERT … RETURNING id; UPDATE … WHERE id; COMMIT`
 *    (an order created and then marked paid, reduced to its two writes).
 *  - `orderShaped`: as many statements and transactions as the core sends per paid order (measured in
 *    the same run), each an indexed single-row INSERT or UPDATE on the bench table, so the figure is the
 *    cost of the round trips and commits alone.
 */
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { closedLoop, type LoadResult } from './load';
import type { Sql } from './sql';

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

/** The closed loop's shape, shared by the floors below: the core's pool size and client count. */
interface LoopOptions {
  poolSize: number;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  onWindow?: (edge: 'start' | 'end') => void;
}

export async function rawPgLoop(
  url: string,
  opts: LoopOptions & {
    maxOps?: number;
    /** Transactions per operation and statements per transaction (BEGIN/COMMIT not included). */
    shape: { transactions: number; statementsPerTransaction: number };
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

/** The tables the minimal paid order writes, copied into schema `ceiling` with their checks and indexes. */
const CEILING_TABLES = [
  'orders',
  'payments',
  'events',
  'ledger_accounts',
  'ledger_journals',
  'ledger_postings',
];

/**
 * The ceiling for a paid order (issue 15): the least a correct implementation must write, sent by a thin
 * client — two transactions over copies of the core's own tables (same columns, checks, indexes and
 * foreign keys), every statement named (prepared once per connection):
 *  1. create: INSERT order; INSERT payment; INSERT event.
 *  2. paid:   UPDATE payment; UPDATE order; INSERT escrow account with its balance; INSERT journal;
 *             INSERT its two postings (one statement); INSERT event.
 * No HTTP, JSON, signature, idempotency key or authorization: what is left is PostgreSQL's own work and
 * the round trips, so the core's rate beside it is the share of the machine the core's code costs.
 */
export async function createCeilingTables(c: Sql): Promise<void> {
  await c.query('CREATE SCHEMA ceiling');
  for (const t of CEILING_TABLES) await c.query(`CREATE TABLE ceiling.${t} (LIKE public.${t} INCLUDING ALL)`);
  await c.query(`ALTER TABLE ceiling.orders
    ADD FOREIGN KEY (client_id) REFERENCES public.users(id),
    ADD FOREIGN KEY (freelancer_id) REFERENCES public.users(id),
    ADD FOREIGN KEY (service_id) REFERENCES public.services(id)`);
  await c.query('ALTER TABLE ceiling.payments ADD FOREIGN KEY (order_id) REFERENCES ceiling.orders(id)');
  await c.query(
    'ALTER TABLE ceiling.ledger_accounts ADD FOREIGN KEY (order_id) REFERENCES ceiling.orders(id)',
  );
  await c.query(
    'ALTER TABLE ceiling.ledger_journals ADD FOREIGN KEY (order_id) REFERENCES ceiling.orders(id)',
  );
  await c.query(`ALTER TABLE ceiling.ledger_postings
    ADD FOREIGN KEY (journal_id) REFERENCES ceiling.ledger_journals(id),
    ADD FOREIGN KEY (account_id) REFERENCES ceiling.ledger_accounts(id)`);
  // The gateway's clearing account, as the core has it: no cached balance, may go negative.
  await c.query(`INSERT INTO ceiling.ledger_accounts (code, kind, balance, allow_negative)
    VALUES ('platform:clearing:alipay', 'gateway_clearing', NULL, true)`);
}

/** One statement of the ceiling, named so a driver that can prepares it once per connection. */
type Exec = <R>(name: string, text: string, values: unknown[]) => Promise<{ rows: R[] }>;

/** How the ceiling reaches its database: plain queries, and transactions of named statements. */
export interface CeilingDb {
  query: Sql['query'];
  transaction(body: (exec: Exec) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** The ceiling over PostgreSQL: a raw `pg` pool the size of the core's, named statements. */
export function pgCeilingDb(url: string, poolSize: number): CeilingDb {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  return {
    query: <R>(text: string, params?: unknown[]) => pool.query<R & pg.QueryResultRow>(text, params),
    async transaction(body) {
      const c = await pool.connect();
      try {
        await c.query({ name: 'ceiling_begin', text: 'BEGIN' });
        try {
          await body(<R>(name: string, text: string, values: unknown[]) =>
            c.query<R & pg.QueryResultRow>({ name, text, values }),
          );
          await c.query({ name: 'ceiling_commit', text: 'COMMIT' });
        } catch (err) {
          await c.query('ROLLBACK').catch(() => {});
          throw err;
        }
      } finally {
        c.release();
      }
    },
    close: () => pool.end(),
  };
}

/** The ceiling over embedded PGlite: its one connection, a transaction at a time, in this process. */
export function pgliteCeilingDb(pglite: PGlite): CeilingDb {
  return {
    query: (text, params) => pglite.query(text, params),
    transaction: async (body) => {
      // PGlite answers without I/O (its WASM runs on this thread, its promises resolve as microtasks),
      // so a loop of transactions would never let a timer fire: yield to the event loop once per
      // transaction, as a server's request handling would.
      await new Promise((resolve) => setImmediate(resolve));
      await pglite.transaction(async (tx) => {
        await body((_name, text, values) => tx.query(text, values));
      });
    },
    close: async () => {},
  };
}

export async function minimalPaidOrderLoop(
  db: CeilingDb,
  opts: Omit<LoopOptions, 'poolSize'> & { serviceIds: number[]; clientIds: number[] },
): Promise<LoadResult> {
  const setup = await db.query<{ id: number; freelancer_id: number; title: string; price: number }>(
    `SELECT id, freelancer_id, title, starting_price_fen AS price FROM services WHERE id = ANY($1)`,
    [opts.serviceIds],
  );
  const services = setup.rows.map((r) => ({
    ...r,
    id: Number(r.id),
    freelancer_id: Number(r.freelancer_id),
    price: Number(r.price),
  }));
  const clearing = Number(
    (
      await db.query<{ id: number }>(
        `SELECT id FROM ceiling.ledger_accounts WHERE code = 'platform:clearing:alipay'`,
      )
    ).rows[0]!.id,
  );
  const appendEvent = (exec: Exec, type: string, orderId: number, status: string, audience: number[]) =>
    exec(
      'ceiling_event',
      `INSERT INTO ceiling.events (type, aggregate_type, aggregate_id, payload, audience)
        VALUES ($1, 'order', $2, $3, $4)`,
      [type, orderId, JSON.stringify({ orderId, status }), audience],
    );
  let serial = 0;
  return await closedLoop({
    concurrency: opts.concurrency,
    warmupMs: opts.warmupMs,
    durationMs: opts.durationMs,
    ...(opts.onWindow ? { onWindow: opts.onWindow } : {}),
    op: async (w, n) => {
      serial += 1;
      const s = services[(w * 7 + n) % services.length]!;
      const clientId = opts.clientIds[(w + n * 50) % opts.clientIds.length]!;
      const number = `CX${process.pid}${String(serial).padStart(9, '0')}`;
      let orderId = 0;
      let paymentId = 0;
      await db.transaction(async (exec) => {
        orderId = Number(
          (
            await exec<{ id: number }>(
              'ceiling_order',
              `INSERT INTO ceiling.orders (order_number, client_id, freelancer_id, service_id, tier,
                service_title, amount_fen, delivery_days, revisions_allowed, status, payment_deadline)
                VALUES ($1, $2, $3, $4, 'basic', $5, $6, 5, 1, 'awaiting_payment', now() + interval '30 minutes')
                RETURNING id`,
              [number, clientId, s.freelancer_id, s.id, s.title, s.price],
            )
          ).rows[0]!.id,
        );
        paymentId = Number(
          (
            await exec<{ id: number }>(
              'ceiling_payment',
              `INSERT INTO ceiling.payments (order_id, provider, out_trade_no, amount_fen, pay_url)
                VALUES ($1, 'alipay', $2, $3, $4) RETURNING id`,
              [orderId, `P${number}`, s.price, `https://sandbox.local/pay/P${number}`],
            )
          ).rows[0]!.id,
        );
        await appendEvent(exec, 'order.created', orderId, 'awaiting_payment', [clientId]);
      });
      await db.transaction(async (exec) => {
        await exec(
          'ceiling_pay',
          `UPDATE ceiling.payments SET status = 'succeeded', provider_trade_no = $2, paid_at = now(),
            updated_at = now() WHERE id = $1 AND status = 'pending'`,
          [paymentId, `T${number}`],
        );
        await exec(
          'ceiling_paid',
          `UPDATE ceiling.orders SET status = 'pending_acceptance', paid_at = now(),
            acceptance_deadline = now() + interval '48 hours', version = version + 1, updated_at = now()
            WHERE id = $1 AND status = 'awaiting_payment'`,
          [orderId],
        );
        const escrow = Number(
          (
            await exec<{ id: number }>(
              'ceiling_escrow',
              `INSERT INTO ceiling.ledger_accounts (code, kind, order_id, balance)
                VALUES ($1, 'escrow', $2, $3) RETURNING id`,
              [`order:${orderId}:escrow`, orderId, s.price],
            )
          ).rows[0]!.id,
        );
        const journal = Number(
          (
            await exec<{ id: number }>(
              'ceiling_journal',
              `INSERT INTO ceiling.ledger_journals (kind, order_id, idempotency_key)
                VALUES ('payment_escrow', $1, $2) RETURNING id`,
              [orderId, `pay:${paymentId}`],
            )
          ).rows[0]!.id,
        );
        await exec(
          'ceiling_postings',
          `INSERT INTO ceiling.ledger_postings (journal_id, account_id, amount_fen, balance_after)
            VALUES ($1, $2, $3, NULL), ($1, $4, $5, $5)`,
          [journal, clearing, -s.price, escrow, s.price],
        );
        await appendEvent(exec, 'order.status_changed', orderId, 'pending_acceptance', [
          clientId,
          s.freelancer_id,
        ]);
      });
      return undefined;
    },
  });
}
