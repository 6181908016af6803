import fs from 'node:fs';
import path from 'node:path';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { Env } from '../config';
import { collectEvents, flushEvents } from '../events/outbox';
import { bindReactions, EventReactions } from '../events/reactions';
import { collectWrites, flushWrites } from './at-commit';
import { isStalePlan, preparedPool, StatementNames } from './prepared';
import { type ReplicaChange, ReplicaPool, type ReplicaState } from './replica';
import type { Database } from './schema';

/** A write transaction. Commands take one of these; nothing else may write. */
export type Tx = Transaction<Database>;

/**
 * A read-only handle: the query builder without its writing verbs, so a query module typed with it
 * cannot insert, update or delete (HOUSE_STYLE: read paths take a read handle). It may point at a replica.
 */
export type ReadDb = Omit<
  Kysely<Database>,
  | 'insertInto'
  | 'updateTable'
  | 'deleteFrom'
  | 'mergeInto'
  | 'replaceInto'
  | 'transaction'
  | 'schema'
  | 'connection'
>;

export interface Db {
  readonly kind: 'postgres' | 'pglite';
  /** The primary. Use `transact()` to write. */
  readonly write: Kysely<Database>;
  /**
   * Reads that may be a little behind: the read replica when DATABASE_READ_URL is set (falling back to
   * the primary while it cannot be reached, see replica.ts), else the primary. Only for what nobody
   * needs to see their own write in: the public catalog, search, public profiles and reviews, stats,
   * the audit and ledger checks. deploy/README.md "Read replica" lists each route's choice.
   */
  readonly read: ReadDb;
  /**
   * Reads that must see every committed write, the caller's own first: the primary, typed read-only.
   * The caller's own orders and money, sign-in and their account, messages and support chats, the ops
   * queue and everything staff act on, and cache fills (a fill from a lagging replica right after an
   * invalidation would keep the old value until it expires). When unsure, read here.
   */
  readonly fresh: ReadDb;
  /** The replica's state and lag when DATABASE_READ_URL is set, else null. */
  readonly replica: ReplicaState | null;
  /** Called after every committed `transact()` (the event dispatcher listens to wake up at once). */
  onCommit(listener: () => void): () => void;
  /** Told of every `transact()` attempt that is retried (the runtime logs them). */
  onRetry(listener: (retry: TransactRetry) => void): () => void;
  /**
   * Runs `fn` in one transaction; commits, then runs the transaction's `afterCommit` hooks and the
   * commit listeners. A deadlock (40P01) or serialization failure (40001) rolls the attempt back and
   * runs `fn` again in a fresh transaction, up to TRANSACT_MAX_ATTEMPTS times with jittered backoff.
   * So `fn` must be re-runnable: everything it does goes through `tx`, state it keeps in memory is
   * keyed by `tx` or reset at its start, and effects that must wait for the commit use `afterCommit`.
   */
  transact<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** In-transaction reactions to appended events (see platform/events/reactions.ts). */
  readonly reactions: EventReactions;
  /** The driver underneath, for a library that speaks SQL itself (pg-boss, see platform/jobs/boss-db.ts). */
  readonly native: { kind: 'postgres'; pool: pg.Pool } | { kind: 'pglite'; pglite: PGlite };
  close(): Promise<void>;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;
const INT8_ARRAY_OID = 1016;

/** BIGINT ids and fen amounts stay well inside 2^53, so both drivers parse them to numbers. */
function toNumber(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) && !Number.isFinite(n)) throw new RangeError(`number out of range: ${v}`);
  return n;
}

function pgTypes() {
  return {
    getTypeParser: (oid: number, format?: 'text' | 'binary') => {
      if (oid === INT8_OID || oid === NUMERIC_OID) return toNumber;
      if (oid === INT8_ARRAY_OID) {
        const parseArray = pg.types.getTypeParser(oid as never, 'text') as (v: string) => string[];
        return (v: string) => parseArray(v).map(toNumber);
      }
      return pg.types.getTypeParser(oid as never, format);
    },
  };
}

/** How many times `transact()` runs its callback at most when it keeps hitting deadlocks. */
export const TRANSACT_MAX_ATTEMPTS = 4;
const RETRY_BASE_MS = 15;
const RETRY_MAX_MS = 250;

/** A retried attempt of `transact()`, as retry listeners see it. */
export interface TransactRetry {
  /** The attempt that failed (1-based); the next one runs after `delayMs`. */
  attempt: number;
  /**
   * SQLSTATE: 40P01 deadlock_detected, 40001 serialization_failure, or 0A000 when a prepared statement
   * outlived a schema change (run again at once, with fresh statements).
   */
  code: string;
  delayMs: number;
  error: Error;
}

/**
 * SQLSTATEs after which the whole transaction may simply run again: PostgreSQL rolled it back because
 * of other transactions, not because of anything in it.
 */
const RETRYABLE = new Set(['40P01', '40001']);

/** The SQLSTATE of a retryable database error (pg and PGlite both put it on `code`), else null. */
export function retryableCode(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE.has(code) ? code : null;
}

/** Full jitter over an exponential step: 0.5–1.5 × 15 ms × 2^(attempt−1), at most 250 ms. */
function retryDelayMs(attempt: number): number {
  return Math.round(Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (attempt - 1)) * (0.5 + Math.random()));
}

const afterCommitOfTx = new WeakMap<Tx, (() => void)[]>();

/**
 * Runs `hook` once the transaction `tx` has committed — not if it rolls back, and not for an attempt
 * that `transact()` retries (its hooks are dropped with it). For in-memory effects that must only
 * reflect committed data (a cache of ids, a nudge to a worker). Returns false, and drops the hook, when
 * `tx` was not opened by `Db.transact`, which alone knows when it commits.
 */
export function afterCommit(tx: Tx, hook: () => void): boolean {
  const hooks = afterCommitOfTx.get(tx);
  if (!hooks) return false;
  hooks.push(hook);
  return true;
}

function makeDb(
  native: Db['native'],
  write: Kysely<Database>,
  read: Kysely<Database>,
  extraClose: () => Promise<void>,
  replica: ReplicaState | null = null,
): Db {
  const listeners = new Set<() => void>();
  const retryListeners = new Set<(retry: TransactRetry) => void>();
  const reactions = new EventReactions();
  return {
    kind: native.kind,
    native,
    write,
    read,
    fresh: write,
    replica,
    reactions,
    onCommit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onRetry(listener) {
      retryListeners.add(listener);
      return () => retryListeners.delete(listener);
    },
    async transact(fn) {
      for (let attempt = 1; ; attempt++) {
        // Each attempt is a fresh transaction with its own reactions binding and after-commit hooks.
        const hooks: (() => void)[] = [];
        let result: Awaited<ReturnType<typeof fn>>;
        try {
          result = await write.transaction().execute(async (tx) => {
            bindReactions(tx, reactions);
            afterCommitOfTx.set(tx, hooks);
            collectEvents(tx);
            collectWrites(tx);
            const value = await fn(tx);
            // The transaction's events and the writes kept for the commit, in one statement, last.
            await flushEvents(tx);
            await flushWrites(tx);
            return value;
          });
        } catch (err) {
          // A prepared statement outlived a schema change: the statement names were renewed (prepared.ts),
          // so the next attempt parses afresh.
          const code = retryableCode(err) ?? (isStalePlan(err) ? '0A000' : null);
          if (code === null || attempt >= TRANSACT_MAX_ATTEMPTS) throw err;
          const delayMs = code === '0A000' ? 0 : retryDelayMs(attempt);
          for (const l of retryListeners) l({ attempt, code, delayMs, error: err as Error });
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          continue;
        }
        for (const h of hooks) h();
        for (const l of listeners) l();
        return result;
      }
    },
    async close() {
      await write.destroy();
      if (read !== write) await read.destroy();
      await extraClose();
    },
  };
}

export interface OpenDbOptions {
  /** postgres://… for a server; unset for embedded PGlite under `dataDir`; `memory://` for an in-memory PGlite. */
  url?: string | undefined;
  readUrl?: string | undefined;
  dataDir?: string;
  poolSize?: number;
  /** Told when an idle pooled connection fails (it is replaced automatically). */
  onIdleError?: (err: Error) => void;
  /**
   * PostgreSQL only, each unset = no bound (the CLI tools, migrations, tests): the wait for a connection
   * (connect, or a free one in the pool) before failing; the server-side `statement_timeout`; and how
   * long to wait for any answer at all (`query_timeout`, for a server that cannot answer). The runtime
   * sets all three from the configuration, so no request hangs on a dead or partitioned database.
   */
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
  queryTimeoutMs?: number;
  /**
   * PostgreSQL only: send the statements of transactions as named (prepared) statements, parsed once per
   * connection (platform/db/prepared.ts). The runtime turns it on (DB_PREPARED_STATEMENTS); off by
   * default for migrations and the CLI tools, whose statements run once.
   */
  preparedStatements?: boolean;
  /**
   * With `readUrl`: how long a read waits to connect to the replica before running on the primary
   * (default `connectTimeoutMs`), and how long reads then stay on the primary before the replica is tried
   * again (default 5 s). See replica.ts.
   */
  replicaConnectTimeoutMs?: number;
  replicaRetryMs?: number;
  /** With `readUrl`: told when the replica stops answering and when it answers again (once each). */
  onReplicaChange?: (change: ReplicaChange) => void;
}

/** The pool's time bounds, named statements and replica settings the configuration gives (runtime and tests). */
export function poolOptionsFromEnv(
  env: Pick<
    Env,
    | 'DB_CONNECT_TIMEOUT_MS'
    | 'DB_STATEMENT_TIMEOUT_MS'
    | 'DB_QUERY_TIMEOUT_MS'
    | 'DB_PREPARED_STATEMENTS'
    | 'DB_REPLICA_CONNECT_TIMEOUT_MS'
    | 'DB_REPLICA_RETRY_MS'
  >,
): OpenDbOptions {
  return {
    connectTimeoutMs: env.DB_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
    queryTimeoutMs: env.DB_QUERY_TIMEOUT_MS,
    preparedStatements: env.DB_PREPARED_STATEMENTS,
    replicaConnectTimeoutMs: env.DB_REPLICA_CONNECT_TIMEOUT_MS,
    replicaRetryMs: env.DB_REPLICA_RETRY_MS,
  };
}

/**
 * When `query_timeout` fires, node-postgres still waits on that connection for the lost answer, and every
 * later query on it (the transaction's ROLLBACK) queues behind it until the server speaks again, so a
 * request would wait out the whole partition. Ending the client then (with a query active, `end()`
 * destroys the socket) fails those at once; the pool drops the client on release.
 */
function endOnReadTimeout(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const check = (err: unknown) => {
    if ((err as Error | null)?.message === 'Query read timeout') client.end().catch(() => {});
  };
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const callback = args.at(-1);
    if (typeof callback === 'function') {
      // The callback form (pool.query, pg-boss).
      args[args.length - 1] = (err: unknown, res: unknown) => {
        check(err);
        (callback as (err: unknown, res: unknown) => void)(err, res);
      };
      return query(...args);
    }
    const result = query(...args);
    if (result && typeof (result as Promise<unknown>).then === 'function')
      (result as Promise<unknown>).then(undefined, check);
    return result;
  };
}

/** Opens the database the configuration names: PostgreSQL when a URL is given, PGlite otherwise. */
export async function openDb(opts: OpenDbOptions): Promise<Db> {
  if (opts.url && /^postgres(ql)?:\/\//.test(opts.url)) {
    const poolOf = (connectionString: string, connectTimeoutMs = opts.connectTimeoutMs) => {
      const pool = new pg.Pool({
        connectionString,
        max: opts.poolSize ?? 20,
        types: pgTypes(),
        ...(connectTimeoutMs ? { connectionTimeoutMillis: connectTimeoutMs } : {}),
        ...(opts.statementTimeoutMs ? { statement_timeout: opts.statementTimeoutMs } : {}),
        ...(opts.queryTimeoutMs ? { query_timeout: opts.queryTimeoutMs } : {}),
      });
      // An idle pooled connection can die (server restart, admin termination); without a listener
      // node-postgres would crash the process. The pool replaces it on next use.
      pool.on('error', (err) => opts.onIdleError?.(err));
      // A connection that is checked out has no pool listener: when it breaks between two queries of a
      // transaction (the database went away), node-postgres emits 'error' on it, which without a
      // listener would crash the process. Its queries fail on their own, and the pool drops it on release.
      pool.on('connect', (client) => {
        client.on('error', () => {});
        if (opts.queryTimeoutMs) endOnReadTimeout(client);
      });
      return pool;
    };
    const pool = poolOf(opts.url);
    const write = new Kysely<Database>({
      dialect: new PostgresDialect({
        pool: opts.preparedStatements ? preparedPool(pool, new StatementNames()) : pool,
      }),
    });
    let read = write;
    let replica: ReplicaPool | null = null;
    if (opts.readUrl) {
      replica = new ReplicaPool(
        poolOf(opts.readUrl, opts.replicaConnectTimeoutMs ?? opts.connectTimeoutMs),
        pool,
        {
          retryMs: opts.replicaRetryMs ?? 5000,
          ...(opts.onReplicaChange ? { onChange: opts.onReplicaChange } : {}),
        },
      );
      read = new Kysely<Database>({ dialect: new PostgresDialect({ pool: replica }) });
    }
    return makeDb({ kind: 'postgres', pool }, write, read, async () => {}, replica);
  }
  const pglite = await openPglite(
    opts.url === 'memory://' ? undefined : path.join(opts.dataDir ?? 'data', 'pglite'),
  );
  const write = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return makeDb({ kind: 'pglite', pglite }, write, write, async () => {
    if (!pglite.closed) await pglite.close();
  });
}

/** Opens (or creates) an embedded PGlite with pg_trgm, btree_gin and number parsers for BIGINT/NUMERIC. */
export async function openPglite(dir: string | undefined, loadDataDir?: Blob): Promise<PGlite> {
  if (dir) fs.mkdirSync(dir, { recursive: true });
  return PGlite.create({
    ...(dir ? { dataDir: dir } : {}),
    ...(loadDataDir ? { loadDataDir } : {}),
    extensions: { pg_trgm, btree_gin },
    parsers: { [pgliteTypes.INT8]: toNumber, [pgliteTypes.NUMERIC]: toNumber },
  });
}
