import fs from 'node:fs';
import path from 'node:path';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { bindReactions, EventReactions } from '../events/reactions';
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
  /** The read replica when DATABASE_READ_URL is set, else the primary. */
  readonly read: ReadDb;
  /** Called after every committed `transact()` (the event dispatcher listens to wake up at once). */
  onCommit(listener: () => void): () => void;
  /** Runs `fn` in one transaction; commits, then notifies commit listeners. */
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

function makeDb(
  native: Db['native'],
  write: Kysely<Database>,
  read: Kysely<Database>,
  extraClose: () => Promise<void>,
): Db {
  const listeners = new Set<() => void>();
  const reactions = new EventReactions();
  return {
    kind: native.kind,
    native,
    write,
    read,
    reactions,
    onCommit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async transact(fn) {
      const result = await write.transaction().execute((tx) => {
        bindReactions(tx, reactions);
        return fn(tx);
      });
      for (const l of listeners) l();
      return result;
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
}

/** Opens the database the configuration names: PostgreSQL when a URL is given, PGlite otherwise. */
export async function openDb(opts: OpenDbOptions): Promise<Db> {
  if (opts.url && /^postgres(ql)?:\/\//.test(opts.url)) {
    const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 20, types: pgTypes() });
    // An idle pooled connection can die (server restart, admin termination); without a listener
    // node-postgres would crash the process. The pool replaces it on next use.
    pool.on('error', (err) => opts.onIdleError?.(err));
    const write = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    let read = write;
    if (opts.readUrl) {
      const readPool = new pg.Pool({
        connectionString: opts.readUrl,
        max: opts.poolSize ?? 20,
        types: pgTypes(),
      });
      read = new Kysely<Database>({ dialect: new PostgresDialect({ pool: readPool }) });
    }
    return makeDb({ kind: 'postgres', pool }, write, read, async () => {});
  }
  const pglite = await openPglite(
    opts.url === 'memory://' ? undefined : path.join(opts.dataDir ?? 'data', 'pglite'),
  );
  const write = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return makeDb({ kind: 'pglite', pglite }, write, write, async () => {
    if (!pglite.closed) await pglite.close();
  });
}

/** Opens (or creates) an embedded PGlite with pg_trgm and number parsers for BIGINT/NUMERIC. */
export async function openPglite(dir: string | undefined, loadDataDir?: Blob): Promise<PGlite> {
  if (dir) fs.mkdirSync(dir, { recursive: true });
  return PGlite.create({
    ...(dir ? { dataDir: dir } : {}),
    ...(loadDataDir ? { loadDataDir } : {}),
    extensions: { pg_trgm },
    parsers: { [pgliteTypes.INT8]: toNumber, [pgliteTypes.NUMERIC]: toNumber },
  });
}
