import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/**
 * Named (prepared) statements for the writes Kysely sends to PostgreSQL.
 *
 * node-postgres sends every query as an unnamed statement unless it is given a name, so PostgreSQL parses
 * and plans each one again: a third of the database's time per paid order went to parse + bind (issue 15's
 * profile). A statement with a name is parsed once per connection and then only bound and executed.
 *
 * Only statements inside a transaction get a name: the short, repeated writes of commands (orders,
 * payments, the ledger, events) and their BEGIN/COMMIT. Reads outside a transaction — search, the ops
 * queue, lists — stay unnamed, so PostgreSQL plans them for the words and filters of each call (a plan
 * cached for one search term can be a poor one for another).
 *
 * The names are bounded: after `limit` distinct texts (a query whose text varies, such as an `IN` list of
 * varying length, makes one per length) further texts go unnamed, so neither this process nor a server
 * connection holds an unbounded number of statements. A schema change under a running core makes
 * PostgreSQL refuse a statement whose result shape changed ("cached plan must not change result type",
 * SQLSTATE 0A000): the names then start a new generation, so every statement is parsed afresh, and
 * `Db.transact` runs the transaction again (`isStalePlan`).
 */
export class StatementNames {
  private readonly names = new Map<string, string>();
  private generation = 0;

  constructor(readonly limit = 1000) {}

  /** The name to prepare `text` under, or null when the limit is reached. */
  nameOf(text: string): string | null {
    const known = this.names.get(text);
    if (known !== undefined) return known;
    if (this.names.size >= this.limit) return null;
    const name = `jx${this.generation}_${this.names.size}`;
    this.names.set(text, name);
    return name;
  }

  /** Forgets every name; the next use of each text prepares it again under a new one. */
  renew(): void {
    this.names.clear();
    this.generation += 1;
  }

  get size(): number {
    return this.names.size;
  }
}

/** PostgreSQL refused a prepared statement whose tables changed shape since it was prepared. */
export function isStalePlan(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  return e?.code === '0A000' && typeof e.message === 'string' && e.message.includes('cached plan');
}

const OPENS = /^\s*(begin|start transaction)\b/i;
const CLOSES = /^\s*(commit|rollback|end)\b(?!\s+to\b)/i;

/**
 * The pool Kysely is given: `pool`'s clients, with the queries of a transaction sent as named
 * statements. One wrapper per pg client (Kysely keeps its connection objects by client).
 */
export function preparedPool(pool: pg.Pool, names: StatementNames): PostgresPool {
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let inTransaction = false;
    const query = (sql: unknown, parameters?: ReadonlyArray<unknown>) => {
      // A cursor (streaming) goes through untouched.
      if (typeof sql !== 'string') return client.query(sql as never);
      const opens = OPENS.test(sql);
      const closes = !opens && CLOSES.test(sql);
      const name = inTransaction || opens || closes ? names.nameOf(sql) : null;
      if (opens) inTransaction = true;
      if (closes) inTransaction = false;
      const values = parameters ? [...parameters] : [];
      const result = name ? client.query({ name, text: sql, values }) : client.query(sql, values);
      return result.catch((err: unknown) => {
        if (isStalePlan(err)) names.renew();
        throw err;
      });
    };
    return {
      query: query as unknown as PostgresPoolClient['query'],
      release: (destroy?: boolean) => {
        inTransaction = false;
        client.release(destroy);
      },
    };
  };
  return {
    async connect() {
      const client = await pool.connect();
      let wrapper = wrappers.get(client);
      if (!wrapper) {
        wrapper = wrap(client);
        wrappers.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
}
